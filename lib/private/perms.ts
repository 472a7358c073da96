/**
 * Every IAM action this library grants, in one place, so an auditor can read the whole list.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
 */

/** On the source bucket itself: read the replication configuration and list. */
export const REPLICATION_SOURCE_BUCKET_ACTIONS = ['s3:GetReplicationConfiguration', 's3:ListBucket'];

/** On source object versions: read them for replication (not s3:GetObjectVersion, which is broader). */
export const REPLICATION_SOURCE_OBJECT_ACTIONS = [
  's3:GetObjectVersionForReplication',
  's3:GetObjectVersionAcl',
  's3:GetObjectVersionTagging',
];

/** On source object versions when Object Lock is on: replicate retention and legal holds. */
export const REPLICATION_SOURCE_OBJECT_LOCK_ACTIONS = ['s3:GetObjectRetention', 's3:GetObjectLegalHold'];

/** On destination objects: write replicas, delete markers (only if enabled per rule) and tags. */
export const REPLICATION_DESTINATION_OBJECT_ACTIONS = ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'];

/** On destination objects, cross-account with owner override only. */
export const REPLICATION_OWNER_OVERRIDE_ACTIONS = ['s3:ObjectOwnerOverrideToBucketOwner'];

/** On the source key: decrypt source objects (scoped with kms:ViaService and the bucket's encryption context). */
export const REPLICATION_SOURCE_KEY_ACTIONS = ['kms:Decrypt'];

/**
 * On a replica key: kms:Encrypt to encrypt replicas (the minimum the replication guide lists),
 * and kms:Decrypt because the replica buckets of this library use S3 Bucket Keys: "To use
 * replication with an S3 Bucket Key, the AWS KMS key policy for the KMS key that's used to
 * encrypt the object replica must include kms:Decrypt permissions for the calling principal. The
 * call to kms:Decrypt verifies the integrity of the S3 Bucket Key before using it." Both are
 * narrowed to S3 in the replica's region (kms:ViaService) and the replica bucket (encryption
 * context).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html#bk-replication
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html#bucket-key-replication
 */
export const REPLICATION_REPLICA_KEY_ACTIONS = ['kms:Encrypt', 'kms:Decrypt'];

// The Batch Operations role of a Batch Replication job with a generated manifest (ReplicationBackfill):
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-batch-replication-policies.html

/** On source objects (under the prefix): replicate them. */
export const BACKFILL_SOURCE_OBJECT_ACTIONS = ['s3:InitiateReplication'];
/** On the source bucket: read its replication configuration and generate the manifest. */
export const BACKFILL_SOURCE_BUCKET_ACTIONS = ['s3:GetReplicationConfiguration', 's3:PutInventoryConfiguration'];
/** On the generated manifest, under the reports prefix: read it back. */
export const BACKFILL_MANIFEST_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'];
/** Under the reports prefix: write the generated manifest and the completion report. */
export const BACKFILL_REPORT_WRITE_ACTIONS = ['s3:PutObject'];
/** On the source and reports keys, through S3 for those buckets only. */
export const BACKFILL_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];
/** Whoever creates jobs (the backfill function, an operator): replication jobs only (s3:RequestJobOperation). */
export const BACKFILL_CREATE_JOB_ACTIONS = ['s3:CreateJob'];
/** Whoever follows jobs: replication jobs only (s3:ExistingJobOperation). */
export const BACKFILL_FOLLOW_JOB_ACTIONS = ['s3:DescribeJob', 's3:UpdateJobStatus'];
