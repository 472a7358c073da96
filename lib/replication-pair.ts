import { ReplicatedBucket } from './replicated-bucket';
import { ReplicationDestination } from './replication-destination';

/**
 * The source and replica of one replication rule, by literal names and ARNs, as the replica
 * region's audit, drill and probe refer to them (no cross-region reference, no stack dependency
 * on the source region). Spread it into `ConsistencyAudit` or `RestoreDrill` props.
 */
export interface ReplicationPair {
  /** Name of the source bucket. */
  readonly sourceBucketName: string;
  /** Region of the source bucket. */
  readonly sourceRegion: string;
  /**
   * Account of the source bucket. When it differs from the account of the audit, drill, probe
   * or failover controller, their roles get deterministic names, and the source must grant them
   * access (`ReplicatedBucket.grantDrAccess`, or the statements a synth warning lists).
   * @default - the account of the construct's own stack
   */
  readonly sourceAccount?: string;
  /** Key (or alias) ARN of the source bucket's KMS key. @default - the source is not KMS encrypted */
  readonly sourceKeyArn?: string;
  /** Name of the replica bucket. */
  readonly replicaBucketName: string;
  /** Region of the replica bucket. */
  readonly replicaRegion: string;
  /** Key (or alias) ARN of the replica key. @default - the replica is not KMS encrypted */
  readonly replicaKeyArn?: string;
  /** Only keys under this prefix (the rule's prefix). @default - the whole bucket */
  readonly prefix?: string;
}

export class ReplicationPairs {
  /** The pair for one destination of a `ReplicatedBucket` (the only one when omitted). */
  static of(replicated: ReplicatedBucket, destination?: ReplicationDestination): ReplicationPair {
    const rule = replicated.ruleFor(destination);
    return {
      sourceBucketName: replicated.bucket.bucketName,
      sourceRegion: replicated.region,
      sourceAccount: replicated.account,
      sourceKeyArn: replicated.encryptionKeyArn,
      replicaBucketName: rule.destinationBucketName,
      replicaRegion: rule.destination.region,
      replicaKeyArn: rule.destination.replicaKeyArn,
      prefix: rule.destination.options.prefix,
    };
  }
}
