import { RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

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

/** What every construct deploying a bundled handler (audit, drill) accepts in common. */
export interface HandlerOptions extends RoleOptions {
  /**
   * Actions of the construct's alarms (for example an SNS topic action).
   * @default - a new KMS-encrypted SNS topic (`alarmTopic`); subscribe to it
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
  /**
   * Where reports go; several constructs may share one bucket (each writes under its own prefix).
   * @default - a new versioned, KMS-encrypted, access-logged bucket
   */
  readonly reportsBucket?: s3.IBucket;
  /**
   * Key for new buckets, the log group, the dead-letter queue and the topic. Pass the region's
   * replica key to keep one key per region.
   * @default - a new key with rotation on
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Lambda memory in MiB.
   * @default 1024
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
