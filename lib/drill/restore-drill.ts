import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import * as drill from '../../lambda/drill/contract';
import { envEncoding } from '../private/env-encoding';
import { sameSideProblems } from '../private/pair-problems';
import { PropProblem, throwIfInvalid } from '../private/errors';
import { drRoleName, isCrossAccountSource, registerDrConsumer } from '../private/dr-access';
import { keyThroughS3 } from '../private/kms-through-s3';
import { applyPermissionsBoundary } from '../private/permissions-boundary';
import { DrFunction, grantPutUnder, schedulerRole } from '../private/dr-function';
import { acknowledge, acknowledgeWildcardResources, INVOKER_WILDCARDS, NAG, WILDCARD_REASONS } from '../private/nag';
import { acknowledgeGuard, GUARD } from '../private/guard';
import { handlerDefaults } from '../private/regional-defaults';
import { createAccessLogsBucket, secureDataBucketProps, sendAccessLogs } from '../private/secure-bucket';
import {
  checkDuration,
  checkOwnPrefix,
  checkPrefix,
  checkSameRegion,
  checkSchedule,
  checkWholeNumber,
  prefixesOverlap,
  REPORTS_PREFIXES,
  validateAtSynth,
} from '../private/validate';
import { HandlerOptions } from '../shared/handler-options';
import { AlarmActionStrategy } from '../monitoring/replication-alarms';
import { ReplicationPair } from '../replication/replication-pair';

/** Where a drill writes its restored objects unless told otherwise. */
const DEFAULT_RESTORE_PREFIX = drill.DEFAULTS.restorePrefix;

/** How a drill picks the objects it restores. */
export enum DrillSampleMode {
  /** Uniformly at random over the replica (seeded; the seed is recorded in the report). */
  RANDOM = 'random',
  /** The most recently modified objects. */
  NEWEST = 'newest',
  /** The first objects under the prefix, in key order. */
  PREFIX = 'prefix',
}

/** How a restore drill copies objects into the restore target. */
export enum DrillCopyMode {
  /**
   * Server-side (one `CopyObject` per object: the restore target reads the replica directly,
   * no bytes pass through the function) when replica and target are in one AWS partition,
   * which they always are for this construct; streamed where they are not.
   */
  AUTO = 'auto',
  /** One `CopyObject` per object; a drill whose target cannot read the replica fails before any write. */
  SERVER_SIDE = 'server-side',
  /**
   * Each object through the function (GET from the replica, PUT to the target): slower, and it
   * also hashes the replica's bytes, so a failed verification says whether the replica or the
   * copy was wrong.
   */
  STREAM = 'stream',
}

/**
 * Props of `RestoreDrill`. The pair props come from `ReplicationPairs.of(...)`, and the drill
 * must be in a stack of `replicaRegion`. Reports go to `reportsBucket` under `drills/`.
 */
export interface RestoreDrillProps extends ReplicationPair, HandlerOptions {
  /**
   * When the drill runs: an EventBridge Scheduler expression, `rate(...)` (a whole number of
   * minutes, hours or days), `cron(...)` with six fields, or a one-time `at(...)`.
   * @default - every week (`rate(7 days)`)
   * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
   */
  readonly schedule?: scheduler.ScheduleExpression;
  /**
   * Objects restored per drill, a whole number from 1 to 100,000.
   * @default 100
   */
  readonly sampleSize?: number;
  /**
   * How the sample is picked: uniformly at random (seeded, recorded in the report), the newest
   * objects, or the first objects under the prefix.
   * @default DrillSampleMode.RANDOM
   */
  readonly sampleMode?: DrillSampleMode;
  /**
   * How objects are restored: server-side (one `CopyObject` per object, as `aws s3 sync` does)
   * or streamed through the function (GET from the replica, PUT to the target). The copy is
   * faster and moves no bytes through Lambda; streaming also hashes the replica's bytes, so a
   * failed verification says whether the replica or the copy was wrong. The role holds what both
   * need (a copy reads the replica, its tags and its key through S3, and writes the target with
   * the target's key). Each report says which way ran and why.
   * @default DrillCopyMode.AUTO - server-side (replica and restore target are in one partition)
   */
  readonly copyMode?: DrillCopyMode;
  /**
   * `true` is `copyMode: DrillCopyMode.SERVER_SIDE`, `false` is `DrillCopyMode.STREAM`.
   * @deprecated use `copyMode`
   * @default - see `copyMode`
   */
  readonly serverSideCopy?: boolean;
  /**
   * Objects restored (and verified) at once. The RTO estimate assumes a full restore at the
   * same concurrency. A whole number from 1 to 256. Lower it when the restore target or its
   * KMS key is shared with a busy workload (each copy of an SSE-KMS object without an S3 Bucket
   * Key is a KMS request).
   * @default 32
   */
  readonly concurrency?: number;
  /**
   * Alarm when the drill's RTO estimate (time to restore the whole replica at the measured
   * throughput) exceeds this. At least 1 second.
   * @default - no RTO alarm
   */
  readonly rtoTarget?: Duration;
  /**
   * Where restored objects are written (never the source or replica). The drill writes only
   * under `restorePrefix`, and removes everything it wrote. In this stack's region; when it is
   * a reports bucket (this drill's or another construct's), `restorePrefix` must not overlap
   * the reports prefixes (`audits/`, `drills/`, `failover/decisions/`).
   * @default - a new scratch bucket whose lifecycle expires anything left within two days
   */
  readonly restoreBucket?: s3.IBucket;
  /**
   * Prefix of the drill's objects in the restore bucket: a literal prefix of its own, ending
   * in `/`, not the bucket root and not starting with `/`.
   * @default 'cdk-s3-dr-drill/'
   */
  readonly restorePrefix?: string;
  /**
   * Name in reports and the `Drill` metric dimension.
   * @default - the replica bucket name
   */
  readonly drillName?: string;
}

/**
 * A scheduled restore drill in the replica region: restores a sample from the replica into a
 * scratch target, verifies each object byte for byte against the source version (or, with the
 * source region down, against what the replica recorded), measures throughput, estimates the
 * RTO, and removes what it wrote. Its role can read both buckets and write only under the
 * drill prefix of the restore target and the reports prefix.
 */
export class RestoreDrill extends Construct {
  /** The drill function (its role, log group and dead-letter queue are its properties). */
  readonly handler: lambda.Function;
  private readonly drFunction: DrFunction;
  /** Where restored objects are written, under the restore prefix. */
  readonly restoreBucket: s3.IBucket;
  /** Where the drill writes its reports (`drills/`). */
  readonly reportsBucket: s3.IBucket;
  /** Name in reports and the `Drill` metric dimension. */
  readonly drillName: string;
  /** Alarm: the last drill failed (an object not restored or not verified, or the run failed). */
  readonly failedDrillAlarm: cloudwatch.Alarm;
  /** Alarm: the RTO estimate exceeds `rtoTarget` (only with `rtoTarget`). */
  readonly rtoAlarm?: cloudwatch.Alarm;
  /** The topic the alarms notify, when the alarm actions have one (by default the region's shared topic). */
  readonly alarmTopic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: RestoreDrillProps) {
    super(scope, id);
    applyPermissionsBoundary(this, props.permissionsBoundary);
    const stack = Stack.of(this);
    throwIfInvalid(this, validateDrill(stack, props));
    // Another construct of the app may keep its reports in the restore bucket: checked once all exist.
    validateAtSynth(this, () => reportsOverlapProblems(this, props));

    const { key, reportsBucket } = handlerDefaults(this, props);
    this.reportsBucket = reportsBucket;
    this.restoreBucket = props.restoreBucket ?? this.createScratchBucket(key);
    this.drillName = props.drillName ?? props.replicaBucketName;
    const restorePrefix = props.restorePrefix ?? DEFAULT_RESTORE_PREFIX;
    const prefix = props.prefix ?? '';

    // A source in another account names this role in its policies: give it a fixed name.
    const roleName = isCrossAccountSource(this, props.sourceAccount) ? drRoleName(this) : undefined;
    this.drFunction = new DrFunction(this, 'Handler', {
      handler: 'drill',
      roleName,
      description: `Restore drill from ${this.drillName} (cdk-s3-dr)`,
      encryptionKey: key,
      timeout: Duration.minutes(15),
      memorySize: props.memorySize ?? 1024,
      vpc: props.vpc,
      removalPolicy: props.removalPolicy,
      environment: drill.toEnv(
        {
          name: sanitizeName(this.drillName),
          source: { bucket: props.sourceBucketName, region: props.sourceRegion, prefix },
          replica: { bucket: props.replicaBucketName, region: props.replicaRegion, prefix },
          restore: { bucket: this.restoreBucket.bucketName, region: stack.region, prefix: restorePrefix },
          reports: {
            bucket: this.reportsBucket.bucketName,
            region: stack.region,
            prefix: drill.DEFAULTS.reportsPrefix,
          },
          sampleSize: props.sampleSize ?? drill.DEFAULTS.sampleSize,
          sampleMode: props.sampleMode ?? drill.DEFAULTS.sampleMode,
          concurrency: props.concurrency ?? drill.DEFAULTS.concurrency,
          copyMode: copyModeOf(props),
          allowUnverifiable: drill.DEFAULTS.allowUnverifiable,
        },
        envEncoding(stack),
      ),
    });
    this.handler = this.drFunction.function;
    this.grant(props, restorePrefix, key);
    registerDrConsumer(this, {
      sourceBucketName: props.sourceBucketName,
      sourceRegion: props.sourceRegion,
      sourceAccount: props.sourceAccount,
      roleName,
      needs: [
        {
          kind: 'Drill',
          bucketActions: DRILL_SOURCE_BUCKET_ACTIONS,
          objectActions: DRILL_SOURCE_OBJECT_ACTIONS,
          objectPrefix: prefix,
          keyActions: props.sourceKeyArn ? DRILL_SOURCE_KEY_ACTIONS : [],
        },
      ],
    });
    acknowledgeWildcardResources(this.drFunction.role.grantsPolicy!, {
      's3-objects': WILDCARD_REASONS.DRILL_REPORTS,
    });

    const invokeRole = schedulerRole(this);
    new scheduler.Schedule(this, 'Schedule', {
      description: `Restore drill from ${this.drillName} (cdk-s3-dr)`,
      schedule: props.schedule ?? scheduler.ScheduleExpression.rate(Duration.days(7)),
      target: new targets.LambdaInvoke(this.handler, { retryAttempts: 0, role: invokeRole }),
    });
    acknowledgeWildcardResources(invokeRole.grantsPolicy!, INVOKER_WILDCARDS);

    // A drill that fails publishes DrillPassed = 0; one that crashes publishes nothing but a Lambda error.
    this.failedDrillAlarm = new cloudwatch.Alarm(this, 'FailedDrillAlarm', {
      alarmDescription: `The restore drill from ${this.drillName} failed: objects could not be restored or verified (report in ${this.reportsBucket.bucketName}/${drill.DEFAULTS.reportsPrefix})`,
      metric: new cloudwatch.MathExpression({
        expression: 'IF(FILL(passed, 1) < 1, 1, 0) + IF(FILL(errors, 0) > 0, 1, 0)',
        usingMetrics: {
          passed: this.metricDrillPassed(),
          errors: this.handler.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
        },
        period: Duration.hours(1),
        label: 'failed drills',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.rtoTarget) {
      this.rtoAlarm = new cloudwatch.Alarm(this, 'RtoAlarm', {
        alarmDescription: `The estimated time to restore all of ${this.drillName} exceeds the RTO target of ${props.rtoTarget.toHumanString()}`,
        metric: this.metricRtoEstimate(),
        threshold: props.rtoTarget.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    this.alarmTopic = AlarmActionStrategy._applyTo(this, props, [
      this.failedDrillAlarm,
      ...(this.rtoAlarm ? [this.rtoAlarm] : []),
    ]);
  }

  /** A metric the drill handler publishes (namespace `CdkS3Dr`, dimension `Drill`). */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: drill.METRICS.namespace,
      metricName,
      dimensionsMap: { [drill.METRICS.dimension]: sanitizeName(this.drillName) },
      period: Duration.hours(1),
      ...props,
    });
  }

  /** 1 when the drill passed, 0 when it failed. @default Minimum over 1 hour */
  metricDrillPassed(props?: cloudwatch.MetricOptions) {
    return this.metric(drill.METRICS.drillPassed, { statistic: 'Minimum', ...props });
  }

  /** Estimated seconds to restore the whole replica. @default Maximum over 1 hour */
  metricRtoEstimate(props?: cloudwatch.MetricOptions) {
    return this.metric(drill.METRICS.rtoEstimateSeconds, { statistic: 'Maximum', ...props });
  }

  private createScratchBucket(key: kms.IKey): s3.Bucket {
    const logs = createAccessLogsBucket(this, 'RestoreAccessLogs');
    const bucket = new s3.Bucket(this, 'Restore', {
      ...secureDataBucketProps({
        encryptionKey: key,
        removalPolicy: RemovalPolicy.DESTROY,
        // Safety net: a drill removes what it wrote; anything left (a crashed drill) expires.
        lifecycleRules: [
          {
            expiration: Duration.days(2),
            noncurrentVersionExpiration: Duration.days(1),
            abortIncompleteMultipartUploadAfter: Duration.days(1),
            expiredObjectDeleteMarker: false,
          },
        ],
      }),
    });
    sendAccessLogs(bucket, logs, 'restore/');
    acknowledge(bucket, NAG.SCRATCH_NOT_REPLICATED);
    acknowledgeGuard(bucket, GUARD.OBJECT_LOCK_EXPIRING);
    acknowledgeGuard(bucket, GUARD.NO_EVENT_CONSUMER);
    return bucket;
  }

  private grant(props: RestoreDrillProps, restorePrefix: string, key: kms.IKey) {
    const stack = Stack.of(this);
    const prefix = props.prefix ?? '';
    const policy = new iam.ManagedPolicy(this, 'DrillPolicy', {
      description: `Restore drill ${this.node.path}: read source and replica, write only its own scratch prefix and reports`,
      roles: [this.drFunction.role],
    });
    const arn = (b: string) => `arn:${stack.partition}:s3:::${b}`;
    policy.addStatements(
      new iam.PolicyStatement({
        sid: 'ListReplica',
        actions: ['s3:ListBucket', 's3:ListBucketVersions'],
        resources: [arn(props.replicaBucketName)],
      }),
      // A CopyObject copies the source's tags too: it reads them from the replica version.
      new iam.PolicyStatement({
        sid: 'ReadReplicaVersions',
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging'],
        resources: [`${arn(props.replicaBucketName)}/${prefix}*`],
      }),
      // HeadBucket (is the source region up?) needs s3:ListBucket; verification reads source versions.
      new iam.PolicyStatement({
        sid: 'CheckSource',
        actions: DRILL_SOURCE_BUCKET_ACTIONS,
        resources: [arn(props.sourceBucketName)],
      }),
      new iam.PolicyStatement({
        sid: 'ReadSourceVersions',
        actions: DRILL_SOURCE_OBJECT_ACTIONS,
        resources: [`${arn(props.sourceBucketName)}/${prefix}*`],
      }),
      new iam.PolicyStatement({
        sid: 'CheckRestoreVersioning',
        actions: ['s3:GetBucketVersioning'],
        resources: [this.restoreBucket.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'WriteVerifyRemoveOwnScratch',
        actions: [
          's3:PutObject',
          's3:PutObjectTagging',
          's3:GetObject',
          's3:GetObjectVersion',
          's3:DeleteObject',
          's3:DeleteObjectVersion',
        ],
        resources: [this.restoreBucket.arnForObjects(`${restorePrefix}*`)],
      }),
    );
    for (const [sid, keyArn, region, actions] of [
      ['DecryptReplica', props.replicaKeyArn, props.replicaRegion, ['kms:Decrypt']],
      ['DecryptSource', props.sourceKeyArn, props.sourceRegion, DRILL_SOURCE_KEY_ACTIONS],
    ] as const) {
      if (!keyArn) continue;
      policy.addStatements(keyThroughS3({ sid, keyArn, region, actions }));
    }
    // Restored objects and reports are encrypted with the construct's key (S3 Bucket Keys).
    key.grant(this.drFunction.role, 'kms:GenerateDataKey', 'kms:Decrypt');
    // A given restore bucket with a key of its own: a copy or a put encrypts with it, verification decrypts.
    const targetKey = this.restoreBucket.encryptionKey;
    if (targetKey && targetKey !== key) {
      policy.addStatements(
        keyThroughS3({
          sid: 'EncryptRestoreTarget',
          keyArn: targetKey.keyArn,
          region: stack.region,
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          bucketArns: [this.restoreBucket.bucketArn],
        }),
      );
    }
    grantPutUnder(this.drFunction.role, this.reportsBucket, drill.DEFAULTS.reportsPrefix);
    acknowledgeWildcardResources(policy, {
      's3-objects': WILDCARD_REASONS.DRILL_OBJECTS,
      'kms-keys-by-alias': WILDCARD_REASONS.DRILL_KEYS_BY_ALIAS,
    });
  }
}

/** What a drill does on the source: HeadBucket, read versions to verify, decrypt them through S3. */
const DRILL_SOURCE_BUCKET_ACTIONS = ['s3:ListBucket'];
const DRILL_SOURCE_OBJECT_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'];
const DRILL_SOURCE_KEY_ACTIONS = ['kms:Decrypt'];

const COPY_MODES: Record<DrillCopyMode, drill.CopyMode> = {
  [DrillCopyMode.AUTO]: 'auto',
  [DrillCopyMode.SERVER_SIDE]: 'server-side',
  [DrillCopyMode.STREAM]: 'stream',
};

/** The handler's copy mode: `copyMode`, else the deprecated `serverSideCopy`, else auto. */
function copyModeOf(props: RestoreDrillProps): drill.CopyMode {
  if (props.copyMode !== undefined) return COPY_MODES[props.copyMode] ?? props.copyMode;
  if (props.serverSideCopy === undefined) return drill.DEFAULTS.copyMode;
  return props.serverSideCopy ? 'server-side' : 'stream';
}

/** Drill names allowed by the handler: letters, digits, dots, hyphens, underscores. */
function sanitizeName(name: string): string {
  // A bucket name given as a token is already valid (lower-case letters, digits, dots, hyphens).
  if (Token.isUnresolved(name)) return name;
  return drill.drillName(name);
}

function validateDrill(stack: Stack, props: RestoreDrillProps): PropProblem[] {
  const problems: PropProblem[] = [
    ...checkPrefix('prefix', props.prefix),
    ...checkOwnPrefix('restorePrefix', props.restorePrefix, DEFAULT_RESTORE_PREFIX, 'a drill'),
    ...checkWholeNumber(
      'sampleSize',
      props.sampleSize,
      drill.LIMITS.sampleSize.min,
      drill.LIMITS.sampleSize.max,
      `use for example ${drill.DEFAULTS.sampleSize}`,
    ),
    ...checkWholeNumber(
      'concurrency',
      props.concurrency,
      drill.LIMITS.concurrency.min,
      drill.LIMITS.concurrency.max,
      `use for example ${drill.DEFAULTS.concurrency} (the default) or 8`,
    ),
    ...checkSchedule('schedule', props.schedule),
    ...checkDuration(
      'rtoTarget',
      props.rtoTarget,
      1,
      Infinity,
      'use the time the whole replica must be restored within, for example Duration.hours(4)',
    ),
    ...checkSameRegion(
      'restoreBucket',
      'the restore bucket',
      props.restoreBucket?.env.region,
      stack.region,
      props.restoreBucket?.bucketName,
    ),
    ...checkSameRegion(
      'reportsBucket',
      'the reports bucket',
      props.reportsBucket?.env.region,
      stack.region,
      props.reportsBucket?.bucketName,
    ),
  ];
  if (props.sampleMode !== undefined && !(drill.SAMPLE_MODES as readonly string[]).includes(props.sampleMode)) {
    problems.push({
      prop: 'sampleMode',
      value: props.sampleMode,
      problem: 'unknown sample mode',
      fix: 'use DrillSampleMode.RANDOM, DrillSampleMode.NEWEST or DrillSampleMode.PREFIX',
    });
  }
  if (props.copyMode !== undefined && !Object.values(DrillCopyMode).includes(props.copyMode)) {
    problems.push({
      prop: 'copyMode',
      value: props.copyMode,
      problem: 'unknown copy mode',
      fix: 'use DrillCopyMode.AUTO, DrillCopyMode.SERVER_SIDE or DrillCopyMode.STREAM',
    });
  } else if (
    props.copyMode !== undefined &&
    props.serverSideCopy !== undefined &&
    COPY_MODES[props.copyMode] !== (props.serverSideCopy ? 'server-side' : 'stream')
  ) {
    problems.push({
      prop: 'serverSideCopy',
      value: props.serverSideCopy,
      problem: `contradicts copyMode ${props.copyMode}`,
      fix: 'drop serverSideCopy (deprecated): copyMode alone says how the drill copies',
    });
  }
  if (props.restoreBucket && props.reportsBucket && sameBucket(props.restoreBucket, props.reportsBucket)) {
    problems.push(
      ...restoreOverReports(props.restorePrefix ?? DEFAULT_RESTORE_PREFIX, 'the reports bucket of this drill'),
    );
  }
  const restoreName = props.restoreBucket?.bucketName;
  for (const [prop, name] of [
    ['sourceBucketName', props.sourceBucketName],
    ['replicaBucketName', props.replicaBucketName],
  ] as const) {
    if (restoreName !== undefined && restoreName === name) {
      problems.push({
        prop: 'restoreBucket',
        value: name,
        problem: `the restore target is the ${prop === 'sourceBucketName' ? 'source' : 'replica'} bucket; a drill never writes to source or replica data`,
        fix: 'give a separate scratch bucket, or leave restoreBucket unset to create one',
      });
    }
  }
  problems.push(...sameSideProblems(stack, props));
  return problems;
}

/** The same bucket: the same object, or the same literal name. */
function sameBucket(a: s3.IBucket, b: s3.IBucket): boolean {
  if (a === b) return true;
  return !Token.isUnresolved(a.bucketName) && a.bucketName === b.bucketName;
}

/** The drill deletes what it wrote under its prefix: never under a prefix holding reports. */
function restoreOverReports(restorePrefix: string, whose: string): PropProblem[] {
  if (Token.isUnresolved(restorePrefix) || restorePrefix === '') return [];
  return Object.values(REPORTS_PREFIXES)
    .filter((r) => prefixesOverlap(restorePrefix, r))
    .map((r) => ({
      prop: 'restorePrefix',
      value: restorePrefix,
      problem: `the restore bucket is ${whose} and "${restorePrefix}" overlaps its reports prefix "${r}"; the drill deletes what it restores there, so it could delete reports`,
      fix: `write "${DEFAULT_RESTORE_PREFIX}"`,
      replacement: DEFAULT_RESTORE_PREFIX,
    }));
}

/** Any construct of the app whose reports bucket is this drill's restore bucket (an audit's, a controller's). */
function reportsOverlapProblems(drill: RestoreDrill, props: RestoreDrillProps): PropProblem[] {
  const restore = props.restoreBucket;
  if (!restore) return [];
  for (const c of drill.node.root.node.findAll()) {
    if (c === drill) continue;
    const reports = (c as { reportsBucket?: unknown }).reportsBucket;
    if (reports instanceof Object && 'bucketName' in reports && sameBucket(restore, reports as s3.IBucket)) {
      const problems = restoreOverReports(
        props.restorePrefix ?? DEFAULT_RESTORE_PREFIX,
        `the reports bucket of ${c.node.path}`,
      );
      if (problems.length > 0) return problems;
    }
  }
  return [];
}
