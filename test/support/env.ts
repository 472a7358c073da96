// Template tests do not need CloudFormation's built-in schema validation (about 3 s per synth);
// cdk-nag still runs where a test adds it.
process.env.CDK_VALIDATION = 'false';
