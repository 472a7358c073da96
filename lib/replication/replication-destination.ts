import { ReplicaBucket } from './replica-bucket';
import { ReplicationRuleOptions } from './replication-options';

/** A bucket someone else owns (another team, another account), by plain attributes. */
export interface ReplicationDestinationAttributes extends ReplicationRuleOptions {
  /**
   * ARN of the destination bucket, for example `arn:aws:s3:::my-replica`: a bucket ARN (empty
   * region and account fields, no `/` part) in the source's partition.
   */
  readonly bucketArn: string;
  /**
   * Region of the destination bucket: a region code known at synth time, not the source's
   * region.
   */
  readonly region: string;
  /**
   * Account that owns the destination bucket: 12 digits.
   * @default - the source bucket's account
   */
  readonly account?: string;
  /**
   * ARN of the symmetric KMS key (or alias) in the destination region that encrypts replicas.
   * Required: the source bucket is SSE-KMS encrypted, and S3 replicates SSE-KMS objects only
   * to a destination with a replica key. A key or alias ARN
   * (`arn:<partition>:kms:<region>:<account>:key/<id>` or `...:alias/<name>`) in `region`.
   */
  readonly replicaKeyArn: string;
  /**
   * Whether the destination bucket has Object Lock on (it must match the source).
   * @default - not checked
   */
  readonly objectLockEnabled?: boolean;
}

/**
 * One destination of a `ReplicatedBucket`: a `ReplicaBucket` of this app, or plain attributes
 * of a bucket someone else owns, plus the rule options for it.
 */
export class ReplicationDestination {
  /** Replicate to a `ReplicaBucket` (in another region's stack of this app). */
  static toReplicaBucket(replica: ReplicaBucket, options: ReplicationRuleOptions = {}): ReplicationDestination {
    return new ReplicationDestination(
      replica.bucket.bucketArn,
      replica.region,
      replica.account,
      replica.replicaKeyArn,
      replica.objectLockEnabled,
      options,
      replica,
    );
  }

  /** Replicate to a bucket given by its attributes. */
  static toBucket(attrs: ReplicationDestinationAttributes): ReplicationDestination {
    const { bucketArn, region, account, replicaKeyArn, objectLockEnabled, ...options } = attrs;
    return new ReplicationDestination(bucketArn, region, account, replicaKeyArn, objectLockEnabled, options);
  }

  /** ARN of the destination bucket. */
  readonly bucketArn: string;
  /** Region of the destination bucket. */
  readonly region: string;
  /** Account of the destination bucket; undefined means the source's account. */
  readonly account?: string;
  /** The replica key (key or alias ARN). */
  readonly replicaKeyArn: string;
  /** Object Lock on the destination, when known. */
  readonly objectLockEnabled?: boolean;
  /** The rule options. */
  readonly options: ReplicationRuleOptions;
  /** The `ReplicaBucket` construct, when the destination is one. */
  readonly replica?: ReplicaBucket;

  private constructor(
    bucketArn: string,
    region: string,
    account: string | undefined,
    replicaKeyArn: string,
    objectLockEnabled: boolean | undefined,
    options: ReplicationRuleOptions,
    replica?: ReplicaBucket,
  ) {
    this.bucketArn = bucketArn;
    this.region = region;
    this.account = account;
    this.replicaKeyArn = replicaKeyArn;
    this.objectLockEnabled = objectLockEnabled;
    this.options = options;
    this.replica = replica;
  }
}
