import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { AlarmActionStrategy } from '../monitoring/replication-alarms';

/** What every construct that creates IAM roles accepts. */
export interface RoleOptions {
  /**
   * A permissions boundary for every IAM role the construct creates: its own roles and those
   * aws-cdk-lib creates inside it (event targets, state machines, schedules), for accounts that
   * require one on every role. The boundary must allow what the roles are granted, or the
   * handlers and replication fail at run time.
   * @default - no permissions boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;
}

/** What every construct deploying a bundled handler (audit, drill, backfill) accepts in common. */
export interface HandlerOptions extends RoleOptions {
  /**
   * What the construct's alarms do on state changes (on ALARM and on OK), as for
   * `ReplicationAlarms` and `ReplicationProbe`.
   * @default AlarmActionStrategy.newEncryptedTopic(): the region's shared topic (`alarmTopic`)
   */
  readonly alarmActions?: AlarmActionStrategy;
  /**
   * Where reports go; several constructs may share one bucket, each under its own prefix:
   * `ConsistencyAudit` under `audits/`, `RestoreDrill` under `drills/`, `ReplicationBackfill`
   * under its `reportsPrefix` (`backfill/` by default). For the audit and the drill it must be
   * in this stack's region; for the backfill it must not be the source bucket.
   * @default - the region's shared reports bucket (`<stack>/CdkS3DrRegional/Reports`: versioned,
   * KMS-encrypted with the region's key, access-logged); with `encryptionKey`, a new bucket of
   * this construct's own encrypted with that key
   */
  readonly reportsBucket?: s3.IBucket;
  /**
   * Key for new buckets, the log group, the dead-letter queue and the topic. Giving one means
   * resources of this construct's own: a reports bucket and a topic of its own are created
   * with it when `reportsBucket` and `alarmActions` are not given.
   * @default - the region's shared key: the key of the stack's `ReplicaBucket`, or one created
   * once per stack
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Lambda memory in MiB of the construct's handler. The default depends on the construct.
   * @default - 1024 for `ConsistencyAudit` and `RestoreDrill`, 256 for `ReplicationBackfill`
   */
  readonly memorySize?: number;
  /**
   * Run the handler in this VPC (it needs routes to S3, KMS and CloudWatch Logs).
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * What happens to the construct's buckets, key and log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
