import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PropProblem, throwIfInvalid } from '../private/errors';
import { AlarmSpec, applyAlarmActions, BoundAlarmActions, ReplicationAlarmFactory } from '../private/alarm-actions';
import { createAlarmTopic } from '../private/dr-function';
import { RegionalDefaults } from '../private/regional-defaults';
import {
  REPLICATION_METRIC_PUBLISHED_IN,
  ReplicationMetricFactory,
  ReplicationMetricName,
  replicationMetricRegion,
} from '../private/replication-metrics';
import { ReplicatedBucket, ReplicationRuleInfo } from '../replication/replicated-bucket';
import { ReplicationDestination } from '../replication/replication-destination';

/** What an alarm does when it changes state: a strategy, so alarms never hard-wire a target. */
export abstract class AlarmActionStrategy {
  /**
   * An SNS topic encrypted with a KMS key, TLS-only; subscribe to it. Notifies on ALARM and on
   * OK. For a construct given an `encryptionKey`, a new topic of its own encrypted with that
   * key; otherwise the region's shared topic (`<stack>/CdkS3DrRegional/AlarmTopic`, encrypted
   * with the region's shared key), which every construct of the stack notifies.
   */
  static newEncryptedTopic(): AlarmActionStrategy {
    return new NewTopicStrategy();
  }

  /** An existing topic (notifies on ALARM and on OK). */
  static topic(topic: sns.ITopic): AlarmActionStrategy {
    return new ActionsStrategy([new cw_actions.SnsAction(topic)], topic);
  }

  /** Any CloudWatch alarm actions (Lambda, SSM OpsItem, EC2, ...), on ALARM and on OK. */
  static actions(...actions: cloudwatch.IAlarmAction[]): AlarmActionStrategy {
    return new ActionsStrategy(actions);
  }

  /** No actions: the alarms are only read (dashboards, composite alarms, the failover controller). */
  static none(): AlarmActionStrategy {
    return new ActionsStrategy([]);
  }

  /**
   * Resolves the strategy once per construct: `key` is the construct's own key, when given.
   * @internal
   */
  abstract _bind(scope: Construct, key?: kms.IKey, removalPolicy?: RemovalPolicy): BoundAlarmActions;

  /**
   * Resolves a construct's `alarmActions` (default: a new encrypted topic) and applies them to
   * its alarms; returns the topic notified, if any.
   * @internal
   */
  static _applyTo(
    scope: Construct,
    props: { alarmActions?: AlarmActionStrategy; encryptionKey?: kms.IKey; removalPolicy?: RemovalPolicy },
    alarms: cloudwatch.AlarmBase[],
  ): sns.ITopic | undefined {
    const bound = (props.alarmActions ?? AlarmActionStrategy.newEncryptedTopic())._bind(
      scope,
      props.encryptionKey,
      props.removalPolicy,
    );
    for (const alarm of alarms) applyAlarmActions(alarm, bound);
    return bound.topic;
  }
}

class NewTopicStrategy extends AlarmActionStrategy {
  /** @internal */
  _bind(scope: Construct, key?: kms.IKey, removalPolicy?: RemovalPolicy): BoundAlarmActions {
    const topic = key ? createAlarmTopic(scope, key) : RegionalDefaults.of(scope).alarmTopic(scope, removalPolicy);
    return { actions: [new cw_actions.SnsAction(topic)], topic };
  }
}

class ActionsStrategy extends AlarmActionStrategy {
  constructor(
    private readonly list: cloudwatch.IAlarmAction[],
    private readonly topic?: sns.ITopic,
  ) {
    super();
  }
  /** @internal */
  _bind(): BoundAlarmActions {
    return { actions: this.list, topic: this.topic };
  }
}

/** Props of `ReplicationAlarms`. */
export interface ReplicationAlarmsProps {
  /**
   * The source bucket whose replication rules are watched. S3 publishes the replication metrics
   * in each destination's region, and an alarm watches only metrics of its own region: the
   * construct must be in the region of a destination whose rule has metrics on (synth fails
   * otherwise), and alarms the rules of that region.
   */
  readonly replicatedBucket: ReplicatedBucket;

  /**
   * Alarm when replication latency exceeds this, for rules without Replication Time Control.
   * Rules with RTC always use 15 minutes, the RTC threshold. From 1 minute to 7 days.
   * @default Duration.minutes(30)
   */
  readonly latencyThreshold?: Duration;

  /**
   * Alarm when more operations than this wait to replicate. 0 or more.
   * @default 10000
   */
  readonly operationsPendingThreshold?: number;

  /**
   * Alarm when more bytes than this wait to replicate. 0 or more.
   * @default 10 GiB (10737418240)
   */
  readonly bytesPendingThreshold?: number;

  /**
   * Alarm when more operations than this failed to replicate within one period. 0 or more.
   * @default 0 (any failed operation)
   */
  readonly operationsFailedThreshold?: number;

  /**
   * One-minute periods evaluated by the latency and pending alarms; a whole number, at least 1.
   * @default 15
   */
  readonly evaluationPeriods?: number;

  /**
   * Breaching periods among `evaluationPeriods` that raise the latency and pending alarms; a
   * whole number from 1 to `evaluationPeriods`.
   * @default - equal to evaluationPeriods (a sustained breach)
   */
  readonly datapointsToAlarm?: number;

  /**
   * How missing data is treated. S3 publishes replication metrics only while there is
   * replication activity, so no data means nothing to replicate.
   * @default TreatMissingData.NOT_BREACHING
   */
  readonly treatMissingData?: cloudwatch.TreatMissingData;

  /**
   * What the alarms do on state changes (on ALARM and on OK).
   * @default AlarmActionStrategy.newEncryptedTopic(): the region's shared topic, KMS-encrypted
   * with the region's shared key and TLS-only, notified on ALARM and on OK (with
   * `encryptionKey`, a topic of this construct's own encrypted with that key)
   */
  readonly alarmActions?: AlarmActionStrategy;

  /**
   * Key for a topic of this construct's own (only with the default alarm actions: cannot be
   * combined with another `alarmActions`).
   * @default - the region's shared topic and key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the region's shared key and topic, when this construct creates them, when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The alarms of one rule: each undefined when its metric is published in another region. */
export interface RuleAlarms {
  /** The replication rule the alarms watch. */
  readonly rule: ReplicationRuleInfo;
  /**
   * Replication latency above the threshold.
   * @default - none: the metric is published in another region
   */
  readonly latency?: cloudwatch.Alarm;
  /**
   * Operations pending above the threshold.
   * @default - none: the metric is published in another region
   */
  readonly operationsPending?: cloudwatch.Alarm;
  /**
   * Bytes pending above the threshold.
   * @default - none: the metric is published in another region
   */
  readonly bytesPending?: cloudwatch.Alarm;
  /**
   * Operations failed above the threshold.
   * @default - none: the metric is published in another region
   */
  readonly operationsFailed?: cloudwatch.Alarm;
}

const GIB = 1024 * 1024 * 1024;

/**
 * CloudWatch alarms on replication latency, operations pending, bytes pending and operations
 * failed, for every replication rule of a `ReplicatedBucket` whose metrics S3 publishes in this
 * construct's region (`ReplicationAlarms.metricRegions` names those regions). Create it in the
 * stack of the destination region. Rules with Replication Time Control alarm
 * at 15 minutes of latency; others at `latencyThreshold`.
 */
export class ReplicationAlarms extends Construct {
  /**
   * The regions in which S3 publishes the replication metrics of one destination of a
   * replicated bucket (the only one when omitted): the stacks where `ReplicationAlarms` can
   * watch them. AWS publishes them in the destination bucket's region.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html
   */
  static metricRegions(replicatedBucket: ReplicatedBucket, destination?: ReplicationDestination): string[] {
    const rule = replicatedBucket.ruleFor(destination);
    const metrics = Object.keys(REPLICATION_METRIC_PUBLISHED_IN) as ReplicationMetricName[];
    return [...new Set(metrics.map((m) => replicationMetricRegion(replicatedBucket, rule, m)))];
  }

  /** One entry per rule with at least one alarm here. */
  readonly rules: RuleAlarms[];
  /** Every alarm created. */
  readonly alarms: cloudwatch.Alarm[];
  /** The topic notified, when the alarm actions have one. */
  readonly topic?: sns.ITopic;
  private readonly replicated: ReplicatedBucket;

  constructor(scope: Construct, id: string, props: ReplicationAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const replicated = props.replicatedBucket;
    this.replicated = replicated;
    throwIfInvalid(this, validateAlarmProps(stack, props));

    const bound = (props.alarmActions ?? AlarmActionStrategy.newEncryptedTopic())._bind(
      this,
      props.encryptionKey,
      props.removalPolicy,
    );
    this.topic = bound.topic;

    const metrics = new ReplicationMetricFactory(replicated);
    const factory = new ReplicationAlarmFactory(this, bound);
    const evaluationPeriods = props.evaluationPeriods ?? 15;
    const datapointsToAlarm = props.datapointsToAlarm ?? evaluationPeriods;
    const treatMissingData = props.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING;
    const here = (rule: ReplicationRuleInfo, m: ReplicationMetricName) =>
      replicationMetricRegion(replicated, rule, m) === stack.region;

    const rules: RuleAlarms[] = [];
    for (const rule of replicated.rules) {
      if (rule.destination.options.metrics === false) continue;
      const rtc = rule.destination.options.replicationTimeControl === true;
      const latencySeconds = rtc ? 900 : (props.latencyThreshold ?? Duration.minutes(30)).toSeconds();
      const name = `${replicated.node.path} -> ${rule.ruleId}`;
      const common = { evaluationPeriods, datapointsToAlarm, treatMissingData };
      const make = (m: ReplicationMetricName, spec: Omit<AlarmSpec, 'metric' | 'id'> & { id: string }) =>
        here(rule, m)
          ? factory.alarm({
              ...spec,
              id: `${rule.ruleId.replace(/\//g, '-')}${spec.id}`,
              metric: metrics.metric(rule, m),
            })
          : undefined;
      const entry: RuleAlarms = {
        rule,
        latency: make('ReplicationLatency', {
          id: 'Latency',
          threshold: latencySeconds,
          ...common,
          description: `Replication ${name}: latency above ${latencySeconds} s${rtc ? ' (the RTC 15-minute threshold)' : ''}`,
        }),
        operationsPending: make('OperationsPendingReplication', {
          id: 'OperationsPending',
          threshold: props.operationsPendingThreshold ?? 10_000,
          ...common,
          description: `Replication ${name}: more than ${props.operationsPendingThreshold ?? 10_000} operations pending`,
        }),
        bytesPending: make('BytesPendingReplication', {
          id: 'BytesPending',
          threshold: props.bytesPendingThreshold ?? 10 * GIB,
          ...common,
          description: `Replication ${name}: more than ${props.bytesPendingThreshold ?? 10 * GIB} bytes pending`,
        }),
        operationsFailed: make('OperationsFailedReplication', {
          id: 'OperationsFailed',
          threshold: props.operationsFailedThreshold ?? 0,
          evaluationPeriods: 1,
          datapointsToAlarm: 1,
          treatMissingData,
          description: `Replication ${name}: operations failed to replicate (see the replication failure events for the reason)`,
        }),
      };
      if (entry.latency || entry.operationsPending || entry.bytesPending || entry.operationsFailed) rules.push(entry);
    }
    this.rules = rules;
    this.alarms = rules.flatMap((r) =>
      [r.latency, r.operationsPending, r.bytesPending, r.operationsFailed].filter((a): a is cloudwatch.Alarm => !!a),
    );
    if (this.alarms.length === 0 && !Token.isUnresolved(stack.region)) {
      const regions = [
        ...new Set(
          replicated.rules
            .filter((r) => r.destination.options.metrics !== false)
            .flatMap((r) =>
              (Object.keys(REPLICATION_METRIC_PUBLISHED_IN) as ReplicationMetricName[]).map((m) =>
                replicationMetricRegion(replicated, r, m),
              ),
            ),
        ),
      ];
      throwIfInvalid(this, [
        {
          prop: 'scope',
          value: stack.region,
          problem:
            regions.length === 0
              ? 'no replication rule of the bucket publishes metrics (metrics: false on every destination)'
              : `S3 publishes none of these replication metrics in ${stack.region}, and an alarm can only watch a metric of its own region`,
          fix:
            regions.length === 0
              ? 'leave metrics on (the default) for the rules to watch'
              : `create ReplicationAlarms in a stack of ${regions.join(' or ')}`,
        },
      ]);
    }
  }

  /** The alarms of one destination (the only one when omitted). */
  forDestination(destination?: ReplicationDestination): RuleAlarms | undefined {
    const rule = this.replicated.ruleFor(destination);
    return this.rules.find((r) => r.rule === rule);
  }
}

function validateAlarmProps(stack: Stack, p: ReplicationAlarmsProps): PropProblem[] {
  const problems: PropProblem[] = [];
  const wholeAtLeast = (prop: string, v: number | undefined, min: number, fix: string) => {
    if (v !== undefined && (!Number.isInteger(v) || v < min)) {
      problems.push({ prop, value: v, problem: `must be a whole number of at least ${min}`, fix });
    }
  };
  wholeAtLeast('evaluationPeriods', p.evaluationPeriods, 1, 'use for example 15 (minutes)');
  wholeAtLeast('datapointsToAlarm', p.datapointsToAlarm, 1, 'use at most evaluationPeriods, for example 15');
  if (
    p.datapointsToAlarm !== undefined &&
    Number.isInteger(p.datapointsToAlarm) &&
    p.datapointsToAlarm > (p.evaluationPeriods ?? 15)
  ) {
    problems.push({
      prop: 'datapointsToAlarm',
      value: p.datapointsToAlarm,
      problem: `more than evaluationPeriods (${p.evaluationPeriods ?? 15}): the alarm could never fire`,
      fix: 'use datapointsToAlarm <= evaluationPeriods',
    });
  }
  for (const [prop, v] of [
    ['operationsPendingThreshold', p.operationsPendingThreshold],
    ['bytesPendingThreshold', p.bytesPendingThreshold],
    ['operationsFailedThreshold', p.operationsFailedThreshold],
  ] as const) {
    if (v !== undefined && !(v >= 0)) {
      problems.push({ prop, value: v, problem: 'must be 0 or more', fix: 'use 0 to alarm on any value above zero' });
    }
  }
  if (p.latencyThreshold && !p.latencyThreshold.isUnresolved()) {
    const s = p.latencyThreshold.toSeconds();
    if (s < 60 || s > 7 * 24 * 3600) {
      problems.push({
        prop: 'latencyThreshold',
        value: p.latencyThreshold.toHumanString(),
        problem: 'must be from 1 minute to 7 days (S3 publishes latency per minute)',
        fix: 'use the RPO of the data, for example Duration.minutes(30)',
      });
    }
  }
  if (p.encryptionKey && p.alarmActions && !(p.alarmActions instanceof NewTopicStrategy)) {
    problems.push({
      prop: 'encryptionKey',
      value: 'set',
      problem: 'only used for the new topic of the default alarm actions',
      fix: 'remove encryptionKey, or use AlarmActionStrategy.newEncryptedTopic()',
    });
  }
  void stack;
  return problems;
}
