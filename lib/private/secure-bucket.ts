import { Annotations, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeGuard, GUARD } from './guard';
import { acknowledge, NAG } from './nag';

/**
 * The safe defaults every data bucket of this library gets, in one pure function, so they are
 * read in one place: versioned (replication needs it), KMS with a customer managed key and
 * S3 Bucket Keys (fewer KMS calls), all public access blocked, bucket-owner object ownership
 * (ACLs off), TLS 1.2+ only, retained on stack deletion. Access logs are added with
 * `sendAccessLogs` once the bucket exists.
 */
export function secureDataBucketProps(opts: {
  encryptionKey: kms.IKey;
  removalPolicy?: RemovalPolicy;
  objectLockEnabled?: boolean;
  objectLockDefaultRetention?: s3.ObjectLockRetention;
  lifecycleRules?: s3.LifecycleRule[];
  bucketName?: string;
}): s3.BucketProps {
  return {
    bucketName: opts.bucketName,
    versioned: true,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: opts.encryptionKey,
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectLockEnabled: opts.objectLockEnabled || opts.objectLockDefaultRetention !== undefined ? true : undefined,
    objectLockDefaultRetention: opts.objectLockDefaultRetention,
    lifecycleRules: opts.lifecycleRules,
    removalPolicy: opts.removalPolicy ?? RemovalPolicy.RETAIN,
  };
}

/**
 * Server access logs of `bucket`, delivered to `logs` under `prefix`, the same way in every app.
 *
 * aws-cdk-lib's `serverAccessLogsBucket` grants log delivery with a bucket policy only when the
 * app sets the feature flag `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy`; without it, it
 * switches the log bucket to the `LogDeliveryWrite` ACL, which a bucket-owner-enforced bucket
 * rejects at synth. So the logging configuration is set on the L1 bucket and the log bucket gets
 * the policy AWS recommends: `logging.s3.amazonaws.com` may put objects under the prefix, for this
 * bucket and account only.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
 */
export function sendAccessLogs(bucket: s3.Bucket, logs: s3.IBucket, prefix: string): void {
  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  cfn.loggingConfiguration = { destinationBucketName: logs.bucketName, logFilePrefix: prefix };
  const { statementAdded } = logs.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [logs.arnForObjects(`${prefix}*`)],
      conditions: {
        ArnLike: { 'aws:SourceArn': bucket.bucketArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(bucket).account },
      },
    }),
  );
  if (!statementAdded) {
    Annotations.of(bucket).addWarningV2(
      'cdk-s3-dr:accessLogsPolicy',
      `serverAccessLogsBucket is imported, so its policy cannot be edited here: allow "logging.s3.amazonaws.com" to "s3:PutObject" on its objects under "${prefix}", with aws:SourceArn this bucket and aws:SourceAccount this account, or S3 will not deliver the access logs`,
    );
  }
}

/**
 * A customer managed key with rotation on and a deterministic alias, retained by default, whose
 * policy lets only AWS services create grants (Control Tower CT.KMS.PR.3).
 */
export function createBucketKey(scope: Construct, id: string, description: string, removalPolicy?: RemovalPolicy) {
  const key = new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    removalPolicy: removalPolicy ?? RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(denyGrantsExceptForAwsServices());
  const aliasName = `alias/cdk-s3-dr/${Names.uniqueId(key)}`.slice(0, 256);
  key.addAlias(aliasName);
  return { key, aliasName };
}

/**
 * Denies kms:CreateGrant to every principal unless an AWS service integrated with KMS creates the
 * grant for one of its resources (kms:GrantIsForAWSResource) or the caller is a service principal
 * (aws:PrincipalIsAWSService); the exact statement the CT.KMS.PR.3 guard rule looks for.
 *
 * What uses these keys creates no grants: S3 (SSE-KMS with S3 Bucket Keys), SQS, SNS, CloudWatch
 * Logs and EventBridge call GenerateDataKey/Decrypt/Encrypt directly (with the caller's
 * credentials through kms:ViaService, or as their service principal), and the library's Lambda
 * functions use the AWS managed key for their environment variables (Lambda creates grants only
 * for a customer managed environment key, and then for an AWS resource, which this allows).
 * Only a person or role creating a grant by hand for a non-AWS resource is refused.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/grant-authorization.html
 */
export function denyGrantsExceptForAwsServices(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'], // in a key policy, "*" means this key
    conditions: {
      BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
    },
  });
}

/** The ARN of an alias, from literal parts: usable from another region's stack without a reference. */
export function aliasArn(scope: Construct, aliasName: string): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:kms:${stack.region}:${stack.account}:${aliasName}`;
}

/**
 * The server access log bucket of a data bucket. S3 log delivery writes only to buckets
 * encrypted with SSE-S3, so this bucket cannot use the KMS key; it is versioned, private,
 * TLS-only and keeps logs for a year (noncurrent versions 90 days).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
 */
export function createAccessLogsBucket(scope: Construct, id: string, removalPolicy?: RemovalPolicy): s3.Bucket {
  const logs = new s3.Bucket(scope, id, {
    versioned: true,
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(90) }],
    removalPolicy: removalPolicy ?? RemovalPolicy.RETAIN,
  });
  acknowledge(logs, NAG.LOG_BUCKET_SSE_S3);
  acknowledge(logs, NAG.LOG_BUCKET_NOT_REPLICATED);
  for (const ack of [
    GUARD.LOG_BUCKET_SSE_S3,
    GUARD.LOG_BUCKET_NOT_LOGGED,
    GUARD.OBJECT_LOCK_EXPIRING,
    GUARD.NO_EVENT_CONSUMER,
  ]) {
    acknowledgeGuard(logs, ack);
  }
  return logs;
}
