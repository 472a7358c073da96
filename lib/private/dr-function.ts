import { Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { handlerCode, HandlerName } from './handler-code';
import { ManagedPolicyRole } from './managed-policy-role';
import { acknowledgeGuard, GUARD } from './guard';
import { acknowledge, NAG } from './nag';
import { arnPattern, servicePrincipal, sourceConditions } from './service-principal';

export interface DrFunctionProps {
  readonly handler: HandlerName;
  readonly description: string;
  readonly environment: Record<string, string>;
  /** Encrypts the log group and the dead-letter queue; needs a CloudWatch Logs grant (added here for keys of this app). */
  readonly encryptionKey: kms.IKey;
  readonly timeout: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 1: runs never overlap */
  readonly reservedConcurrentExecutions?: number;
  /** The size of /tmp. @default - Lambda's default, 512 MiB */
  readonly ephemeralStorageSize?: Size;
  /** @default - not in a VPC (acknowledged; the function only calls AWS APIs) */
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** A fixed role name, for a role another account's resource policies name. @default - generated */
  readonly roleName?: string;
}

/**
 * A handler of this library deployed the same safe way everywhere: Node.js 24, pre-bundled
 * code, a role of its own (no AWS managed policy) that may write only its own log group, a
 * KMS-encrypted log group with a retention, a KMS-encrypted dead-letter queue for failed
 * asynchronous invocations, reserved concurrency.
 */
export class DrFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: ManagedPolicyRole;
  readonly logGroup: logs.LogGroup;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DrFunctionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    allowLogsToUseKey(props.encryptionKey);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.role = new ManagedPolicyRole(this, 'Role', {
      // aws:SourceAccount only: see the exceptions in service-principal.ts.
      roleName: props.roleName,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: props.description,
    });
    // Instead of AWSLambdaBasicExecutionRole: write to this function's own log group only.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new lambda.Function(this, 'Function', {
      runtime: HANDLER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: handlerCode(props.handler),
      description: props.description,
      role: this.role,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      timeout: props.timeout,
      memorySize: props.memorySize ?? 512,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? 1,
      ephemeralStorageSize: props.ephemeralStorageSize,
      deadLetterQueue: this.deadLetterQueue,
      logGroup: this.logGroup,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
    });
    // cdk-nag's AwsSolutions-L1 asks for the newest runtime of the family that the installed
    // aws-cdk-lib knows; a newer aws-cdk-lib than this library was tested with may know one.
    if (newerNodeRuntimeKnown()) acknowledge(this.function, NAG.HANDLER_RUNTIME);
    if (!props.vpc) {
      acknowledge(this.function, NAG.LAMBDA_OUTSIDE_VPC);
      acknowledgeGuard(this.function, GUARD.LAMBDA_OUTSIDE_VPC);
    }
    acknowledgeGuard(this.deadLetterQueue, GUARD.DEAD_LETTER_QUEUE);
  }
}

/**
 * The runtime of the bundled handlers (their code targets Node.js 20 and later), fixed by each
 * release so that upgrading aws-cdk-lib does not change the runtime of deployed functions.
 */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Whether the installed aws-cdk-lib knows a Node.js runtime newer than the handlers'. */
export function newerNodeRuntimeKnown(): boolean {
  const major = (r: lambda.Runtime) => Number(/^nodejs(\d+)/.exec(r.name)?.[1] ?? 0);
  return lambda.Runtime.ALL.some((r) => r.family === lambda.RuntimeFamily.NODEJS && major(r) > major(HANDLER_RUNTIME));
}

const keysWithLogsGrant = new WeakSet<kms.IKey>();

/**
 * CloudWatch Logs encrypts log groups with the key only if the key policy lets the regional
 * Logs service use it, scoped by encryption context to log groups of this account and region.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function allowLogsToUseKey(key: kms.IKey): void {
  if (keysWithLogsGrant.has(key)) return;
  keysWithLogsGrant.add(key);
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:DescribeKey',
      ],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
        },
      },
    }),
    true,
  );
}

/** The role EventBridge Scheduler assumes to start a target, its grants on a managed policy. */
export function schedulerRole(scope: Construct): ManagedPolicyRole {
  return new ManagedPolicyRole(scope, 'SchedulerRole', {
    // Schedules of this library are in the default schedule group.
    assumedBy: servicePrincipal(
      scope,
      'scheduler.amazonaws.com',
      arnPattern(scope, 'scheduler', 'schedule-group/default'),
    ),
  });
}

/**
 * A KMS-encrypted, TLS-only SNS topic for alarm notifications. CloudWatch alarms publish to an
 * encrypted topic only if the key lets cloudwatch.amazonaws.com use it.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
 */
export function createAlarmTopic(scope: Construct, key: kms.IKey): sns.Topic {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      // On behalf of the alarms of this account and region only.
      conditions: sourceConditions(Stack.of(scope).account, arnPattern(scope, 'cloudwatch', 'alarm:*')),
    }),
    true,
  );
  return new sns.Topic(scope, 'AlarmTopic', { masterKey: key, enforceSSL: true });
}

/**
 * Lets a role write objects under one prefix of a bucket: s3:PutObject there and, for a bucket
 * encrypted with a key of this app, kms:GenerateDataKey on that key through S3 only. Narrower
 * than `bucket.grantPut`, which adds s3:Abort* and kms:ReEncrypt*-style wildcard actions.
 */
export function grantPutUnder(role: iam.IRole, bucket: s3.IBucket, prefix: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(`${prefix}*`)] }),
  );
  grantBucketKeyThroughS3(role, bucket, 'kms:GenerateDataKey');
}

/**
 * Lets a role read back what it wrote under one prefix: s3:GetObject there, s3:ListBucket for
 * that prefix only, and, for a bucket encrypted with a key of this app, kms:Decrypt on that key
 * through S3 only.
 */
export function grantReadUnder(role: iam.IRole, bucket: s3.IBucket, prefix: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects(`${prefix}*`)] }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
    }),
  );
  grantBucketKeyThroughS3(role, bucket, 'kms:Decrypt');
}

/** One KMS action on a bucket's key (when it has one of this app), through that bucket's S3 only. */
function grantBucketKeyThroughS3(role: iam.IRole, bucket: s3.IBucket, action: string): void {
  if (!bucket.encryptionKey) return;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [action],
      resources: [bucket.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(bucket).region}.amazonaws.com` } },
    }),
  );
}
