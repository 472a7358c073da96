import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * A statement letting a principal use a KMS key only through S3 in the key's region
 * (`kms:ViaService`), optionally only for given buckets (`kms:EncryptionContext:aws:s3:arn`).
 *
 * A key given by alias ARN (how another region's stack names a key without a reference): IAM
 * evaluates KMS permissions against key ARNs, never alias ARNs, so the statement names the keys
 * of that account and region and narrows them to the one alias with `kms:ResourceAliases`.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html
 */
export function keyThroughS3(opts: {
  readonly sid: string;
  readonly keyArn: string;
  readonly region: string;
  readonly actions: readonly string[];
  /** Bucket ARNs whose objects (or bucket keys) the key may be used for. */
  readonly bucketArns?: readonly string[];
}): iam.PolicyStatement {
  // The alias name must be literal; the partition and account may be tokens (an app without the
  // target-partitions feature flag renders the partition as a reference).
  const alias = /:(alias\/.+)$/.exec(opts.keyArn)?.[1];
  const isAlias = alias !== undefined && !Token.isUnresolved(alias);
  const conditions: Record<string, Record<string, unknown>> = {
    StringEquals: { 'kms:ViaService': `s3.${opts.region}.amazonaws.com` },
  };
  if (opts.bucketArns) {
    conditions.StringLike = { 'kms:EncryptionContext:aws:s3:arn': opts.bucketArns.flatMap((b) => [b, `${b}/*`]) };
  }
  if (isAlias) {
    conditions['ForAnyValue:StringEquals'] = { 'kms:ResourceAliases': alias };
  }
  return new iam.PolicyStatement({
    sid: opts.sid,
    actions: [...opts.actions],
    resources: [isAlias ? opts.keyArn.replace(/:alias\/.*$/, ':key/*') : opts.keyArn],
    conditions,
  });
}
