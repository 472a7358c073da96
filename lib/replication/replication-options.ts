import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * How objects are replicated to one destination: one native S3 replication rule.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-add-config.html
 */
export interface ReplicationRuleOptions {
  /**
   * The rule id. It appears as the `RuleId` dimension of the replication metrics. At most 255
   * characters, unique among the bucket's destinations.
   * @default - `to-<destination region>`, with `-<n>` appended when several destinations share a region
   */
  readonly ruleId?: string;

  /**
   * Replicate only keys starting with this prefix: a literal prefix (no `*` or `?`), not
   * starting with `/`, at most 1,024 bytes.
   * @default - every object
   */
  readonly prefix?: string;

  /**
   * Replicate only objects carrying all of these tags. Cannot be combined with
   * `deleteMarkerReplication` (S3 does not replicate delete markers for tag-filtered rules). At
   * most 10 tags (an object carries no more); keys 1-128 characters, values at most 256.
   * @default - no tag filter
   */
  readonly tags?: Record<string, string>;

  /**
   * Rule priority: when two rules match an object for the same destination, the higher number
   * wins. A whole number from 0 to 2,147,483,647. Required, and unique, when the bucket has
   * more than one destination.
   * @default - none with a single destination
   */
  readonly priority?: number;

  /**
   * Storage class of the replicas (for example `STANDARD_IA` or `GLACIER_IR` for a cold standby).
   * @default - the storage class of the source object
   */
  readonly storageClass?: s3.StorageClass;

  /**
   * Replicate delete markers. Off by default on purpose: with it off, an accidental or
   * malicious delete in the source (ransomware, a bad script) does not propagate, and the
   * replica still serves the object. Turn it on only when the replica must mirror deletes.
   * Cannot be combined with `tags`.
   * @default false
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-marker-replication.html
   */
  readonly deleteMarkerReplication?: boolean;

  /**
   * Replica modification sync: replicate metadata changes made on replicas back (needed for
   * two-way replication).
   * @default false
   */
  readonly replicaModifications?: boolean;

  /**
   * Cross-account only: make the destination account the owner of the replicas
   * (owner override). Not needed when the destination bucket enforces bucket-owner object
   * ownership, which `ReplicaBucket` does. Only for a destination whose account is given and
   * differs from the source's.
   * @default false
   */
  readonly ownerOverride?: boolean;

  /**
   * Publish S3 replication metrics (latency, operations and bytes pending, operations failed)
   * for this rule. These are billed as CloudWatch custom metrics; they do not require RTC.
   * @default true
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html
   */
  readonly metrics?: boolean;

  /**
   * S3 Replication Time Control: a paid SLA replicating 99.99% of objects within 15 minutes,
   * the 15-minute RPO tier. Requires `metrics`.
   * @default false
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html
   */
  readonly replicationTimeControl?: boolean;
}
