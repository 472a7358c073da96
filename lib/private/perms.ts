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
