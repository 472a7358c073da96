import { Duration, RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { sameSideProblems } from '../private/pair-problems';
import { PropProblem, throwIfInvalid } from '../private/errors';
import { DrFunction, grantPutUnder, grantReadUnder, schedulerRole } from '../private/dr-function';
import { drRoleName, isCrossAccountSource, registerDrConsumer } from '../private/dr-access';
import { applyPermissionsBoundary } from '../private/permissions-boundary';
import { acknowledgeGuard, GUARD } from '../private/guard';
import { ManagedPolicyRole, replaceInlinePolicy } from '../private/managed-policy-role';
import { acknowledge, acknowledgeWildcardResources, INVOKER_WILDCARDS, NAG, WILDCARD_REASONS } from '../private/nag';
import { arnPattern, servicePrincipal } from '../private/service-principal';
import { handlerDefaults } from '../private/regional-defaults';
import {
  checkBucketName,
  checkKeyArn,
  checkLagWindow,
  checkPrefix,
  checkSameRegion,
  checkSchedule,
  checkWholeNumber,
} from '../private/validate';
import { HandlerOptions } from '../shared/handler-options';
import * as audit from '../../lambda/audit/contract';
import { envEncoding } from '../private/env-encoding';
import { AlarmActionStrategy } from '../monitoring/replication-alarms';
import { ReplicationPair } from '../replication/replication-pair';
import { InventoryLocation } from './audit-inventory';
import { keyThroughS3 } from '../private/kms-through-s3';
import { auditActions, auditReadStatements } from '../private/repair-grants';

/** What a consistency audit compares. */
export enum AuditMode {
  /** Current objects only: the latest version of each key (one listing per side). */
  CURRENT = 'current',
  /** Every version and delete marker (lists object versions on both sides). */
  VERSIONS = 'versions',
}

/**
 * Props of `ConsistencyAudit`. The pair props (`sourceBucketName`, `sourceRegion`,
 * `sourceKeyArn`, `replicaBucketName`, `replicaRegion`, `replicaKeyArn`, `prefix`) come from
 * `ReplicationPairs.of(...)`. Reports go to `reportsBucket` under `audits/`.
 */
export interface ConsistencyAuditProps extends ReplicationPair, HandlerOptions {
  /**
   * When the audit runs: an EventBridge Scheduler expression, `rate(...)` (a whole number of
   * minutes, hours or days), `cron(...)` with six fields, or a one-time `at(...)`.
   * @default - every day (`rate(1 day)`)
   * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
   */
  readonly schedule?: scheduler.ScheduleExpression;
  /**
   * Differences younger than this are reported as `pending`, not as faults. Whole seconds, at
   * most 7 days (a longer window hides real replication faults).
   * @default Duration.minutes(15)
   */
  readonly lagWindow?: Duration;
  /**
   * Compare every version and delete marker (`AuditMode.VERSIONS`), or current objects only
   * (`AuditMode.CURRENT`).
   * @default AuditMode.CURRENT
   */
  readonly mode?: AuditMode;
  /**
   * Whether the rule replicates delete markers. When false (the library's default), an object
   * deleted in the source but still in the replica is expected, not a discrepancy.
   * @default false
   */
  readonly deleteMarkerReplication?: boolean;
  /**
   * How many ranges of about equal size each run splits the key space into, audited in parallel by
   * a Step Functions Distributed Map, for buckets that outgrow one Lambda run. A first step of the
   * state machine chooses the ranges: from the page boundaries the previous run saved in the
   * reports bucket, or on the first run from a sample of the source (at most 20 list requests).
   * A whole number from 1 to 10,000; cannot be combined with `keyRangeBoundaries`.
   * @default 1 - one range: the whole bucket, continued from checkpoints across invocations
   */
  readonly rangeCount?: number;
  /**
   * Boundary keys that fix the ranges instead of letting each run choose them (`rangeCount`);
   * `['g', 'n']` gives three ranges. Sorted ascending in S3 (UTF-8 byte) order, each key once,
   * none empty. Cannot be combined with `rangeCount`.
   * @default - the ranges are chosen by each run (`rangeCount`)
   */
  readonly keyRangeBoundaries?: string[];
  /**
   * Ranges audited at once, a whole number from 1 to 1,000. When the audit is split into ranges
   * (`rangeCount` above 1 or `keyRangeBoundaries`), this is also the audit function's reserved
   * concurrency; a single-range audit reserves 1.
   * @default 4
   */
  readonly maxConcurrency?: number;
  /**
   * Alarm when an audit finds more discrepancies than this (pending differences excluded).
   * 0 or more.
   * @default 0
   */
  readonly discrepancyThreshold?: number;
  /**
   * Name in reports and the `Audit` metric dimension.
   * @default - the source bucket name
   */
  readonly auditName?: string;
  /**
   * Audit from S3 Inventory reports instead of listing both buckets: where the source bucket's
   * inventory is delivered (in the source region; `AuditInventory.location`). Each run reads the
   * newest complete report of each side, compares them, reads every differing key again live on
   * both buckets (so the report is what a listing audit gives), and writes the FAILED
   * replications as an S3 Batch Operations manifest beside the report. One invocation of at most
   * 15 minutes: cannot be combined with `rangeCount` or `keyRangeBoundaries`. Needs
   * `replicaInventory`.
   * @default - a listing audit
   */
  readonly sourceInventory?: InventoryLocation;
  /**
   * Where the replica bucket's inventory is delivered (in the replica region, for example under
   * `inventory/` of the audit's reports bucket). Needs `sourceInventory`.
   * @default - a listing audit
   */
  readonly replicaInventory?: InventoryLocation;
}

/**
 * A scheduled, read-only consistency audit of a replica against its source, deployed in the
 * replica region (the side that survives a source outage): the construct must be in a stack of
 * `replicaRegion`, with an explicit region. A Step Functions state machine runs
 * the audit handler, passing its checkpoint back until the range is complete (a run continues
 * past Lambda's 15 minutes), and fans ranges out on a Distributed Map when boundaries are given.
 * The handler may only list and read (HEAD) both buckets and write to the reports bucket.
 */
export class ConsistencyAudit extends Construct {
  /** The audit function (its role, log group and dead-letter queue are its properties). */
  readonly handler: lambda.Function;
  private readonly drFunction: DrFunction;
  /** The state machine running an audit to completion (and the ranges in parallel). */
  readonly stateMachine: sfn.StateMachine;
  /** Where the audit writes its reports (`audits/`). */
  readonly reportsBucket: s3.IBucket;
  /** Name in reports and the `Audit` metric dimension. */
  readonly auditName: string;
  /** Alarm: discrepancies above the threshold. */
  readonly discrepancyAlarm: cloudwatch.Alarm;
  /** Alarm: an audit execution failed (could not complete). */
  readonly failedRunAlarm: cloudwatch.Alarm;
  /** The topic the alarms notify, when the alarm actions have one (by default the region's shared topic). */
  readonly alarmTopic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: ConsistencyAuditProps) {
    super(scope, id);
    applyPermissionsBoundary(this, props.permissionsBoundary);
    const stack = Stack.of(this);
    throwIfInvalid(this, validateAudit(stack, props));

    const { key, reportsBucket } = handlerDefaults(this, props);
    this.reportsBucket = reportsBucket;
    this.auditName = props.auditName ?? props.sourceBucketName;
    const ranges = rangesFrom(props.keyRangeBoundaries);
    const rangeCount = ranges.length > 1 ? undefined : props.rangeCount;
    const distributed = ranges.length > 1 || (rangeCount ?? 1) > 1;
    const maxConcurrency = props.maxConcurrency ?? audit.DEFAULTS.maxConcurrency;
    const prefix = props.prefix ?? '';

    // A source in another account names this role in its policies: give it a fixed name.
    const roleName = isCrossAccountSource(this, props.sourceAccount) ? drRoleName(this) : undefined;
    this.drFunction = new DrFunction(this, 'Handler', {
      handler: 'audit',
      roleName,
      description: `Consistency audit of ${this.auditName} (cdk-s3-dr, read-only)`,
      encryptionKey: key,
      timeout: Duration.minutes(15),
      memorySize: props.memorySize ?? 1024,
      reservedConcurrentExecutions: distributed ? maxConcurrency : 1,
      // An inventory audit sorts each side's report on disk (15 to 60 bytes a row): all of /tmp.
      ephemeralStorageSize: props.sourceInventory && props.replicaInventory ? Size.gibibytes(10) : undefined,
      vpc: props.vpc,
      removalPolicy: props.removalPolicy,
      environment: audit.toEnv(
        {
          name: this.auditName,
          source: { bucket: props.sourceBucketName, region: props.sourceRegion, prefix },
          replica: { bucket: props.replicaBucketName, region: props.replicaRegion, prefix },
          reportsBucket: this.reportsBucket.bucketName,
          reportsRegion: stack.region,
          reportsPrefix: audit.DEFAULTS.reportsPrefix,
          lagWindowSeconds: props.lagWindow?.toSeconds() ?? audit.DEFAULTS.lagWindowSeconds,
          mode: props.mode ?? audit.DEFAULTS.mode,
          deleteMarkerReplication: props.deleteMarkerReplication ?? audit.DEFAULTS.deleteMarkerReplication,
          ...(props.sourceInventory && props.replicaInventory
            ? {
                sourceInventory: { bucket: props.sourceInventory.bucketName, prefix: props.sourceInventory.prefix },
                replicaInventory: { bucket: props.replicaInventory.bucketName, prefix: props.replicaInventory.prefix },
              }
            : {}),
        },
        envEncoding(stack),
      ),
    });
    this.handler = this.drFunction.function;
    this.grantReadOnly(props);
    this.grantInventoryRead(props);
    const { list, head } = auditActions(props.mode === AuditMode.VERSIONS);
    registerDrConsumer(this, {
      sourceBucketName: props.sourceBucketName,
      sourceRegion: props.sourceRegion,
      sourceAccount: props.sourceAccount,
      roleName,
      needs: [{ kind: 'Audit', bucketActions: list, objectActions: head, objectPrefix: prefix, keyActions: [] }],
    });
    // Each invocation reads back the records it wrote to build its report, and the merge step of
    // a distributed run reads the ranges' reports: read and write under audits/ only.
    grantPutUnder(this.drFunction.role, this.reportsBucket, audit.DEFAULTS.reportsPrefix);
    grantReadUnder(this.drFunction.role, this.reportsBucket, audit.DEFAULTS.reportsPrefix);
    acknowledgeWildcardResources(this.drFunction.role.grantsPolicy!, {
      's3-objects': WILDCARD_REASONS.AUDIT_REPORTS,
    });

    this.stateMachine = this.buildStateMachine(ranges, rangeCount, maxConcurrency, key, props.removalPolicy);

    const startRole = schedulerRole(this);
    new scheduler.Schedule(this, 'Schedule', {
      description: `Consistency audit of ${this.auditName} (cdk-s3-dr)`,
      schedule: props.schedule ?? scheduler.ScheduleExpression.rate(Duration.days(1)),
      target: new targets.StepFunctionsStartExecution(this.stateMachine, {
        role: startRole,
        input: scheduler.ScheduleTargetInput.fromObject(
          ranges.length > 1 ? { ranges: ranges.map((range) => ({ range })) } : {},
        ),
        retryAttempts: 2,
      }),
    });

    this.discrepancyAlarm = new cloudwatch.Alarm(this, 'DiscrepanciesAlarm', {
      alarmDescription: `The consistency audit of ${this.auditName} found discrepancies between source and replica (report in ${this.reportsBucket.bucketName}/${audit.DEFAULTS.reportsPrefix})`,
      metric: this.metricDiscrepancies(),
      threshold: props.discrepancyThreshold ?? audit.DEFAULTS.discrepancyThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.failedRunAlarm = new cloudwatch.Alarm(this, 'FailedRunAlarm', {
      alarmDescription: `A consistency audit run of ${this.auditName} could not complete (a region unreachable, permissions, a bug): see the state machine's execution history`,
      metric: this.stateMachine.metricFailed({ period: Duration.hours(1), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarmTopic = AlarmActionStrategy._applyTo(this, props, [this.discrepancyAlarm, this.failedRunAlarm]);
  }

  /** A metric the audit handler publishes (namespace `CdkS3Dr`, dimension `Audit`). */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: audit.METRICS.namespace,
      metricName,
      dimensionsMap: { [audit.METRICS.dimension]: this.auditName },
      period: Duration.hours(1),
      statistic: 'Sum',
      ...props,
    });
  }

  /** Discrepancies found (pending excluded). @default Sum over 1 hour */
  metricDiscrepancies(props?: cloudwatch.MetricOptions) {
    return this.metric(audit.METRICS.discrepancies, props);
  }

  /** Age of the oldest source change not yet on the replica. @default Maximum over 1 hour */
  metricMaxObservedLag(props?: cloudwatch.MetricOptions) {
    return this.metric(audit.METRICS.maxObservedLagSeconds, { statistic: 'Maximum', ...props });
  }

  /** Read-only on both sides: list, and HEAD (s3:GetObject) for evidence. No KMS: lists and HEADs decrypt nothing. */
  private grantReadOnly(props: ConsistencyAuditProps) {
    const stack = Stack.of(this);
    const policy = new iam.ManagedPolicy(this, 'ReadOnlyPolicy', {
      description: `Read-only access of the consistency audit ${this.node.path} to the audited buckets`,
      roles: [this.drFunction.role],
    });
    policy.addStatements(...auditReadStatements(stack, props, auditActions(props.mode === AuditMode.VERSIONS)));
    acknowledgeWildcardResources(policy, {
      's3-objects': WILDCARD_REASONS.AUDIT_READ,
    });
  }

  /**
   * Read access to the two inventory folders only: list under the folder, get the objects in it,
   * and the reports' KMS key through S3 in its region, for that bucket only.
   */
  private grantInventoryRead(props: ConsistencyAuditProps) {
    if (!props.sourceInventory || !props.replicaInventory) return;
    const stack = Stack.of(this);
    const policy = new iam.ManagedPolicy(this, 'InventoryReadPolicy', {
      description: `Read access of the consistency audit ${this.node.path} to the S3 Inventory reports of both buckets`,
      roles: [this.drFunction.role],
    });
    for (const [side, loc, region] of [
      ['Source', props.sourceInventory, props.sourceRegion],
      ['Replica', props.replicaInventory, props.replicaRegion],
    ] as const) {
      const arn = `arn:${stack.partition}:s3:::${loc.bucketName}`;
      policy.addStatements(
        new iam.PolicyStatement({
          sid: `List${side}Inventory`,
          actions: ['s3:ListBucket'],
          resources: [arn],
          conditions: { StringLike: { 's3:prefix': [`${loc.prefix}*`] } },
        }),
        new iam.PolicyStatement({
          sid: `Read${side}Inventory`,
          actions: ['s3:GetObject'],
          resources: [`${arn}/${loc.prefix}*`],
        }),
      );
      if (loc.keyArn) {
        policy.addStatements(
          keyThroughS3({
            sid: `Decrypt${side}Inventory`,
            keyArn: loc.keyArn,
            region,
            actions: ['kms:Decrypt'],
            bucketArns: [arn],
          }),
        );
      }
    }
    acknowledgeWildcardResources(policy, {
      's3-objects': WILDCARD_REASONS.AUDIT_INVENTORY,
      'kms-keys-by-alias': WILDCARD_REASONS.AUDIT_INVENTORY_KEY_BY_ALIAS,
    });
  }

  private buildStateMachine(
    ranges: RangeItem[],
    rangeCount: number | undefined,
    maxConcurrency: number,
    key: kms.IKey,
    removalPolicy?: RemovalPolicy,
  ) {
    // One range to completion: invoke, and while the handler returns a checkpoint, invoke again with it.
    const rangeLoop = (suffix: string) => {
      const invoke = new tasks.LambdaInvoke(this, `AuditRange${suffix}`, {
        lambdaFunction: this.handler,
        // No payload: the state input goes to the handler as it is. (`TaskInput.fromJsonPathAt('$')`
        // with payloadResponseOnly renders `"Parameters": "$"`, which sends the string "$".)
        payloadResponseOnly: true,
        retryOnServiceExceptions: true,
        comment: 'Audits until the time budget runs out; returns a checkpoint when partial',
      });
      const cont = new sfn.Pass(this, `ContinueFromCheckpoint${suffix}`, {
        parameters: { 'range.$': '$.checkpoint.range', 'checkpoint.$': '$.checkpoint' },
      });
      const done = new sfn.Succeed(this, `RangeComplete${suffix}`);
      return invoke.next(
        new sfn.Choice(this, `Partial${suffix}`)
          .when(sfn.Condition.stringEquals('$.status', 'partial'), cont.next(invoke))
          .otherwise(done),
      );
    };

    let definition: sfn.IChainable;
    if (ranges.length > 1 || (rangeCount ?? 1) > 1) {
      const map = new sfn.DistributedMap(this, 'AuditRanges', {
        itemsPath: '$.ranges',
        // Every range of one execution reports under the execution's name; the merge step, not
        // each range, emits the run's metrics.
        itemSelector: {
          range: sfn.JsonPath.objectAt('$$.Map.Item.Value.range'),
          runId: sfn.JsonPath.stringAt('$$.Execution.Name'),
          emitMetrics: false,
        },
        maxConcurrency,
        comment: 'Audits key ranges in parallel',
        resultPath: sfn.JsonPath.DISCARD,
      });
      map.itemProcessor(rangeLoop('InRange'));
      const merge = new tasks.LambdaInvoke(this, 'MergeRangeReports', {
        lambdaFunction: this.handler,
        payload: sfn.TaskInput.fromObject({
          merge: {
            runId: sfn.JsonPath.stringAt('$$.Execution.Name'),
            ranges: sfn.JsonPath.listAt('$.ranges[*].range'),
          },
        }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: true,
        comment: "Merges the ranges' reports into one report for the run and emits its metrics",
      });
      if (ranges.length > 1) {
        definition = map.next(merge);
      } else {
        // The ranges choose themselves: a first step splits the key space into rangeCount ranges of
        // about equal size and returns them as the map's items ({ ranges: [{ range }] }).
        const plan = new tasks.LambdaInvoke(this, 'PlanRanges', {
          lambdaFunction: this.handler,
          payload: sfn.TaskInput.fromObject({ plan: { count: rangeCount } }),
          payloadResponseOnly: true,
          retryOnServiceExceptions: true,
          comment:
            "Splits the key space into ranges of about equal size (the previous run's page boundaries, or a sample)",
        });
        definition = plan.next(map).next(merge);
      }
    } else {
      definition = rangeLoop('');
    }
    const logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      encryptionKey: key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const sm = new sfn.StateMachine(this, 'StateMachine', {
      role: new ManagedPolicyRole(this, 'StateMachineRole', {
        assumedBy: servicePrincipal(this, 'states.amazonaws.com', arnPattern(this, 'states', 'stateMachine:*')),
      }),
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      comment: `Consistency audit of ${this.auditName} (cdk-s3-dr)`,
      timeout: Duration.hours(24),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledge(sm, NAG.STATE_MACHINE_NO_XRAY);
    acknowledgeGuard(sm, GUARD.STATE_MACHINE_NO_XRAY);
    acknowledgeWildcardResources((sm.role as ManagedPolicyRole).grantsPolicy!, INVOKER_WILDCARDS);
    const mapPolicy = replaceInlinePolicy(
      sm,
      'DistributedMapPolicy',
      sm.role,
      `What the Distributed Map of ${sm.node.path} needs to run its child executions (cdk-s3-dr)`,
    );
    if (mapPolicy) {
      acknowledgeWildcardResources(mapPolicy, {
        'state-machine-executions': WILDCARD_REASONS.DISTRIBUTED_MAP_EXECUTIONS,
      });
    }
    return sm;
  }
}

/** What an audit may do on each bucket: list, and HEAD (s3:GetObject); versions too in mode VERSIONS. */
interface RangeItem {
  readonly startAfter?: string;
  readonly endAt?: string;
}

function rangesFrom(boundaries: string[] | undefined): RangeItem[] {
  if (!boundaries || boundaries.length === 0) return [{}];
  const b = boundaries;
  return [
    { endAt: b[0] },
    ...b.slice(1).map((end, i) => ({ startAfter: b[i], endAt: end })),
    { startAfter: b[b.length - 1] },
  ];
}

function validateAudit(stack: Stack, props: ConsistencyAuditProps): PropProblem[] {
  const problems: PropProblem[] = [
    ...checkPrefix('prefix', props.prefix),
    ...checkSchedule('schedule', props.schedule),
    ...checkSameRegion(
      'reportsBucket',
      'the reports bucket',
      props.reportsBucket?.env.region,
      stack.region,
      props.reportsBucket?.bucketName,
    ),
  ];
  const b = props.keyRangeBoundaries ?? [];
  for (let i = 1; i < b.length; i++) {
    if (Buffer.compare(Buffer.from(b[i - 1]), Buffer.from(b[i])) >= 0) {
      problems.push({
        prop: `keyRangeBoundaries[${i}]`,
        value: b[i],
        problem: `not after "${b[i - 1]}" in S3 (UTF-8 byte) order`,
        fix: 'list boundary keys once each, sorted ascending',
      });
    }
  }
  if (b.some((k) => k === '')) {
    problems.push({
      prop: 'keyRangeBoundaries',
      value: b,
      problem: 'an empty boundary makes an empty range',
      fix: 'remove the empty string',
    });
  }
  if (props.mode !== undefined && !audit.AUDIT_MODES.includes(props.mode)) {
    problems.push({
      prop: 'mode',
      value: props.mode,
      problem: 'unknown audit mode',
      fix: 'use AuditMode.CURRENT or AuditMode.VERSIONS',
    });
  }
  problems.push(
    ...checkWholeNumber(
      'maxConcurrency',
      props.maxConcurrency,
      audit.LIMITS.maxConcurrency.min,
      audit.LIMITS.maxConcurrency.max,
      `use for example ${audit.DEFAULTS.maxConcurrency}`,
    ),
  );
  problems.push(...checkWholeNumber('rangeCount', props.rangeCount, 1, 10_000, 'use for example 8'));
  if (props.rangeCount !== undefined && b.length > 0) {
    problems.push({
      prop: 'rangeCount',
      value: props.rangeCount,
      problem: 'keyRangeBoundaries already fixes the ranges',
      fix: 'give rangeCount to let each run choose its ranges, or keyRangeBoundaries to fix them, not both',
    });
  }
  if (props.discrepancyThreshold !== undefined && !(props.discrepancyThreshold >= 0)) {
    problems.push({
      prop: 'discrepancyThreshold',
      value: props.discrepancyThreshold,
      problem: 'must be 0 or more',
      fix: 'use 0 to alarm on any discrepancy',
    });
  }
  problems.push(...checkLagWindow('lagWindow', props.lagWindow));
  problems.push(...sameSideProblems(stack, props));
  problems.push(...inventoryProblems(props));
  return problems;
}

function inventoryProblems(props: ConsistencyAuditProps): PropProblem[] {
  const problems: PropProblem[] = [];
  const { sourceInventory: s, replicaInventory: r } = props;
  if ((s === undefined) !== (r === undefined)) {
    const [given, missing] = s ? ['sourceInventory', 'replicaInventory'] : ['replicaInventory', 'sourceInventory'];
    problems.push({
      prop: missing,
      value: undefined,
      problem: `${given} is given: an inventory audit reads both sides' reports`,
      fix: `give ${missing} too (AuditInventory.location of the other bucket), or neither for a listing audit`,
    });
  }
  if (s || r) {
    if (props.rangeCount !== undefined && props.rangeCount > 1) {
      problems.push({
        prop: 'rangeCount',
        value: props.rangeCount,
        problem: 'an inventory audit runs in one invocation over the whole prefix',
        fix: 'leave rangeCount unset with sourceInventory and replicaInventory, or audit by listing in ranges',
      });
    }
    if (props.keyRangeBoundaries !== undefined && props.keyRangeBoundaries.length > 0) {
      problems.push({
        prop: 'keyRangeBoundaries',
        value: props.keyRangeBoundaries,
        problem: 'an inventory audit runs in one invocation over the whole prefix',
        fix: 'leave keyRangeBoundaries unset with sourceInventory and replicaInventory, or audit by listing in ranges',
      });
    }
  }
  for (const [name, loc] of [
    ['sourceInventory', s],
    ['replicaInventory', r],
  ] as const) {
    if (!loc) continue;
    problems.push(...checkBucketName(`${name}.bucketName`, loc.bucketName));
    problems.push(...checkKeyArn(`${name}.keyArn`, loc.keyArn));
    if (
      !Token.isUnresolved(loc.prefix) &&
      (loc.prefix === '' || !loc.prefix.endsWith('/') || /[*?]/.test(loc.prefix))
    ) {
      problems.push({
        prop: `${name}.prefix`,
        value: loc.prefix,
        problem: 'not the folder of an inventory configuration',
        fix: 'write <destination prefix><inventoried bucket>/<configuration id>/, for example inventory/my-bucket/cdk-s3-dr-audit/ (AuditInventory.location gives it)',
      });
    }
  }
  return problems;
}
