import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import * as probe from '../../lambda/probe/contract';
import { CANARY_PREFIX } from '../../lambda/shared/reserved';
import { envEncoding } from '../private/env-encoding';
import { sameSideProblems } from '../private/pair-problems';
import { PropProblem, throwIfInvalid } from '../private/errors';
import { drRoleName, isCrossAccountSource, registerDrConsumer } from '../private/dr-access';
import { RoleOptions } from '../shared/handler-options';
import { keyThroughS3 } from '../private/kms-through-s3';
import { applyPermissionsBoundary } from '../private/permissions-boundary';
import { DrFunction, schedulerRole } from '../private/dr-function';
import { acknowledgeWildcardResources, INVOKER_WILDCARDS, WILDCARD_REASONS } from '../private/nag';
import { RegionalDefaults } from '../private/regional-defaults';
import { checkWholeNumber } from '../private/validate';
import { AlarmActionStrategy } from './replication-alarms';
import { ReplicationPair } from '../replication/replication-pair';

/** The N of M of the probe's source-unavailable and lag alarms. */
export interface ProbeConfirmation {
  /** Probes that must find the source unavailable (or the canary late) to raise the alarm (N). */
  readonly failing: number;
  /** Probes evaluated (M). */
  readonly window: number;
}

/**
 * Props of `ReplicationProbe`. The pair props come from `ReplicationPairs.of(...)`, and the
 * probe must be in a stack of `replicaRegion`.
 */
export interface ReplicationProbeProps extends ReplicationPair, RoleOptions {
  /**
   * Time between probes (EventBridge Scheduler `rate`): a whole number of minutes, at least 1.
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;
  /**
   * The RPO tier: alarm when a canary takes longer than this to appear in the replica. Whole
   * seconds, at least 1 second.
   * @default Duration.minutes(15) (the S3 RTC threshold)
   */
  readonly lagThreshold?: Duration;
  /**
   * How long each probe waits for its canary in the replica; a canary not seen by then counts
   * as not replicated (and so as lag above the threshold). Whole seconds, from 1 second to 14
   * minutes (a probe is one Lambda run, which must leave time to clean up), and shorter than
   * `interval`, so probes never overlap.
   * @default - the smallest of lagThreshold, interval minus 30 seconds, and 14 minutes
   */
  readonly lagDeadline?: Duration;
  /**
   * Probes that must find the source unavailable, among `unavailableWindow`, to raise the
   * source-unavailable alarm. A whole number from 1 to 100, at most `unavailableWindow`.
   * @default 3
   */
  readonly unavailableProbes?: number;
  /**
   * Probes evaluated by the source-unavailable and lag alarms. A whole number from 1 to 100.
   * @default 5
   */
  readonly unavailableWindow?: number;
  /**
   * More alarms of this region that mean "source region impaired" (for example the latency
   * alarm of `ReplicationAlarms`); any of them raises the composite alarm.
   * @default - only the probe's own alarms
   */
  readonly impairmentAlarms?: cloudwatch.IAlarm[];
  /**
   * Name of the probe: the `Probe` metric dimension and the canary sub-prefix. 1 to 64
   * letters, digits, dots, underscores and hyphens.
   * @default - the source bucket name, with any other character replaced by `-`
   */
  readonly probeName?: string;
  /**
   * What the alarms do on state changes (on ALARM and on OK).
   * @default AlarmActionStrategy.newEncryptedTopic(): the region's shared topic, KMS-encrypted
   * and TLS-only (with `encryptionKey`, a topic of this construct's own)
   */
  readonly alarmActions?: AlarmActionStrategy;
  /**
   * Key for the log group, the dead-letter queue and a topic of this construct's own.
   * @default - the region's shared key (and, with the default alarm actions, its shared topic)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Run the handler in this VPC (it needs routes to the AWS APIs it calls).
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * What happens to the construct's stateful resources (queues, key, topic) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An active replication probe in the replica region: on a schedule it writes one small canary
 * under the reserved `.cdk-s3-dr/canary/<probe>/` prefix of the source bucket, waits for it in
 * the replica, and publishes `SourceAvailable`, `SourceLatencyMs`, `ReplicationLagSeconds` and
 * `CanaryNotReplicated` (namespace `CdkS3Dr`, dimension `Probe`). It alarms when the source is
 * unavailable in N of M probes and when lag exceeds the RPO tier, and combines them into the
 * composite alarm "source region impaired" that a `FailoverController` watches.
 *
 * The source bucket lives in another region's stack, so it is named by literal props (a
 * `ReplicationPair`; `ReplicatedBucket` gives it a deterministic name): no cross-region
 * reference, no custom resource, and nothing here depends on the source region being up.
 */
export class ReplicationProbe extends Construct {
  /** The probe function (its role, log group and dead-letter queue are its properties). */
  readonly handler: lambda.Function;
  private readonly drFunction: DrFunction;
  /** Name of the probe: the `Probe` metric dimension and the canary sub-prefix. */
  readonly probeName: string;
  /** The pair probed. */
  readonly pair: ReplicationPair;
  /** Alarm: the source was unavailable in `unavailableProbes` of `unavailableWindow` probes. */
  readonly sourceUnavailableAlarm: cloudwatch.Alarm;
  /** Alarm: canaries took longer than the lag threshold, or did not arrive, in N of M probes. */
  readonly lagAlarm: cloudwatch.Alarm;
  /** Composite alarm "source region impaired": any of the probe's alarms and `impairmentAlarms`. */
  readonly sourceImpairedAlarm: cloudwatch.CompositeAlarm;
  /** The topic notified, when the alarm actions have one. */
  readonly topic?: sns.ITopic;
  /** The interval between probes. */
  readonly interval: Duration;
  /** The unavailable alarm's N of M. */
  readonly confirm: ProbeConfirmation;
  /** The lag threshold. */
  readonly lagThreshold: Duration;

  constructor(scope: Construct, id: string, props: ReplicationProbeProps) {
    super(scope, id);
    applyPermissionsBoundary(this, props.permissionsBoundary);
    const stack = Stack.of(this);
    throwIfInvalid(this, validateProbe(stack, props));

    this.pair = props;
    this.interval = props.interval ?? Duration.seconds(probe.DEFAULTS.intervalSeconds);
    this.lagThreshold = props.lagThreshold ?? Duration.seconds(probe.DEFAULTS.lagThresholdSeconds);
    const deadlineSeconds =
      props.lagDeadline?.toSeconds() ??
      Math.min(this.lagThreshold.toSeconds(), this.interval.toSeconds() - 30, probe.LIMITS.lagDeadlineSeconds.max);
    this.probeName = sanitize(props.probeName ?? props.sourceBucketName);
    this.confirm = {
      failing: props.unavailableProbes ?? probe.DEFAULTS.unavailableProbes,
      window: props.unavailableWindow ?? probe.DEFAULTS.unavailableWindow,
    };
    const key = props.encryptionKey ?? RegionalDefaults.of(this).key(this, props.removalPolicy);

    // A source in another account names this role in its policies: give it a fixed name.
    const roleName = isCrossAccountSource(this, props.sourceAccount) ? drRoleName(this) : undefined;
    this.drFunction = new DrFunction(this, 'Handler', {
      handler: 'probe',
      roleName,
      description: `Replication probe ${this.probeName}: canary from ${props.sourceRegion} to ${props.replicaRegion} (cdk-s3-dr)`,
      encryptionKey: key,
      // The deadline, then the source budget for the cleanup, with a margin.
      timeout: Duration.seconds(Math.min(900, deadlineSeconds + 60)),
      memorySize: 256,
      vpc: props.vpc,
      removalPolicy: props.removalPolicy,
      environment: probe.toEnv(
        {
          source: { bucket: props.sourceBucketName, region: props.sourceRegion },
          replica: { bucket: props.replicaBucketName, region: props.replicaRegion },
          probeName: this.probeName,
          lagDeadlineSeconds: deadlineSeconds,
          keep: probe.DEFAULTS.keep,
          sourceTimeoutSeconds: probe.DEFAULTS.sourceTimeoutSeconds,
        },
        envEncoding(stack),
      ),
    });
    this.handler = this.drFunction.function;
    this.grant(props);
    const canaries = `${CANARY_PREFIX}${this.probeName}/`;
    registerDrConsumer(this, {
      sourceBucketName: props.sourceBucketName,
      sourceRegion: props.sourceRegion,
      sourceAccount: props.sourceAccount,
      roleName,
      needs: [
        {
          kind: 'Probe',
          bucketActions: PROBE_SOURCE_BUCKET_ACTIONS,
          bucketConditions: canaryListCondition(canaries),
          objectActions: PROBE_SOURCE_OBJECT_ACTIONS,
          objectPrefix: canaries,
          keyActions: props.sourceKeyArn ? PROBE_SOURCE_KEY_ACTIONS : [],
        },
      ],
    });

    const invokeRole = schedulerRole(this);
    new scheduler.Schedule(this, 'Schedule', {
      description: `Replication probe ${this.probeName} (cdk-s3-dr)`,
      schedule: scheduler.ScheduleExpression.rate(this.interval),
      target: new targets.LambdaInvoke(this.handler, { retryAttempts: 0, role: invokeRole }),
    });
    acknowledgeWildcardResources(invokeRole.grantsPolicy!, INVOKER_WILDCARDS);

    const period = this.interval;
    this.sourceUnavailableAlarm = new cloudwatch.Alarm(this, 'SourceUnavailableAlarm', {
      alarmDescription: `The source s3://${props.sourceBucketName} (${props.sourceRegion}) was unavailable to the probe from ${stack.region} in ${this.confirm.failing} of ${this.confirm.window} probes`,
      metric: this.metricSourceAvailable({ period }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: this.confirm.window,
      datapointsToAlarm: this.confirm.failing,
      // No datapoint means the probe did not run: not evidence about the source.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const t = this.lagThreshold.toSeconds();
    this.lagAlarm = new cloudwatch.Alarm(this, 'LagAlarm', {
      alarmDescription: `Canaries from s3://${props.sourceBucketName} took longer than ${this.lagThreshold.toHumanString()} to appear in s3://${props.replicaBucketName}, or did not appear, in ${this.confirm.failing} of ${this.confirm.window} probes`,
      metric: new cloudwatch.MathExpression({
        expression: `IF(FILL(notReplicated, 0) >= 1 OR FILL(lag, 0) > ${t}, 1, 0)`,
        usingMetrics: {
          lag: this.metricReplicationLag({ period }),
          notReplicated: this.metricCanaryNotReplicated({ period }),
        },
        period,
        label: 'canary late or missing',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: this.confirm.window,
      datapointsToAlarm: this.confirm.failing,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.sourceImpairedAlarm = new cloudwatch.CompositeAlarm(this, 'SourceImpairedAlarm', {
      alarmDescription: `Source region ${props.sourceRegion} impaired for s3://${props.sourceBucketName}: the probe from ${stack.region} finds it unavailable or replication late`,
      alarmRule: cloudwatch.AlarmRule.anyOf(
        this.sourceUnavailableAlarm,
        this.lagAlarm,
        ...(props.impairmentAlarms ?? []),
      ),
    });

    this.topic = AlarmActionStrategy._applyTo(this, props, [
      this.sourceUnavailableAlarm,
      this.lagAlarm,
      this.sourceImpairedAlarm,
    ]);
  }

  /** A metric the probe publishes (namespace `CdkS3Dr`, dimension `Probe`, in this region). */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: probe.METRICS.namespace,
      metricName,
      dimensionsMap: { [probe.METRICS.dimension]: this.probeName },
      period: this.interval,
      ...props,
    });
  }

  /** 1 when the source answered the probe, 0 when not. @default Minimum over the interval */
  metricSourceAvailable(props?: cloudwatch.MetricOptions) {
    return this.metric(probe.METRICS.sourceAvailable, { statistic: 'Minimum', ...props });
  }

  /** Milliseconds of the canary PUT to the source, from the replica region. @default Maximum over the interval */
  metricSourceLatency(props?: cloudwatch.MetricOptions) {
    return this.metric(probe.METRICS.sourceLatencyMs, { statistic: 'Maximum', ...props });
  }

  /** Seconds until the canary appeared in the replica. @default Maximum over the interval */
  metricReplicationLag(props?: cloudwatch.MetricOptions) {
    return this.metric(probe.METRICS.replicationLagSeconds, { statistic: 'Maximum', ...props });
  }

  /** 1 when a canary was written but not seen in the replica by the deadline. @default Maximum over the interval */
  metricCanaryNotReplicated(props?: cloudwatch.MetricOptions) {
    return this.metric(probe.METRICS.canaryNotReplicated, { statistic: 'Maximum', ...props });
  }

  /**
   * Least privilege: write and clean up canaries only under the probe's own canary prefix of
   * the source (PutObject, HeadObject = s3:GetObject, ListObjectVersions limited to that prefix
   * by s3:prefix, DeleteObjects by version = s3:DeleteObjectVersion), and HEAD canaries only under
   * that prefix of the replica.
   */
  private grant(props: ReplicationProbeProps) {
    const stack = Stack.of(this);
    const arn = (b: string) => `arn:${stack.partition}:s3:::${b}`;
    const prefix = `${CANARY_PREFIX}${this.probeName}/`;
    const policy = new iam.ManagedPolicy(this, 'ProbePolicy', {
      description: `Replication probe ${this.node.path}: canaries under ${prefix} only`,
      roles: [this.drFunction.role],
    });
    policy.addStatements(
      new iam.PolicyStatement({
        sid: 'WriteReadRemoveOwnCanaries',
        actions: PROBE_SOURCE_OBJECT_ACTIONS,
        resources: [`${arn(props.sourceBucketName)}/${prefix}*`],
      }),
      new iam.PolicyStatement({
        sid: 'ListOwnCanaryVersions',
        actions: PROBE_SOURCE_BUCKET_ACTIONS,
        resources: [arn(props.sourceBucketName)],
        conditions: canaryListCondition(prefix),
      }),
      new iam.PolicyStatement({
        sid: 'SeeCanariesInReplica',
        actions: ['s3:GetObject'],
        resources: [`${arn(props.replicaBucketName)}/${prefix}*`],
      }),
    );
    // A PUT to an SSE-KMS bucket needs kms:GenerateDataKey; HEAD requests decrypt nothing, so the
    // replica key needs no grant at all.
    for (const [sid, keyArn, region, actions] of [
      ['EncryptCanariesInSource', props.sourceKeyArn, props.sourceRegion, PROBE_SOURCE_KEY_ACTIONS],
    ] as const) {
      if (!keyArn) continue;
      policy.addStatements(keyThroughS3({ sid, keyArn, region, actions }));
    }
    acknowledgeWildcardResources(policy, {
      's3-objects': WILDCARD_REASONS.PROBE_CANARIES,
      'kms-keys-by-alias': WILDCARD_REASONS.PROBE_SOURCE_KEY_BY_ALIAS,
    });
  }
}

/** What a probe does on the source: canaries under its own prefix, written with the source key through S3. */
const PROBE_SOURCE_BUCKET_ACTIONS = ['s3:ListBucketVersions'];
const PROBE_SOURCE_OBJECT_ACTIONS = ['s3:PutObject', 's3:GetObject', 's3:DeleteObjectVersion'];
const PROBE_SOURCE_KEY_ACTIONS = ['kms:GenerateDataKey'];

/** Listing versions only under the probe's own canary prefix. */
function canaryListCondition(prefix: string) {
  return { StringLike: { 's3:prefix': [prefix, `${prefix}*`] } };
}

function sanitize(name: string): string {
  if (Token.isUnresolved(name)) return name;
  return name.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
}

function validateProbe(stack: Stack, p: ReplicationProbeProps): PropProblem[] {
  const problems: PropProblem[] = [...sameSideProblems(stack, p)];
  const interval = p.interval && !p.interval.isUnresolved() ? p.interval.toSeconds() : probe.DEFAULTS.intervalSeconds;
  if (p.interval && !p.interval.isUnresolved() && (interval < 60 || interval % 60 !== 0)) {
    problems.push({
      prop: 'interval',
      value: p.interval.toHumanString(),
      problem: 'must be a whole number of minutes, at least 1 minute (EventBridge Scheduler rates are in minutes)',
      fix: 'use for example Duration.minutes(5)',
    });
  }
  const threshold =
    p.lagThreshold && !p.lagThreshold.isUnresolved() ? p.lagThreshold.toSeconds({ integral: false }) : 1;
  if (!Number.isInteger(threshold) || threshold < 1) {
    problems.push({
      prop: 'lagThreshold',
      value: p.lagThreshold!.toHumanString(),
      problem: 'must be whole seconds, at least 1 second (the alarm threshold is in seconds)',
      fix: 'use the RPO tier, for example Duration.minutes(15)',
    });
  }
  if (p.lagDeadline && !p.lagDeadline.isUnresolved()) {
    const d = p.lagDeadline.toSeconds({ integral: false });
    const { min, max } = probe.LIMITS.lagDeadlineSeconds;
    if (!Number.isInteger(d) || d < min || d > max || d >= interval) {
      problems.push({
        prop: 'lagDeadline',
        value: p.lagDeadline.toHumanString(),
        problem: `must be whole seconds from ${Duration.seconds(min).toHumanString()} to ${Duration.seconds(max).toHumanString()} and shorter than the interval (${interval} s), so probes never overlap`,
        fix: `use at most ${Math.min(max, interval - 30)} seconds, or a longer interval`,
      });
    }
  }
  const failing = p.unavailableProbes ?? probe.DEFAULTS.unavailableProbes;
  const window = p.unavailableWindow ?? probe.DEFAULTS.unavailableWindow;
  for (const [prop, v] of [
    ['unavailableProbes', p.unavailableProbes],
    ['unavailableWindow', p.unavailableWindow],
  ] as const) {
    problems.push(
      ...checkWholeNumber(
        prop,
        v,
        probe.LIMITS.unavailableProbes.min,
        probe.LIMITS.unavailableProbes.max,
        'use for example 3 of 5',
      ),
    );
  }
  if (Number.isInteger(failing) && Number.isInteger(window) && failing > window) {
    problems.push({
      prop: 'unavailableProbes',
      value: failing,
      problem: `more than unavailableWindow (${window}): the alarm could never fire`,
      fix: 'use unavailableProbes <= unavailableWindow, for example 3 of 5',
    });
  }
  if (p.probeName !== undefined && !Token.isUnresolved(p.probeName) && !probe.PROBE_NAME.test(p.probeName)) {
    problems.push({
      prop: 'probeName',
      value: p.probeName,
      problem: 'must be 1-64 letters, digits, dots, underscores and hyphens (a metric dimension and a key prefix)',
      fix: `use for example "${p.probeName.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64) || 'orders'}"`,
    });
  }
  return problems;
}
