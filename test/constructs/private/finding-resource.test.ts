import { flattenCfnReference } from '../../../lib/private/finding-resource';

/** The resource part of granular AwsSolutions-IAM5 finding ids, as cdk-nag writes them. */
const cases: Array<[string, unknown, string]> = [
  ['a literal', 'arn:aws:s3:::my-bucket/*', 'arn:aws:s3:::my-bucket/*'],
  [
    'a join of a GetAtt',
    { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['DataBucketE3889A50', 'Arn'] }, '/*']] },
    '<DataBucketE3889A50.Arn>/*',
  ],
  ['a Ref', { Ref: 'AWS::Partition' }, '<AWS::Partition>'],
  [
    'a join with Refs',
    { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:us-west-2:', { Ref: 'AWS::AccountId' }, ':key/*']] },
    'arn:<AWS::Partition>:kms:us-west-2:<AWS::AccountId>:key/*',
  ],
  ['a Sub', { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::b/*' }, 'arn:<AWS::Partition>:s3:::b/*'],
  ['an ImportValue', { 'Fn::ImportValue': 'Exported' }, 'Exported'],
  ['anything else, as JSON', { 'Fn::Select': [0, ['a']] }, '{"Fn::Select":[0,["a"]]}'],
  ['nothing', undefined, ''],
];

describe('flattenCfnReference', () => {
  test.each(cases)('flattens %s as cdk-nag does', (_name, value, flat) => {
    expect(flattenCfnReference(value)).toBe(flat);
  });

  test("agrees with cdk-nag's own (internal) implementation on every case", () => {
    // Only the test reaches into cdk-nag's internals: it tells when a cdk-nag upgrade changes the ids.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nag = require('cdk-nag/lib/utils/flatten-cfn-reference') as { flattenCfnReference(v: unknown): string };
    for (const [, value] of cases) expect(flattenCfnReference(value)).toBe(nag.flattenCfnReference(value));
  });
});
