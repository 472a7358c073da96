import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as events_targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as replicationEvents from '../../lambda/replication-events/contract';
import { REGION_PATTERN } from '../../lambda/shared/rules';
import { Construct } from 'constructs';
import { PropProblem, throwIfInvalid } from '../private/errors';
import { RoleOptions } from '../shared/handler-options';
import { createAlarmTopic, DrFunction } from '../private/dr-function';
import { applyPermissionsBoundary } from '../private/permissions-boundary';
import { allowEventBridgeToUseKey, allowServiceToUseKey } from '../private/key-grants';
import { ManagedPolicyRole } from '../private/managed-policy-role';
import { acknowledgeGuard, GUARD } from '../private/guard';
import { acknowledge, NAG } from '../private/nag';
import { RegionalDefaults } from '../private/regional-defaults';
import {
  arnPattern,
  bucketArnOnceNamed,
  eventRules,
  requireSourceAccount,
  servicePrincipal,
} from '../private/service-principal';
import { ReplicatedBucket } from '../replication/replicated-bucket';

/**
 * The S3 replication event types. S3 sends these only as S3 Event Notifications (to SQS, SNS or
 * Lambda in the bucket's region), never through its EventBridge integration.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-metrics-events.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html
 */
export enum ReplicationEventType {
  /** An object eligible for replication failed to replicate (needs replication metrics on the rule). */
  OPERATION_FAILED_REPLICATION = 's3:Replication:OperationFailedReplication',
  /** An object exceeded the 15-minute threshold (rules with Replication Time Control only). */
  OPERATION_MISSED_THRESHOLD = 's3:Replication:OperationMissedThreshold',
  /** An object replicated after the 15-minute threshold (rules with Replication Time Control only). */
  OPERATION_REPLICATED_AFTER_THRESHOLD = 's3:Replication:OperationReplicatedAfterThreshold',
  /** An object is no longer tracked by replication metrics. */
  OPERATION_NOT_TRACKED = 's3:Replication:OperationNotTracked',
}

const REPLICATION_EVENT_SOURCE: string = replicationEvents.EVENTS.source;
const REPLICATION_EVENT_DETAIL_TYPE: string = replicationEvents.EVENTS.detailType;

const ALL_EVENT_TYPES = Object.values(ReplicationEventType) as string[];
const REGION = REGION_PATTERN;

/** Props of `ReplicationFailureEvents`. */
export interface ReplicationFailureEventsProps extends RoleOptions {
  /**
   * The source bucket whose replication events are decoded and forwarded; in this stack, which
   * needs an explicit region. Its notification configuration must not be a token.
   */
  readonly replicatedBucket: ReplicatedBucket;
  /**
   * The region whose default event bus receives the decoded events (the replica region): a
   * region name known at synth time, such as `us-west-2`, not this stack's own region.
   */
  readonly targetRegion: string;
  /**
   * The replication event types S3 sends to the queue: at least one, `ReplicationEventType`
   * values only (S3's EventBridge and object events are not replication events).
   * @default - all four
   */
  readonly eventTypes?: ReplicationEventType[];
  /**
   * Key for the queues and the decoder's log group. S3 must be allowed to use it (a statement
   * conditioned on `aws:SourceAccount` is added), so it must be a key of this app (a `kms.Key`):
   * an imported key is refused.
   * @default - the source bucket's key when it is a key of this app, else the region's shared key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the construct's stateful resources (queues, key, topic) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * In the source bucket's stack: S3 replication events, decoded into readable lines and put on
 * EventBridge, then forwarded to the replica region.
 *
 * S3 sends replication events only as S3 Event Notifications in the bucket's region, so: the
 * bucket's notification configuration (set on its L1, no custom resource) sends them to a
 * KMS-encrypted, TLS-only SQS queue with a dead-letter queue; an EventBridge Pipe reads the
 * queue, has the bundled decoder function turn each record into one readable line ("replication
 * of s3://src/key (version v) to s3://dst failed: the destination KMS key does not exist
 * (DstKmsKeyNotFound); check ..."), and puts the results on this region's default bus
 * (source `cdk-s3-dr.replication`, detail-type `cdk-s3-dr Replication Event`); a rule forwards
 * them to the default bus of `targetRegion`, where `ReplicationFailureNotifications` sends the
 * line to a topic.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-metrics-events.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-failure-codes.html
 */
export class ReplicationFailureEvents extends Construct {
  /** The `source` of the decoded replication events on EventBridge. */
  static readonly EVENT_SOURCE: string = REPLICATION_EVENT_SOURCE;
  /** The `detail-type` of the decoded replication events on EventBridge. */
  static readonly EVENT_DETAIL_TYPE: string = REPLICATION_EVENT_DETAIL_TYPE;

  /** The queue S3 sends the replication notifications to. */
  readonly queue: sqs.Queue;
  /** Where notifications the pipe could not process land after 10 receives. */
  readonly queueDeadLetterQueue: sqs.Queue;
  /** The key of the queues and the decoder's log group. */
  readonly encryptionKey: kms.IKey;
  /** The decoder: the pipe's enrichment function. */
  readonly decoder: lambda.Function;
  private readonly decoderFunction: DrFunction;
  /** The EventBridge Pipe: queue, decoder, this region's default bus. */
  readonly pipe: pipes.CfnPipe;
  /** The role the pipe assumes. */
  readonly pipeRole: iam.Role;
  /** The rule that forwards the decoded events to the target region. */
  readonly forwardingRule: events.Rule;
  /** The role the forwarding rule's target assumes. */
  readonly forwardingRole: iam.Role;
  /** Events the forwarding rule could not deliver. */
  readonly forwardingDeadLetterQueue: sqs.Queue;
  /** The event types configured on the bucket. */
  readonly eventTypes: ReplicationEventType[];
  /** ARN of this region's default event bus (the pipe's target). */
  readonly sourceBusArn: string;
  /** ARN of the target region's default event bus. */
  readonly targetBusArn: string;

  constructor(scope: Construct, id: string, props: ReplicationFailureEventsProps) {
    super(scope, id);
    applyPermissionsBoundary(this, props.permissionsBoundary);
    const stack = Stack.of(this);
    const replicated = props.replicatedBucket;
    const bucket = replicated.bucket;
    const cfnBucket = bucket.node.defaultChild as s3.CfnBucket;
    throwIfInvalid(this, validateEvents(stack, props, cfnBucket));
    this.eventTypes = [...new Set(props.eventTypes ?? (ALL_EVENT_TYPES as ReplicationEventType[]))];
    warnAboutRuleSettings(this, replicated);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.encryptionKey =
      props.encryptionKey ??
      (replicated.encryptionKey instanceof kms.Key
        ? replicated.encryptionKey
        : RegionalDefaults.of(this).key(this, props.removalPolicy));
    const key = this.encryptionKey;
    // S3 sends to a KMS-encrypted queue only if the key lets it encrypt.
    // @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html
    allowServiceToUseKey(key, {
      sid: 'AllowS3EventNotificationsToEncryptedQueues',
      service: 's3.amazonaws.com',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      sourceArn: bucketArnOnceNamed(this, () => bucket),
    });
    allowEventBridgeToUseKey(key);

    this.queueDeadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    acknowledgeGuard(this.queueDeadLetterQueue, GUARD.DEAD_LETTER_QUEUE);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.minutes(2),
      deadLetterQueue: { queue: this.queueDeadLetterQueue, maxReceiveCount: 10 },
      removalPolicy,
    });
    // Not the bucket ARN: S3 validates the destination when the bucket is created, so the bucket
    // depends on this policy, and a reference back to the bucket would be a cycle. The bucket's
    // name is used literally when it is known at synth time (a given name, or the generated name
    // of a bucket another region refers to); otherwise any bucket of this account.
    // @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html
    const sourceArn = bucketArnOnceNamed(this, () => bucket);
    const { policyDependable } = this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowS3ReplicationEventNotifications',
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': sourceArn },
        },
      }),
    );
    if (policyDependable) cfnBucket.node.addDependency(policyDependable);

    // On the L1: bucket.addEventNotification would add aws-cdk-lib's notifications custom resource.
    const existing = cfnBucket.notificationConfiguration as s3.CfnBucket.NotificationConfigurationProperty | undefined;
    cfnBucket.notificationConfiguration = {
      ...existing,
      queueConfigurations: [
        ...((existing?.queueConfigurations as s3.CfnBucket.QueueConfigurationProperty[] | undefined) ?? []),
        ...this.eventTypes.map((event) => ({ event, queue: this.queue.queueArn })),
      ],
    };

    this.decoderFunction = new DrFunction(this, 'Decoder', {
      handler: 'replication-events',
      description: `Decodes the S3 replication events of ${this.node.path} into readable lines (cdk-s3-dr)`,
      encryptionKey: key,
      environment: replicationEvents.toEnv(),
      timeout: Duration.seconds(30),
      memorySize: 256,
      // The pipe polls the queue with several batches at once; throttled batches go back to the queue.
      reservedConcurrentExecutions: 5,
      removalPolicy: props.removalPolicy,
    });
    this.decoder = this.decoderFunction.function;

    this.sourceBusArn = `arn:${stack.partition}:events:${stack.region}:${stack.account}:event-bus/default`;
    const pipeRole = new ManagedPolicyRole(this, 'PipeRole', {
      assumedBy: servicePrincipal(this, 'pipes.amazonaws.com', arnPattern(this, 'pipes', 'pipe/*')),
      description: `EventBridge Pipe of ${this.node.path}: queue to decoder to event bus (cdk-s3-dr)`,
    });
    this.pipeRole = pipeRole;
    for (const [sid, actions, resource] of [
      [
        'ReadReplicationEventQueue',
        ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        this.queue.queueArn,
      ],
      ['DecryptReplicationEvents', ['kms:Decrypt'], key.keyArn],
      ['InvokeDecoder', ['lambda:InvokeFunction'], this.decoder.functionArn],
      ['PutDecodedEvents', ['events:PutEvents'], this.sourceBusArn],
    ] as const) {
      this.pipeRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid, actions: [...actions], resources: [resource] }),
      );
    }

    this.pipe = new pipes.CfnPipe(this, 'Pipe', {
      description: `S3 replication events of ${this.node.path}, decoded (cdk-s3-dr)`,
      roleArn: this.pipeRole.roleArn,
      source: this.queue.queueArn,
      sourceParameters: { sqsQueueParameters: { batchSize: 10, maximumBatchingWindowInSeconds: 5 } },
      enrichment: this.decoder.functionArn,
      target: this.sourceBusArn,
      targetParameters: {
        eventBridgeEventBusParameters: {
          source: REPLICATION_EVENT_SOURCE,
          detailType: REPLICATION_EVENT_DETAIL_TYPE,
          resources: [bucket.bucketArn],
        },
      },
    });
    // The pipe checks its permissions when it is created.
    this.pipe.node.addDependency(pipeRole.grantsPolicy!);

    this.forwardingDeadLetterQueue = new sqs.Queue(this, 'ForwardingDeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    acknowledge(this.forwardingDeadLetterQueue, NAG.EVENT_TARGET_DLQ);
    acknowledgeGuard(this.forwardingDeadLetterQueue, GUARD.DEAD_LETTER_QUEUE);
    this.targetBusArn = `arn:${stack.partition}:events:${props.targetRegion}:${stack.account}:event-bus/default`;
    this.forwardingRole = new ManagedPolicyRole(this, 'ForwardingRole', {
      assumedBy: servicePrincipal(this, 'events.amazonaws.com', eventRules(this)),
      description: `Forwards the replication events of ${this.node.path} to ${props.targetRegion} (cdk-s3-dr)`,
    });
    // The EventBus target grants the role events:PutEvents on that one bus.
    this.forwardingRule = new events.Rule(this, 'ForwardingRule', {
      description: `Forwards the decoded replication events of ${this.node.path} to the default event bus of ${props.targetRegion} (cdk-s3-dr)`,
      eventPattern: {
        source: [REPLICATION_EVENT_SOURCE],
        detailType: [REPLICATION_EVENT_DETAIL_TYPE],
        resources: [bucket.bucketArn],
      },
      targets: [
        new events_targets.EventBus(events.EventBus.fromEventBusArn(this, 'TargetBus', this.targetBusArn), {
          role: this.forwardingRole,
          deadLetterQueue: this.forwardingDeadLetterQueue,
        }),
      ],
    });
    requireSourceAccount(this.forwardingDeadLetterQueue, stack.account);
  }
}

/** Props of `ReplicationFailureNotifications`. */
export interface ReplicationFailureNotificationsProps extends RoleOptions {
  /**
   * Where the readable lines go, for example the probe's or the alarms' topic. The rule publishes
   * as a role of its own (`publishRole`), granted sns:Publish on the topic and the use of its key
   * when the topic is a `sns.Topic` of this app; for another topic, allow that role yourself.
   * @default - the region's shared alarm topic (KMS-encrypted, TLS-only); with `encryptionKey`, a new topic encrypted with it
   */
  readonly topic?: sns.ITopic;
  /**
   * Key for the dead-letter queue and the new topic. A `kms.Key` of this app (EventBridge must
   * be allowed to use it): an imported key is refused.
   * @default - the given topic's key when it is a key of this app, else the region's shared key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the construct's stateful resources (queues, key, topic) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * In the replica region's stack: a rule on the default event bus that matches the decoded
 * replication events (`cdk-s3-dr.replication`) that `ReplicationFailureEvents` forwards here,
 * and sends each readable line to an SNS topic (an input transformer picks `detail.message`),
 * with a KMS-encrypted dead-letter queue for lines that could not be delivered.
 */
export class ReplicationFailureNotifications extends Construct {
  /** The rule sending the decoded replication events to the topic. */
  readonly rule: events.Rule;
  /** The topic the readable lines are published to. */
  readonly topic: sns.ITopic;
  /** Events the rule could not deliver to the topic. */
  readonly deadLetterQueue: sqs.Queue;
  /** The key of the dead-letter queue (and of a topic created here). */
  readonly encryptionKey: kms.IKey;
  /** The role EventBridge publishes to the topic as. */
  readonly publishRole: iam.Role;

  constructor(scope: Construct, id: string, props: ReplicationFailureNotificationsProps = {}) {
    super(scope, id);
    applyPermissionsBoundary(this, props.permissionsBoundary);
    const problems: PropProblem[] = [];
    if (props.encryptionKey && !(props.encryptionKey instanceof kms.Key)) {
      problems.push({
        prop: 'encryptionKey',
        value: props.encryptionKey.node.path,
        problem: 'is an imported key: EventBridge must be allowed to use it, and its policy cannot be changed here',
        fix: 'pass a kms.Key of this app, or leave it out to use a new key',
      });
    }
    throwIfInvalid(this, problems);

    const topicKey = props.topic instanceof sns.Topic ? props.topic.masterKey : undefined;
    this.encryptionKey =
      props.encryptionKey ??
      (topicKey instanceof kms.Key ? topicKey : RegionalDefaults.of(this).key(this, props.removalPolicy));
    // For the dead-letter queue; the topic's key is used through the publishing role.
    allowEventBridgeToUseKey(this.encryptionKey);
    this.topic =
      props.topic ??
      (props.encryptionKey
        ? createAlarmTopic(this, this.encryptionKey)
        : RegionalDefaults.of(this).alarmTopic(this, props.removalPolicy));

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    acknowledge(this.deadLetterQueue, NAG.EVENT_TARGET_DLQ);
    acknowledgeGuard(this.deadLetterQueue, GUARD.DEAD_LETTER_QUEUE);

    // EventBridge publishes as a role of its own (trust narrowed to this account's rules) rather
    // than as the service principal: aws-cdk-lib would otherwise add a topic policy statement and
    // a key policy statement (kms:GenerateDataKey*) for events.amazonaws.com with no condition.
    this.publishRole = new ManagedPolicyRole(this, 'PublishRole', {
      assumedBy: servicePrincipal(this, 'events.amazonaws.com', eventRules(this)),
      description: `Publishes the replication event lines of ${this.node.path} to the topic (cdk-s3-dr)`,
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: 'Sends the readable line of each S3 replication event forwarded by cdk-s3-dr to a topic',
      eventPattern: { source: [REPLICATION_EVENT_SOURCE], detailType: [REPLICATION_EVENT_DETAIL_TYPE] },
      targets: [
        new events_targets.SnsTopic(this.topic, {
          authorizeUsingRole: true,
          role: this.publishRole,
          message: events.RuleTargetInput.fromText(events.EventField.fromPath('$.detail.message')),
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 10,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
    requireSourceAccount(this.deadLetterQueue, Stack.of(this).account);
  }
}

function validateEvents(stack: Stack, p: ReplicationFailureEventsProps, cfnBucket: s3.CfnBucket): PropProblem[] {
  const problems: PropProblem[] = [];
  const known = (v: string | undefined): v is string => v !== undefined && !Token.isUnresolved(v);
  if (!known(p.targetRegion) || !REGION.test(p.targetRegion)) {
    problems.push({
      prop: 'targetRegion',
      value: p.targetRegion,
      problem: known(p.targetRegion) ? 'not a region name' : 'must be a region name known at synth time',
      fix: 'use the replica region, for example us-west-2',
    });
  } else if (known(stack.region) && p.targetRegion === stack.region) {
    problems.push({
      prop: 'targetRegion',
      value: p.targetRegion,
      problem: "is this stack's own region: the decoded events already reach its default bus",
      fix: 'use the replica region, where ReplicationFailureNotifications runs',
    });
  }
  if (!known(stack.region)) {
    problems.push({
      prop: 'replicatedBucket',
      value: stack.node.path,
      problem: 'the stack has no explicit region, so the event buses cannot be named',
      fix: "give the source bucket's stack an explicit env: { account, region }",
    });
  }
  if (p.replicatedBucket && Stack.of(p.replicatedBucket) !== stack) {
    problems.push({
      prop: 'replicatedBucket',
      value: p.replicatedBucket.node.path,
      problem: `is in stack ${Stack.of(p.replicatedBucket).node.path}: S3 sends replication events only to a queue in the bucket's own region`,
      fix: "create ReplicationFailureEvents in the source bucket's stack",
    });
  }
  if (p.eventTypes !== undefined) {
    if (p.eventTypes.length === 0) {
      problems.push({
        prop: 'eventTypes',
        value: [],
        problem: 'no event type: S3 would send nothing',
        fix: 'leave it out for all four, or list the ReplicationEventType values to receive',
      });
    }
    p.eventTypes.forEach((t, i) => {
      if (!ALL_EVENT_TYPES.includes(t)) {
        problems.push({
          prop: `eventTypes[${i}]`,
          value: t,
          problem: 'not an S3 replication event type (S3 EventBridge and object events are not replication events)',
          fix: `use one of ${ALL_EVENT_TYPES.join(', ')}`,
        });
      }
    });
  }
  if (p.encryptionKey && !(p.encryptionKey instanceof kms.Key)) {
    problems.push({
      prop: 'encryptionKey',
      value: p.encryptionKey.node.path,
      problem: 'is an imported key: S3 must be allowed to use it for the queue, and its policy cannot be changed here',
      fix: 'pass a kms.Key of this app, or leave it out',
    });
  }
  if (Token.isUnresolved(cfnBucket.notificationConfiguration)) {
    problems.push({
      prop: 'replicatedBucket',
      value: p.replicatedBucket.node.path,
      problem: "the bucket's notification configuration is a token and cannot be extended",
      fix: 'set the notification configuration as a plain object, or remove it',
    });
  }
  return problems;
}

/**
 * S3 sends replication events only for rules with replication metrics. (Threshold events need
 * Replication Time Control too; asking for them without RTC is harmless, so that is not flagged.)
 */
function warnAboutRuleSettings(scope: Construct, replicated: ReplicatedBucket) {
  const options = replicated.rules.map((r) => r.destination.options);
  if (options.length > 0 && options.every((o) => o.metrics === false)) {
    Annotations.of(scope).addWarningV2(
      'cdk-s3-dr:replicationEventsWithoutMetrics',
      'no replication rule has metrics on: S3 sends replication events only for rules with replication metrics',
    );
  }
}
