/**
 * The exact S3 Control CreateJob input of a Batch Replication job with a generated manifest.
 * Pure: the shapes below mirror @aws-sdk/client-s3-control's CreateJobRequest field for field
 * (the adapter, control.ts, assigns one to the other without a cast), without importing the SDK.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_CreateJob.html
 */
import { createHash } from 'node:crypto';
import { formatS3Uri } from '../../shared/s3-uri';
import { BackfillOptions, ReplicationStatus, ReportScope } from './options';

/** The manifest format S3 writes for a generated manifest. */
export const GENERATED_MANIFEST_FORMAT = 'S3InventoryReport_CSV_20211130';
export const REPORT_FORMAT = 'Report_CSV_20180820';

export interface BackfillCreateJobInput {
  readonly AccountId: string;
  readonly ConfirmationRequired: boolean;
  readonly Operation: { readonly S3ReplicateObject: Record<string, never> };
  readonly Report: {
    readonly Bucket: string;
    readonly Format: typeof REPORT_FORMAT;
    readonly Enabled: true;
    readonly Prefix?: string;
    readonly ReportScope: ReportScope;
  };
  readonly ClientRequestToken: string;
  readonly Description: string;
  readonly Priority: number;
  readonly RoleArn: string;
  readonly ManifestGenerator: {
    readonly S3JobManifestGenerator: {
      readonly ExpectedBucketOwner: string;
      readonly SourceBucket: string;
      readonly EnableManifestOutput: true;
      readonly ManifestOutputLocation: {
        readonly Bucket: string;
        readonly ManifestPrefix: string;
        readonly ManifestFormat: typeof GENERATED_MANIFEST_FORMAT;
      };
      readonly Filter: {
        readonly EligibleForReplication: true;
        readonly ObjectReplicationStatuses: ReplicationStatus[];
        readonly CreatedAfter?: Date;
        readonly CreatedBefore?: Date;
        readonly KeyNameConstraint?: { readonly MatchAnyPrefix: string[] };
      };
    };
  };
}

export function bucketArn(partition: string, bucket: string): string {
  return `arn:${partition}:s3:::${bucket}`;
}

/** The prefix without a trailing slash ('' stays ''): S3 appends "/job-ID/..." to a report prefix itself. */
function trimSlash(prefix: string): string {
  return prefix.replace(/\/+$/, '');
}

/** Where the generated manifest is written: beside the reports, under `manifests`. */
export function manifestPrefix(o: BackfillOptions): string {
  return [trimSlash(o.report.prefix), 'manifests'].filter(Boolean).join('/');
}

/**
 * The idempotency token: a digest of everything that defines the job (and --run-id), so that a
 * retried or repeated command returns the job it already created instead of a second one.
 */
export function clientRequestToken(o: BackfillOptions): string {
  const canonical = JSON.stringify([
    'cdk-s3-dr-backfill-v1',
    o.account,
    o.roleArn,
    o.source.bucket,
    o.source.prefix,
    o.report.bucket,
    o.report.prefix,
    o.statuses,
    o.createdAfter?.toISOString() ?? null,
    o.createdBefore?.toISOString() ?? null,
    o.priority,
    o.reportScope,
    o.confirm,
    o.runId ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex'); // 64 characters, the most S3 Control takes
}

/** The CreateJob input for these options (ConfirmationRequired unless --confirm). */
export function buildCreateJob(o: BackfillOptions): BackfillCreateJobInput {
  const filter: BackfillCreateJobInput['ManifestGenerator']['S3JobManifestGenerator']['Filter'] = {
    EligibleForReplication: true,
    ObjectReplicationStatuses: [...o.statuses],
    ...(o.createdAfter ? { CreatedAfter: o.createdAfter } : {}),
    ...(o.createdBefore ? { CreatedBefore: o.createdBefore } : {}),
    ...(o.source.prefix ? { KeyNameConstraint: { MatchAnyPrefix: [o.source.prefix] } } : {}),
  };
  const range = [
    o.createdAfter ? `after ${o.createdAfter.toISOString()}` : '',
    o.createdBefore ? `before ${o.createdBefore.toISOString()}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    AccountId: o.account,
    ConfirmationRequired: !o.confirm,
    Operation: { S3ReplicateObject: {} },
    Report: {
      Bucket: bucketArn(o.partition, o.report.bucket),
      Format: REPORT_FORMAT,
      Enabled: true,
      ...(trimSlash(o.report.prefix) ? { Prefix: trimSlash(o.report.prefix) } : {}),
      ReportScope: o.reportScope,
    },
    ClientRequestToken: clientRequestToken(o),
    // At most 256 characters.
    Description: `cdk-s3-dr backfill ${formatS3Uri(o.source)} ${o.statuses.join(',')}${range ? ` ${range}` : ''}`.slice(
      0,
      256,
    ),
    Priority: o.priority,
    RoleArn: o.roleArn,
    ManifestGenerator: {
      S3JobManifestGenerator: {
        ExpectedBucketOwner: o.account,
        SourceBucket: bucketArn(o.partition, o.source.bucket),
        EnableManifestOutput: true,
        ManifestOutputLocation: {
          Bucket: bucketArn(o.partition, o.report.bucket),
          ManifestPrefix: manifestPrefix(o),
          ManifestFormat: GENERATED_MANIFEST_FORMAT,
        },
        Filter: filter,
      },
    },
  };
}
