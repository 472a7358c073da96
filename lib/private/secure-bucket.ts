import { Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge, NAG } from './nag';

/**
 * The safe defaults every data bucket of this library gets, in one pure function, so they are
 * read in one place: versioned (replication needs it), KMS with a customer managed key and
 * S3 Bucket Keys (fewer KMS calls), all public access blocked, bucket-owner object ownership
 * (ACLs off), TLS 1.2+ only, access logs, retained on stack deletion.
 */
export function secureDataBucketProps(opts: {
  encryptionKey: kms.IKey;
  accessLogs: s3.IBucket;
  accessLogsPrefix: string;
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
    serverAccessLogsBucket: opts.accessLogs,
    serverAccessLogsPrefix: opts.accessLogsPrefix,
    objectLockEnabled: opts.objectLockEnabled || opts.objectLockDefaultRetention !== undefined ? true : undefined,
    objectLockDefaultRetention: opts.objectLockDefaultRetention,
    lifecycleRules: opts.lifecycleRules,
    removalPolicy: opts.removalPolicy ?? RemovalPolicy.RETAIN,
  };
}

/** A customer managed key with rotation on and a deterministic alias, retained by default. */
export function createBucketKey(scope: Construct, id: string, description: string, removalPolicy?: RemovalPolicy) {
  const key = new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    removalPolicy: removalPolicy ?? RemovalPolicy.RETAIN,
  });
  const aliasName = `alias/cdk-s3-dr/${Names.uniqueId(key)}`.slice(0, 256);
  key.addAlias(aliasName);
  return { key, aliasName };
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
  return logs;
}
