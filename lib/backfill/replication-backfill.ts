import { METRIC_NAMESPACE } from '../private/metric-namespace';
import { Annotations, CfnOutput, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as events_targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as scheduler_targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PropProblem, throwIfInvalid } from '../private/errors';
import { HandlerOptions } from '../shared/handler-options';
import * as perms from '../private/perms';
import { DrFunction, schedulerRole } from '../private/dr-function';
import { allowEventBridgeToUseKey } from '../private/key-grants';
import { acknowledgeWildcardResources, INVOKER_WILDCARDS, WILDCARD_REASONS } from '../private/nag';
import { applyPermissionsBoundary } from '../private/permissions-boundary';
import { handlerDefaults } from '../private/regional-defaults';
import { arnPattern, requireSourceAccount, servicePrincipal } from '../private/service-principal';
import {
  checkOwnPrefix,
  checkPrefix,
  checkSameRegion,
  checkSchedule,
  checkStackRegion,
  checkWholeNumber,
  prefixesOverlap,
  REPORTS_PREFIXES,
} from '../private/validate';
import { AlarmActionStrategy } from '../monitoring/replication-alarms';

/** The service principal of S3 Batch Operations, which a job's role trusts. */
const BATCH_OPERATIONS_PRINCIPAL = 'batchoperations.s3.amazonaws.com';

/** The configuration variable of the bundled backfill handler (lambda/backfill/core/invocation.ts). */
const CONFIG_ENV = 'BACKFILL_CONFIG';

/** Where completion reports and generated manifests go in the reports bucket, by default. */
const DEFAULT_BACKFILL_REPORTS_PREFIX = 'backfill/';

/**
 * The replication statuses a Batch Replication job's generated manifest selects objects by.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-batch-replication-batch.html
 */
export enum BackfillReplicationStatus {
  /** Never replicated: objects written before the replication rule existed. */
  NONE = 'NONE',
  /** Replication failed (live replication never retries them). */
  FAILED = 'FAILED',
  /** Already replicated: replicating them again copies them again (to a new destination, say). */
  COMPLETED = 'COMPLETED',
  /** Replicas written by another bucket's replication, to replicate them onward. */
  REPLICA = 'REPLICA',
}

/** What a job's completion report lists. */
export enum BackfillReportScope {
  /** Every object, replicated or failed. */
  ALL_TASKS = 'all',
  /** Only the objects that failed. */
  FAILED_TASKS_ONLY = 'failed',
}

/** Props of `ReplicationBackfill`. */
export interface ReplicationBackfillProps extends HandlerOptions {
  /**
   * The source bucket of the replication rules: a job replicates its objects to the destinations
   * of its replication configuration. It must be in this stack's region (a job runs in the region
   * of the bucket it reads) and this stack's account; for a `ReplicatedBucket`, pass its
   * `bucket`. The stack needs an explicit region.
   */
  readonly sourceBucket: s3.IBucket;
  /**
   * The KMS key of the source bucket's objects, which Batch Operations may use through S3 only.
   * In this stack's region.
   * @default - the source bucket's `encryptionKey`, when it has one
   */
  readonly sourceKey?: kms.IKey;
  /**
   * Only objects under this key prefix (the role may initiate replication only there). A
   * literal prefix (no `*` or `?`), not starting with `/`, at most 1,024 bytes.
   * @default - the whole bucket
   */
  readonly prefix?: string;
  /**
   * The replication statuses a job replicates by default (an invocation may narrow them). At
   * least one, each named once. `COMPLETED` or `REPLICA` warns: each job copies those objects
   * again, at the full cost.
   * @default [NONE, FAILED]: every eligible object not on the replica
   */
  readonly replicationStatuses?: BackfillReplicationStatus[];
  /**
   * Create jobs suspended, awaiting confirmation: a job first counts the objects it would
   * replicate and starts only when confirmed (`{"action":"start","jobId":...}` or
   * `cdk-s3-dr backfill --start`). Turning this off lets a job (and the schedule's) replicate,
   * and charge, at once, before anyone sees the count: `false` warns at synth.
   * @default true
   */
  readonly requireConfirmation?: boolean;
  /**
   * The jobs' priority (higher runs first among the account's Batch Operations jobs), a whole
   * number from 0 to 2,147,483,647.
   * @default 10
   */
  readonly priority?: number;
  /**
   * What the completion reports list.
   * @default BackfillReportScope.ALL_TASKS
   */
  readonly reportScope?: BackfillReportScope;
  /**
   * The prefix of the reports bucket under which the completion reports and the generated
   * manifests are written (the role may write only there). It must end in `/`, must not be the
   * bucket root or start with `/`, and must not overlap the prefixes the other constructs write
   * reports under (`audits/`, `drills/`, `failover/decisions/`).
   * @default 'backfill/'
   */
  readonly reportsPrefix?: string;
  /**
   * Create a job on this schedule (EventBridge Scheduler), each run a new job with the default
   * statuses: for example to re-replicate what failed every week. An EventBridge Scheduler
   * expression: `rate(...)`, `cron(...)` with six fields, or a one-time `at(...)`.
   * @default - no schedule: jobs are created on request only
   */
  readonly schedule?: scheduler.ScheduleExpression;
}

/**
 * What an S3 Batch Replication job needs, since CloudFormation cannot create the job itself:
 * a least-privilege Batch Operations role (usable by `cdk-s3-dr backfill` too: its ARN is a stack
 * output), the location of completion reports and generated manifests under the reports bucket,
 * a function that creates jobs with a generated manifest (eligible for replication, replication
 * status, created before/after) suspended, awaiting confirmation, and confirms, cancels or
 * describes them, and a rule on S3 Batch Operations `JobStatusChanged` events that turns the end
 * of each of its jobs into metrics, with alarms on failed jobs and failed objects. Optionally a
 * schedule. Deploy it in the stack of the source bucket's region.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-batch-replication-batch.html
 */
export class ReplicationBackfill extends Construct {
  /** The role Batch Operations jobs run with (trusts `batchoperations.s3.amazonaws.com`). */
  readonly batchRole: iam.Role;
  /** The policy of `batchRole`. */
  readonly batchPolicy: iam.ManagedPolicy;
  /** The function that creates, starts, cancels and describes jobs. */
  readonly handler: lambda.Function;
  private readonly drFunction: DrFunction;
  /** The rule on S3 Batch Operations job status changes. */
  readonly rule: events.Rule;
  /** The bucket of completion reports and generated manifests (`reportsPrefix`). */
  readonly reportsBucket: s3.IBucket;
  /** The prefix, ending in "/", of completion reports and generated manifests. */
  readonly reportsPrefix: string;
  /** Alarm: a job failed or was cancelled. */
  readonly failedJobAlarm: cloudwatch.Alarm;
  /** Alarm: a job completed with objects that failed to replicate. */
  readonly failedObjectsAlarm: cloudwatch.Alarm;
  /** The topic the alarms notify, when the alarm actions have one. */
  readonly alarmTopic?: sns.ITopic;
  /** The schedule, when `schedule` is given. */
  readonly schedule?: scheduler.Schedule;
  private readonly sourceBucketName: string;

  constructor(scope: Construct, id: string, props: ReplicationBackfillProps) {
    super(scope, id);
    applyPermissionsBoundary(this, props.permissionsBoundary);
    const stack = Stack.of(this);
    throwIfInvalid(this, validateBackfill(stack, props));
    warnAboutChoices(this, props);

    const { key, reportsBucket } = handlerDefaults(this, props);
    this.reportsBucket = reportsBucket;
    this.reportsPrefix = props.reportsPrefix ?? DEFAULT_BACKFILL_REPORTS_PREFIX;
    this.sourceBucketName = props.sourceBucket.bucketName;
    const prefix = props.prefix ?? '';
    const sourceUri = `s3://${this.sourceBucketName}${prefix ? `/${prefix}` : ''}`;
    const statuses = [
      ...new Set(props.replicationStatuses ?? [BackfillReplicationStatus.NONE, BackfillReplicationStatus.FAILED]),
    ];

    this.batchRole = new iam.Role(this, 'BatchOperationsRole', {
      description: `S3 Batch Replication jobs of ${this.node.path} (cdk-s3-dr)`,
      // Only Batch Operations jobs of this account and region may assume it.
      // @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-iam-role-policies.html
      assumedBy: servicePrincipal(this, BATCH_OPERATIONS_PRINCIPAL, arnPattern(this, 's3', 'job/*')),
    });
    this.batchPolicy = this.createBatchPolicy(props, prefix, key);

    this.drFunction = new DrFunction(this, 'Handler', {
      handler: 'backfill',
      description: `Creates and follows S3 Batch Replication jobs of ${sourceUri} (cdk-s3-dr)`,
      encryptionKey: key,
      timeout: Duration.minutes(1),
      memorySize: props.memorySize ?? 256,
      vpc: props.vpc,
      removalPolicy: props.removalPolicy,
      environment: {
        [CONFIG_ENV]: stack.toJsonString({
          name: this.node.path,
          account: stack.account,
          region: stack.region,
          source: sourceUri,
          report: `s3://${this.reportsBucket.bucketName}/${this.reportsPrefix}`,
          roleArn: this.batchRole.roleArn,
          statuses: statuses.join(','),
          priority: props.priority ?? 10,
          reportScope: props.reportScope ?? BackfillReportScope.ALL_TASKS,
          confirm: props.requireConfirmation === false,
        }),
      },
    });
    this.handler = this.drFunction.function;
    this.attachJobControlPolicy();

    this.rule = new events.Rule(this, 'OnJobFinished', {
      description: `Turns the end of the S3 Batch Replication jobs of ${this.node.path} into metrics (cdk-s3-dr)`,
      eventPattern: jobFinishedPattern(),
      targets: [
        new events_targets.LambdaFunction(this.handler, {
          deadLetterQueue: this.drFunction.deadLetterQueue,
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });
    allowEventBridgeToUseKey(key);
    // aws-cdk-lib's permission for the rule names the rule (SourceArn); add the account too.
    for (const c of this.rule.node.findAll()) {
      if (c instanceof lambda.CfnPermission) c.sourceAccount = stack.account;
    }
    requireSourceAccount(this.drFunction.deadLetterQueue, stack.account);

    if (props.schedule) {
      const invokeRole = schedulerRole(this);
      this.schedule = new scheduler.Schedule(this, 'Schedule', {
        description: `Creates an S3 Batch Replication job of ${this.node.path} (cdk-s3-dr)`,
        schedule: props.schedule,
        target: new scheduler_targets.LambdaInvoke(this.handler, {
          role: invokeRole,
          input: scheduler.ScheduleTargetInput.fromObject({
            action: 'create',
            scheduledTime: scheduler.ContextAttribute.scheduledTime,
          }),
          retryAttempts: 2,
        }),
      });
      acknowledgeWildcardResources(invokeRole.grantsPolicy!, INVOKER_WILDCARDS);
    }

    this.failedJobAlarm = new cloudwatch.Alarm(this, 'FailedJobAlarm', {
      alarmDescription: `An S3 Batch Replication job of ${this.node.path} failed or was cancelled: run cdk-s3-dr backfill --status JOB_ID for the reasons`,
      metric: this.metricJobsFailed(),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.failedObjectsAlarm = new cloudwatch.Alarm(this, 'FailedObjectsAlarm', {
      alarmDescription: `An S3 Batch Replication job of ${this.node.path} completed with objects that failed to replicate: see its completion report under ${this.reportsPrefix}`,
      metric: this.metricObjectsFailed(),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarmTopic = AlarmActionStrategy._applyTo(this, props, [this.failedJobAlarm, this.failedObjectsAlarm]);

    new CfnOutput(this, 'RoleArn', {
      description: 'The Batch Operations role of cdk-s3-dr backfill --role-arn',
      value: this.batchRole.roleArn,
    });
    new CfnOutput(this, 'FunctionName', {
      description: 'Invoke with {"action":"create"}, then {"action":"start","jobId":"..."}',
      value: this.handler.functionName,
    });
    new CfnOutput(this, 'Command', {
      description: 'The same job from the command line (add --dry-run to see the request)',
      value: [
        'npx cdk-s3-dr backfill',
        `--source ${sourceUri}`,
        `--source-region ${stack.region}`,
        `--account ${stack.account}`,
        `--role-arn ${this.batchRole.roleArn}`,
        `--report s3://${this.reportsBucket.bucketName}/${this.reportsPrefix}`,
        `--statuses ${statuses.join(',')}`,
      ].join(' '),
    });
  }

  /** A metric the backfill handler publishes when a job finishes (namespace `CdkS3Dr`, dimension `Bucket`). */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { Bucket: this.sourceBucketName },
      period: Duration.hours(1),
      statistic: 'Sum',
      ...props,
    });
  }

  /** Objects replicated by finished jobs. @default Sum over 1 hour */
  metricObjectsReplicated(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('BackfillTasksSucceeded', props);
  }

  /** Objects that failed to replicate in finished jobs. @default Sum over 1 hour */
  metricObjectsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('BackfillTasksFailed', props);
  }

  /** Jobs that failed or were cancelled (1 per such job, 0 per completed one). @default Sum over 1 hour */
  metricJobsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('BackfillJobFailed', props);
  }

  /**
   * The Batch Operations role's permissions for a job with a generated manifest, each on the
   * narrowest resource AWS accepts (the same statements `cdk-s3-dr backfill --dry-run` prints).
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-batch-replication-policies.html
   */
  private createBatchPolicy(props: ReplicationBackfillProps, prefix: string, reportsKey: kms.IKey): iam.ManagedPolicy {
    const stack = Stack.of(this);
    const source = props.sourceBucket;
    const reports = this.reportsBucket;
    const policy = new iam.ManagedPolicy(this, 'BatchOperationsPolicy', {
      description: `S3 Batch Replication of s3://${this.sourceBucketName}${prefix ? `/${prefix}` : ''}: initiate replication, generate the manifest, write reports (cdk-s3-dr)`,
      roles: [this.batchRole],
    });
    policy.addStatements(
      new iam.PolicyStatement({
        sid: 'InitiateReplication',
        actions: perms.BACKFILL_SOURCE_OBJECT_ACTIONS,
        resources: [source.arnForObjects(`${prefix}*`)],
      }),
      new iam.PolicyStatement({
        sid: 'GenerateManifest',
        actions: perms.BACKFILL_SOURCE_BUCKET_ACTIONS,
        resources: [source.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReadGeneratedManifest',
        actions: perms.BACKFILL_MANIFEST_READ_ACTIONS,
        resources: [reports.arnForObjects(`${this.reportsPrefix}manifests/*`)],
      }),
      new iam.PolicyStatement({
        sid: 'WriteManifestAndReport',
        actions: perms.BACKFILL_REPORT_WRITE_ACTIONS,
        resources: [reports.arnForObjects(`${this.reportsPrefix}*`)],
      }),
    );
    // KMS through S3 only, and only for these two buckets (the encryption context S3 sets is the
    // object ARN, or the bucket ARN with S3 Bucket Keys).
    const keyed: Array<[kms.IKey, s3.IBucket]> = [];
    const sourceKey = props.sourceKey ?? source.encryptionKey;
    if (sourceKey) keyed.push([sourceKey, source]);
    const reportsBucketKey = reports.encryptionKey ?? (props.reportsBucket ? undefined : reportsKey);
    if (reportsBucketKey) keyed.push([reportsBucketKey, reports]);
    keyed.forEach(([key, bucket], i) => {
      policy.addStatements(
        new iam.PolicyStatement({
          sid: i === 0 && sourceKey ? 'SourceKeyThroughS3' : 'ReportsKeyThroughS3',
          actions: perms.BACKFILL_KEY_ACTIONS,
          resources: [key.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
            StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket.bucketArn, bucket.arnForObjects('*')] },
          },
        }),
      );
    });
    acknowledgeWildcardResources(policy, { 's3-objects': WILDCARD_REASONS.BACKFILL_OBJECTS });
    return policy;
  }

  /**
   * Lets an operator (a role, a user, a CI principal) run `cdk-s3-dr backfill` with this
   * construct's role: create replication jobs (s3:CreateJob, limited to replication jobs), describe,
   * confirm and cancel replication jobs of this account and region, and pass this role to Batch
   * Operations only. The same statements the function has; cdk-nag reports their two wildcard
   * resources (s3:CreateJob has no resource type; job ids are not known in advance) on the
   * grantee's policy, for you to acknowledge there.
   */
  grantJobControl(grantee: iam.IGrantable): iam.Grant {
    const statements = this.jobControlStatements();
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: statements[0].actions,
      resourceArns: statements[0].resources,
      conditions: statements[0].conditions,
    });
    return statements.slice(1).reduce(
      (g, st) =>
        g.combine(
          iam.Grant.addToPrincipal({
            grantee,
            actions: st.actions,
            resourceArns: st.resources,
            conditions: st.conditions,
          }),
        ),
      grant,
    );
  }

  /** Lets a principal invoke the function ({"action":"create"}, {"action":"start","jobId":...}). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.handler.grantInvoke(grantee);
  }

  /** Create replication jobs only, follow and confirm replication jobs, pass this role only. */
  private jobControlStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'CreateReplicationJobs',
        actions: perms.BACKFILL_CREATE_JOB_ACTIONS,
        // s3:CreateJob has no resource type: "*" is all AWS accepts; the condition limits it to replication jobs.
        resources: ['*'],
        conditions: { StringEquals: { 's3:RequestJobOperation': 'S3ReplicateObject' } },
      }),
      new iam.PolicyStatement({
        sid: 'FollowReplicationJobs',
        actions: perms.BACKFILL_FOLLOW_JOB_ACTIONS,
        resources: [arnPattern(this, 's3', 'job/*')],
        conditions: { StringEquals: { 's3:ExistingJobOperation': 'S3ReplicateObject' } },
      }),
      new iam.PolicyStatement({
        sid: 'PassTheBatchRole',
        actions: ['iam:PassRole'],
        resources: [this.batchRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': BATCH_OPERATIONS_PRINCIPAL } },
      }),
    ];
  }

  /** The function's own job control, on a managed policy of its own. */
  private attachJobControlPolicy(): void {
    const policy = new iam.ManagedPolicy(this, 'JobControlPolicy', {
      description: `Create, confirm, cancel and describe the S3 Batch Replication jobs of ${this.node.path} (cdk-s3-dr)`,
      roles: [this.drFunction.role],
    });
    policy.addStatements(...this.jobControlStatements());
    acknowledgeWildcardResources(policy, {
      'no-resource-level': WILDCARD_REASONS.BACKFILL_CREATE_JOB,
      's3-objects': WILDCARD_REASONS.BACKFILL_JOBS,
    });
  }
}

/**
 * The S3 Batch Operations status changes after which a job does nothing more, as CloudTrail
 * records them (service events need no trail) and EventBridge delivers them.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-examples-event-bridge-cloud-trail.html
 */
function jobFinishedPattern(): events.EventPattern {
  return {
    source: ['aws.s3'],
    detailType: ['AWS Service Event via CloudTrail'],
    detail: {
      eventSource: ['s3.amazonaws.com'],
      eventName: ['JobStatusChanged'],
      serviceEventDetails: { status: ['Complete', 'Failed', 'Cancelled'] },
    },
  };
}

function validateBackfill(stack: Stack, p: ReplicationBackfillProps): PropProblem[] {
  const problems: PropProblem[] = [
    ...checkStackRegion('env.region (stack)', stack.region, "that the source bucket is in the stack's region"),
    ...checkPrefix('prefix', p.prefix),
    ...checkWholeNumber('priority', p.priority, 0, 2_147_483_647, 'use for example 10 (higher runs first)'),
  ];
  if (p.sourceBucket) {
    problems.push(
      ...checkSameRegion(
        'sourceBucket',
        'the source bucket',
        p.sourceBucket.env.region,
        stack.region,
        p.sourceBucket.node.path,
      ),
    );
  }
  const bucketAccount = p.sourceBucket?.env.account;
  if (
    bucketAccount !== undefined &&
    !Token.isUnresolved(bucketAccount) &&
    !Token.isUnresolved(stack.account) &&
    bucketAccount !== stack.account
  ) {
    problems.push({
      prop: 'sourceBucket',
      value: p.sourceBucket.node.path,
      problem: `the source bucket is in account ${bucketAccount} but this stack is in ${stack.account}; a Batch Replication job runs in the account that owns the bucket, with a role of that account`,
      fix: `create the construct in a stack of account ${bucketAccount}`,
    });
  }
  if (p.sourceKey && p.sourceBucket) {
    problems.push(
      ...checkSameRegion('sourceKey', 'the key', p.sourceKey.env.region, stack.region, p.sourceKey.node.path),
    );
  }
  const reportsPrefix = p.reportsPrefix ?? DEFAULT_BACKFILL_REPORTS_PREFIX;
  problems.push(...checkOwnPrefix('reportsPrefix', p.reportsPrefix, DEFAULT_BACKFILL_REPORTS_PREFIX, 'a backfill'));
  if (!Token.isUnresolved(reportsPrefix)) {
    for (const [who, other] of Object.entries(REPORTS_PREFIXES)) {
      if (reportsPrefix !== '' && prefixesOverlap(reportsPrefix, other)) {
        problems.push({
          prop: 'reportsPrefix',
          value: reportsPrefix,
          problem: `overlaps the prefix "${other}" the ${who} writes its reports under, in a bucket they may share`,
          fix: `write "${DEFAULT_BACKFILL_REPORTS_PREFIX}"`,
          replacement: DEFAULT_BACKFILL_REPORTS_PREFIX,
        });
      }
    }
  }
  if (
    p.reportsBucket &&
    p.sourceBucket &&
    (p.reportsBucket === p.sourceBucket ||
      (!Token.isUnresolved(p.reportsBucket.bucketName) && p.reportsBucket.bucketName === p.sourceBucket.bucketName))
  ) {
    problems.push({
      prop: 'reportsBucket',
      value: p.reportsBucket.node.path,
      problem: 'is the source bucket: the reports and manifests would be replicated and counted in the next job',
      fix: "leave reportsBucket out to use the region's reports bucket, or give another bucket",
    });
  }
  const statuses = p.replicationStatuses;
  if (statuses !== undefined) {
    const known = Object.values(BackfillReplicationStatus) as string[];
    if (statuses.length === 0) {
      problems.push({
        prop: 'replicationStatuses',
        value: [],
        problem: 'a job with no status selects no object',
        fix: 'leave it out for [NONE, FAILED], or name at least one status',
        replacement: [BackfillReplicationStatus.NONE, BackfillReplicationStatus.FAILED],
      });
    }
    statuses.forEach((s, i) => {
      if (!known.includes(s)) {
        problems.push({
          prop: `replicationStatuses[${i}]`,
          value: s,
          problem: 'not a replication status',
          fix: `use BackfillReplicationStatus.${known.join(', .')}`,
        });
      } else if (statuses.indexOf(s) !== i) {
        problems.push({
          prop: `replicationStatuses[${i}]`,
          value: s,
          problem: `repeats replicationStatuses[${statuses.indexOf(s)}]`,
          fix: 'name each status once',
        });
      }
    });
  }
  if (p.reportScope !== undefined && !(Object.values(BackfillReportScope) as string[]).includes(p.reportScope)) {
    problems.push({
      prop: 'reportScope',
      value: p.reportScope,
      problem: 'not a report scope',
      fix: 'use BackfillReportScope.ALL_TASKS or BackfillReportScope.FAILED_TASKS_ONLY',
    });
  }
  problems.push(...checkSchedule('schedule', p.schedule));
  return problems;
}

/** Choices that are valid but can cost money or surprise: warnings, not errors. */
function warnAboutChoices(scope: Construct, p: ReplicationBackfillProps): void {
  if (p.requireConfirmation === false) {
    Annotations.of(scope).addWarningV2(
      'cdk-s3-dr:backfill-without-confirmation',
      `requireConfirmation is false: every job${p.schedule ? ', the scheduled ones included,' : ''} starts replicating (and charging per object) before anyone sees how many objects it selected; keep the default (true) and start jobs after checking the count`,
    );
  }
  const again = (p.replicationStatuses ?? []).filter(
    (s) => s === BackfillReplicationStatus.COMPLETED || s === BackfillReplicationStatus.REPLICA,
  );
  if (again.length > 0) {
    Annotations.of(scope).addWarningV2(
      'cdk-s3-dr:backfill-replicates-again',
      `replicationStatuses includes ${again.join(' and ')}: those objects are already replicated (or are replicas) and each job copies them again, at the full per-object and transfer cost; use [NONE, FAILED] unless a new destination needs them`,
    );
  }
}
