import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as events_targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PropProblem, throwIfInvalid } from '../private/errors';
import { RoleOptions } from '../shared/handler-options';
import { allowEventBridgeToUseKey } from '../private/key-grants';
import { applyPermissionsBoundary } from '../private/permissions-boundary';
import { ManagedPolicyRole } from '../private/managed-policy-role';
import { acknowledgeGuard, GUARD } from '../private/guard';
import { acknowledge, NAG } from '../private/nag';
import { RegionalDefaults } from '../private/regional-defaults';
import { eventRules, requireSourceAccount, servicePrincipal } from '../private/service-principal';

/** Props of `AlarmStateForwarding`. */
export interface AlarmStateForwardingProps extends RoleOptions {
  /** Alarms of this region whose state changes are forwarded; at least one. */
  readonly alarms: cloudwatch.IAlarm[];
  /**
   * The region whose default event bus receives them (the replica region): a region name such
   * as `us-west-2`, not this stack's own region.
   */
  readonly targetRegion: string;
  /**
   * Key for the dead-letter queue.
   * @default - the region's shared key (the stack's `ReplicatedBucket` key, or one created once per stack)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the construct's stateful resources (queues, key, topic) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Forwards `CloudWatch Alarm State Change` events of alarms in this (the source) region to the
 * default event bus of another region (the replica), so that rules and the failover controller
 * there react to them and nothing that acts on an outage has to run in the failing region. The
 * cross-region target has a role of its own that may only put events on that one bus, and a
 * KMS-encrypted dead-letter queue for events that could not be delivered.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html
 */
export class AlarmStateForwarding extends Construct {
  /** The rule matching the alarm state changes and forwarding them. */
  readonly rule: events.Rule;
  /** The role EventBridge assumes to put the events on the target bus. */
  readonly role: iam.Role;
  /** Events that could not be delivered to the target bus. */
  readonly deadLetterQueue: sqs.Queue;
  /** ARN of the target bus. */
  readonly targetBusArn: string;

  constructor(scope: Construct, id: string, props: AlarmStateForwardingProps) {
    super(scope, id);
    applyPermissionsBoundary(this, props.permissionsBoundary);
    const stack = Stack.of(this);
    const problems: PropProblem[] = [];
    if ((props.alarms ?? []).length === 0) {
      problems.push({
        prop: 'alarms',
        value: [],
        problem: 'nothing to forward',
        fix: 'pass the alarms whose state changes the other region needs',
      });
    }
    if (!Token.isUnresolved(props.targetRegion) && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(props.targetRegion)) {
      problems.push({
        prop: 'targetRegion',
        value: props.targetRegion,
        problem: 'not a region name',
        fix: 'use a region name such as us-west-2',
      });
    } else if (!Token.isUnresolved(props.targetRegion) && props.targetRegion === stack.region) {
      problems.push({
        prop: 'targetRegion',
        value: props.targetRegion,
        problem: "is this stack's own region: the alarms' events already reach its default bus",
        fix: 'use the replica region, or remove the forwarding',
      });
    }
    throwIfInvalid(this, problems);

    const key = props.encryptionKey ?? RegionalDefaults.of(this).key(this, props.removalPolicy);
    allowEventBridgeToUseKey(key);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    acknowledge(this.deadLetterQueue, NAG.EVENT_TARGET_DLQ);
    acknowledgeGuard(this.deadLetterQueue, GUARD.DEAD_LETTER_QUEUE);

    this.targetBusArn = `arn:${stack.partition}:events:${props.targetRegion}:${stack.account}:event-bus/default`;
    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: servicePrincipal(this, 'events.amazonaws.com', eventRules(this)),
      description: `Forwards alarm state changes from ${stack.region} to ${props.targetRegion} (cdk-s3-dr)`,
    });
    // The EventBus target grants the role events:PutEvents on that one bus.

    this.rule = new events.Rule(this, 'Rule', {
      description: `Forwards alarm state changes to the default event bus of ${props.targetRegion} (cdk-s3-dr)`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: props.alarms.map((a) => a.alarmArn),
      },
      targets: [
        new events_targets.EventBus(events.EventBus.fromEventBusArn(this, 'TargetBus', this.targetBusArn), {
          role: this.role,
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
    requireSourceAccount(this.deadLetterQueue, stack.account);
  }
}
