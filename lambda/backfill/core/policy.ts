/**
 * The least-privilege permissions of the Batch Operations role of a Batch Replication job with a
 * generated manifest, as an IAM policy document (JSON): what docs/backfill.md shows and the construct uses.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-batch-replication-policies.html
 */
import { bucketArn, manifestPrefix } from './create-job';
import { BackfillOptions } from './options';

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string[];
  readonly Resource: string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: PolicyStatement[];
}

/** The service principal the role must trust. */
export const BATCH_OPERATIONS_PRINCIPAL = 'batchoperations.s3.amazonaws.com';

export interface BackfillPolicyOptions extends Pick<BackfillOptions, 'partition' | 'source' | 'report'> {
  /** KMS keys of the source objects and of the reports bucket (ARNs); none when SSE-S3. */
  readonly kmsKeyArns?: readonly string[];
  /** The source bucket's region, for kms:ViaService. */
  readonly region?: string;
}

/** The trust policy: only S3 Batch Operations may assume the role. */
export function backfillTrustPolicy(): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: BATCH_OPERATIONS_PRINCIPAL }, Action: 'sts:AssumeRole' }],
  };
}

/** The permissions policy, each action on the narrowest resource AWS accepts for it. */
export function backfillPolicy(o: BackfillPolicyOptions): PolicyDocument {
  const source = bucketArn(o.partition, o.source.bucket);
  const reports = bucketArn(o.partition, o.report.bucket);
  const reportPrefix = o.report.prefix.replace(/\/+$/, '');
  const statements: PolicyStatement[] = [
    {
      Sid: 'InitiateReplication',
      Effect: 'Allow',
      Action: ['s3:InitiateReplication'],
      Resource: [`${source}/${o.source.prefix}*`],
    },
    {
      Sid: 'GenerateManifest',
      Effect: 'Allow',
      Action: ['s3:GetReplicationConfiguration', 's3:PutInventoryConfiguration'],
      Resource: [source],
    },
    {
      Sid: 'ReadGeneratedManifest',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: [`${reports}/${manifestPrefix({ report: o.report } as BackfillOptions)}/*`],
    },
    {
      Sid: 'WriteManifestAndReport',
      Effect: 'Allow',
      Action: ['s3:PutObject'],
      Resource: [`${reports}/${reportPrefix ? `${reportPrefix}/` : ''}*`],
    },
  ];
  if (o.kmsKeyArns?.length) {
    statements.push({
      Sid: 'KmsThroughS3',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: [...o.kmsKeyArns],
      ...(o.region ? { Condition: { StringEquals: { 'kms:ViaService': `s3.${o.region}.amazonaws.com` } } } : {}),
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}
