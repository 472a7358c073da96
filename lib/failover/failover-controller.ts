import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as events_targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambda_destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { PropProblem, throwIfInvalid } from '../private/errors';
import { drRoleName, isCrossAccountSource, registerDrConsumer } from '../private/dr-access';
import { RoleOptions } from '../shared/handler-options';
import { DrFunction } from '../private/dr-function';
import { applyPermissionsBoundary } from '../private/permissions-boundary';
import { allowEventBridgeToUseKey } from '../private/key-grants';
import { acknowledgeWildcardResources, WILDCARD_REASONS } from '../private/nag';
import { handlerDefaults } from '../private/regional-defaults';
import { checkBucketName, checkDuration, checkRegion, checkSameRegion, validateAtSynth } from '../private/validate';
import { requireSourceAccount } from '../private/service-principal';
import {
  auditReadStatements,
  REPAIR_DELETE_ACTIONS,
  REPAIR_WRITE_ACTIONS,
  repairStatements,
} from '../private/repair-grants';
import { ReplicationPair } from '../replication/replication-pair';
import { ReplicationProbe } from '../monitoring/replication-probe';
import * as failover from '../../lambda/failover/contract';
import { envEncoding } from '../private/env-encoding';

/** What the controller may do when the composite alarm fires. */
export enum FailoverMode {
  /** Change routing once the alarm and the probe's data confirm the outage. */
  AUTOMATIC = 'automatic',
  /** Record the decision and notify with the command that approves it; change nothing. */
  APPROVAL = 'approval',
  /** Record what it would do; change nothing and ask for nothing. */
  DRY_RUN = 'dry-run',
}

/** How clients find the active bucket. */
export enum FailoverPlan {
  /** An SSM parameter per region names the active bucket (`ActiveBucketPointer`). */
  POINTER = 'pointer',
  /** The routes of a Multi-Region Access Point. */
  MRAP = 'mrap',
}

/** The default SSM parameter naming the active bucket, the same name in both regions. */
function defaultPointerName(probeName: string): string {
  return `/cdk-s3-dr/${probeName}/active-bucket`;
}

const PARAMETER_NAME = failover.PARAMETER_NAME;

function parameterArn(stack: Stack, region: string, name: string): string {
  return `arn:${stack.partition}:ssm:${region}:${stack.account}:parameter/${name.replace(/^\//, '')}`;
}

/** Props of `ActiveBucketPointer`. */
export interface ActiveBucketPointerProps {
  /**
   * Name of the SSM parameter; the same in every region. 1 to 2,048 letters, digits and
   * `_.-/`; the name a `FailoverController` of the app rewrites, when the app has one.
   */
  readonly parameterName: string;
  /** The bucket the pointer names at first: the source (a valid S3 bucket name). */
  readonly bucketName: string;
  /** Region of that bucket: a region code such as `us-east-1`. */
  readonly bucketRegion: string;
}

/**
 * The pointer of the `pointer` failover plan in one region: an SSM String parameter whose value
 * is `{"bucket","region","since","reason"}`, naming the active bucket. Deploy one in the stack
 * of each region (source and replica) so clients in either region read a local copy; the
 * `FailoverController` rewrites both (the replica region first). CloudFormation sets only the
 * initial value (the source): a redeploy does not undo a failover, because the template does
 * not change.
 */
export class ActiveBucketPointer extends Construct {
  /** The SSM String parameter naming the active bucket. */
  readonly parameter: ssm.StringParameter;
  /** Name of the parameter (the same in every region). */
  readonly parameterName: string;

  constructor(scope: Construct, id: string, props: ActiveBucketPointerProps) {
    super(scope, id);
    const problems: PropProblem[] = [];
    if (!Token.isUnresolved(props.parameterName) && !PARAMETER_NAME.test(props.parameterName)) {
      problems.push({
        prop: 'parameterName',
        value: props.parameterName,
        problem: 'not a valid SSM parameter name',
        fix: 'use letters, digits and _.-/ only, for example /my-app/s3-active',
      });
    }
    problems.push(
      ...checkBucketName('bucketName', props.bucketName),
      ...checkRegion('bucketRegion', props.bucketRegion),
    );
    throwIfInvalid(this, problems);
    validateAtSynth(this, () => pointerNameProblems(this));
    this.parameterName = props.parameterName;
    this.parameter = new ssm.StringParameter(this, 'Parameter', {
      parameterName: props.parameterName,
      // Names given as tokens are the default `/cdk-s3-dr/...` form: not simple names.
      simpleName: Token.isUnresolved(props.parameterName) ? false : !props.parameterName.startsWith('/'),
      description: 'The active bucket (cdk-s3-dr failover pointer); changed by the failover controller',
      stringValue: Stack.of(this).toJsonString({
        bucket: props.bucketName,
        region: props.bucketRegion,
        since: '1970-01-01T00:00:00.000Z',
        reason: 'initial deployment: the source is active',
      }),
    });
  }

  /** Lets a client read the pointer. */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.parameter.grantRead(grantee);
  }
}

/** The Multi-Region Access Point of the `mrap` plan. */
export interface FailoverAccessPoint {
  /**
   * Create an `AWS::S3::MultiRegionAccessPoint` over the source and replica buckets with this
   * name (3-50 lower-case letters, digits and hyphens, starting and ending with a letter or
   * digit). Give exactly one of `createWithName` and `arn`.
   * @default - none: give `arn` of an existing access point
   */
  readonly createWithName?: string;
  /**
   * ARN of an existing access point, `arn:aws:s3::<account>:accesspoint/<alias>.mrap`. Give
   * exactly one of `createWithName` and `arn`.
   * @default - the created access point
   */
  readonly arn?: string;
}

/** Props of `FailoverController`. */
export interface FailoverControllerProps extends RoleOptions {
  /**
   * The probe whose composite alarm ("source region impaired") triggers the controller. It must
   * be in the same stack as the controller (the replica region's), and its `interval` at most
   * 1 hour (the controller reads its datapoints back at that period).
   */
  readonly probe: ReplicationProbe;
  /**
   * `FailoverMode.AUTOMATIC` changes routing once the alarm and the probe's data confirm the
   * outage; `FailoverMode.APPROVAL` records the decision and notifies with the command that
   * approves it; `FailoverMode.DRY_RUN` records what it would do and changes nothing.
   * @default FailoverMode.APPROVAL
   */
  readonly mode?: FailoverMode;
  /**
   * `FailoverPlan.POINTER`: an SSM parameter per region names the active bucket
   * (`ActiveBucketPointer`); `FailoverPlan.MRAP`: the routes of a Multi-Region Access Point.
   * @default FailoverPlan.POINTER
   */
  readonly plan?: FailoverPlan;
  /**
   * No automatic failover within this time of the last routing change (flapping guard). Whole
   * minutes, from 0 to 7 days; `FailoverMode.AUTOMATIC` needs at least one probe interval.
   * @default Duration.hours(1)
   */
  readonly cooldown?: Duration;
  /**
   * `FailoverPlan.POINTER`: the parameter name, the same in both regions: 1 to 2,048 letters,
   * digits and `_.-/`. Only with `FailoverPlan.POINTER`.
   * @default - `/cdk-s3-dr/<probe name>/active-bucket`
   */
  readonly parameterName?: string;
  /**
   * `FailoverPlan.POINTER`: create the replica region's `ActiveBucketPointer` here. Set false when
   * the stack already has one with the same name. The source region's pointer is always a
   * separate `ActiveBucketPointer` in the source stack (synth warns when the app has none). Only
   * with `FailoverPlan.POINTER`; false needs an `ActiveBucketPointer` of the same name in this
   * region.
   * @default true
   */
  readonly createReplicaPointer?: boolean;
  /**
   * `FailoverPlan.MRAP`: the access point, with exactly one of `createWithName` and `arn`. Only
   * with `FailoverPlan.MRAP`.
   * @default - required with `FailoverPlan.MRAP`
   */
  readonly accessPoint?: FailoverAccessPoint;
  /**
   * Where decision records go (`failover/decisions/`); in this stack's region.
   * @default - the region's shared reports bucket (versioned, KMS-encrypted, TLS-only,
   * access-logged); with `encryptionKey`, a new bucket of this construct's own
   */
  readonly reportsBucket?: s3.IBucket;
  /**
   * Key for a new reports bucket, the log group and the dead-letter queue.
   * @default - the region's shared key
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
  /**
   * The replica replicates back to the source (two-way replication): failback waits for that
   * replication to bring the failover's writes home, instead of repairing the source. Cannot be
   * combined with `failbackRepair`.
   * @default false
   */
  readonly twoWayReplication?: boolean;
  /**
   * With `twoWayReplication`: how long failback waits for the audit from the replica back to the
   * source to pass before it refuses (the pending window). From 0 to 24 hours.
   * @default Duration.minutes(15)
   */
  readonly failbackCatchUp?: Duration;
  /**
   * Without two-way replication: let the controller carry out the repair of the source that a
   * failback needs (invoked with `{"action": "failback", "apply": true}`). Grants its role writes
   * to the source bucket (new versions, tags and delete markers under the prefix) and version
   * reads on the replica, KMS through S3 for the two keys. Off, the role stays read-only and the
   * repair runs from the command line (`cdk-s3-dr failback --apply`) with the operator's
   * credentials. Cannot be combined with `twoWayReplication`.
   * @default false
   */
  readonly failbackRepair?: boolean;
}

/**
 * The failover controller in the replica region. An EventBridge rule starts it when the probe's
 * composite alarm "source region impaired" goes to ALARM; it confirms with CloudWatch (the
 * alarm state and the probe's last datapoints, N of M), respects the cooldown, then, by mode,
 * changes routing (pointer parameters, or Multi-Region Access Point routes), asks for approval,
 * or only records. Every decision is written to the reports bucket; with the probe's topic the
 * outcome is published there too. Nothing it needs runs in the source region.
 */
export class FailoverController extends Construct {
  /** The controller function (its role, log group and dead-letter queue are its properties). */
  readonly handler: lambda.Function;
  private readonly drFunction: DrFunction;
  /** Where decision records go (`failover/decisions/`). */
  readonly reportsBucket: s3.IBucket;
  /** What the controller may do when the alarm fires. */
  readonly mode: FailoverMode;
  /** How clients find the active bucket. */
  readonly plan: FailoverPlan;
  /** `FailoverPlan.POINTER`: the parameter name (both regions). */
  readonly parameterName?: string;
  /** `FailoverPlan.POINTER`: the pointer created in this (the replica) region. */
  readonly replicaPointer?: ActiveBucketPointer;
  /** `FailoverPlan.MRAP`: the access point ARN. */
  readonly accessPointArn?: string;
  /** The rule that starts the controller. */
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: FailoverControllerProps) {
    super(scope, id);
    applyPermissionsBoundary(this, props.permissionsBoundary);
    const stack = Stack.of(this);
    throwIfInvalid(this, validateController(stack, props));
    validateAtSynth(this, () => missingPointerProblems(this, props));
    const probe = props.probe;
    const pair: ReplicationPair = probe.pair;
    // The enums' values are the contract's (a test pins them), so its defaults apply as they are.
    this.mode = props.mode ?? (failover.DEFAULTS.mode as FailoverMode);
    this.plan = props.plan ?? (failover.DEFAULTS.plan as FailoverPlan);

    const { key, reportsBucket } = handlerDefaults(this, props);
    this.reportsBucket = reportsBucket;

    if (this.plan === FailoverPlan.POINTER) {
      this.parameterName = props.parameterName ?? defaultPointerName(probe.probeName);
      if (props.createReplicaPointer !== false) {
        this.replicaPointer = new ActiveBucketPointer(this, 'ReplicaPointer', {
          parameterName: this.parameterName,
          bucketName: pair.sourceBucketName,
          bucketRegion: pair.sourceRegion,
        });
      }
    } else {
      this.accessPointArn = props.accessPoint?.arn ?? this.createAccessPoint(props.accessPoint!.createWithName!, pair);
    }

    const settings: failover.FailoverSettings = {
      plan: this.plan,
      mode: this.mode,
      source: { bucket: pair.sourceBucketName, region: pair.sourceRegion },
      replica: { bucket: pair.replicaBucketName, region: pair.replicaRegion },
      ...(this.parameterName ? { parameterName: this.parameterName } : {}),
      ...(this.accessPointArn ? { mrapArn: this.accessPointArn, accountId: stack.account } : {}),
      alarmName: probe.sourceImpairedAlarm.alarmName,
      metricsRegion: stack.region,
      probeName: probe.probeName,
      periodSeconds: probe.interval.toSeconds(),
      confirm: {
        failing: probe.confirm.failing,
        window: probe.confirm.window,
        lagThresholdSeconds: probe.lagThreshold.toSeconds(),
      },
      cooldownMinutes: (props.cooldown ?? Duration.minutes(failover.DEFAULTS.cooldownMinutes)).toMinutes(),
      reports: {
        bucket: this.reportsBucket.bucketName,
        region: stack.region,
        prefix: failover.DEFAULTS.reportsPrefix,
      },
      ...(props.twoWayReplication ? { twoWayReplication: true } : {}),
      ...(props.failbackCatchUp ? { failbackCatchUpSeconds: props.failbackCatchUp.toSeconds() } : {}),
    };

    // A source in another account names this role in its policies: give it a fixed name.
    const roleName = isCrossAccountSource(this, pair.sourceAccount) ? drRoleName(this) : undefined;
    this.drFunction = new DrFunction(this, 'Handler', {
      handler: 'failover',
      roleName,
      description: `Failover controller (${this.mode}, ${this.plan}) for s3://${pair.sourceBucketName} (cdk-s3-dr)`,
      encryptionKey: key,
      timeout: Duration.minutes(5),
      memorySize: 512,
      vpc: props.vpc,
      removalPolicy: props.removalPolicy,
      environment: failover.toEnv(settings, envEncoding(stack)),
    });
    this.handler = this.drFunction.function;
    this.grant(props);
    registerDrConsumer(this, {
      sourceBucketName: pair.sourceBucketName,
      sourceRegion: pair.sourceRegion,
      sourceAccount: pair.sourceAccount,
      roleName,
      needs: [
        {
          kind: 'Failback',
          bucketActions: FAILBACK_BUCKET_ACTIONS,
          objectActions: FAILBACK_OBJECT_ACTIONS,
          objectPrefix: pair.prefix ?? '',
          keyActions: [],
        },
        // The approved repair writes the source: what FailbackRepairPolicy asks of it, granted there too.
        ...(props.failbackRepair
          ? [
              {
                kind: 'Repair' as const,
                bucketActions: ['s3:ListBucketVersions'],
                objectActions: ['s3:GetObjectVersion', ...REPAIR_WRITE_ACTIONS, ...REPAIR_DELETE_ACTIONS],
                objectPrefix: pair.prefix ?? '',
                keyActions: ['kms:GenerateDataKey', 'kms:Decrypt'],
              },
            ]
          : []),
      ],
    });

    // The outcome (decision, reasons, approve command) goes to the probe's topic, when it has one.
    if (probe.topic) {
      this.handler.configureAsyncInvoke({
        onSuccess: new lambda_destinations.SnsDestination(probe.topic),
        onFailure: new lambda_destinations.SnsDestination(probe.topic),
        retryAttempts: 2,
      });
    }

    this.rule = new events.Rule(this, 'OnSourceImpaired', {
      description: `Starts the failover controller when ${pair.sourceRegion} is impaired for s3://${pair.sourceBucketName} (cdk-s3-dr)`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: [probe.sourceImpairedAlarm.alarmArn],
        detail: { state: { value: ['ALARM'] } },
      },
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
  }

  private createAccessPoint(name: string, pair: ReplicationPair): string {
    const stack = Stack.of(this);
    const mrap = new s3.CfnMultiRegionAccessPoint(this, 'AccessPoint', {
      name,
      regions: [{ bucket: pair.sourceBucketName }, { bucket: pair.replicaBucketName }],
      publicAccessBlockConfiguration: {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
    });
    return `arn:${stack.partition}:s3::${stack.account}:accesspoint/${mrap.attrAlias}`;
  }

  private grant(props: FailoverControllerProps) {
    const stack = Stack.of(this);
    const pair = props.probe.pair;
    const policy = new iam.ManagedPolicy(this, 'ControllerPolicy', {
      description: `Failover controller ${this.node.path}: read its alarm and the probe's data, change routing, record decisions`,
      roles: [this.drFunction.role],
    });
    policy.addStatements(
      new iam.PolicyStatement({
        sid: 'ReadTheAlarm',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: [props.probe.sourceImpairedAlarm.alarmArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReadProbeDatapoints',
        actions: ['cloudwatch:GetMetricData'],
        resources: ['*'],
      }),
    );
    if (this.parameterName) {
      policy.addStatements(
        new iam.PolicyStatement({
          sid: 'ReadWritePointers',
          actions: ['ssm:GetParameter', 'ssm:PutParameter'],
          resources: [pair.replicaRegion, pair.sourceRegion].map((r) => parameterArn(stack, r, this.parameterName!)),
        }),
      );
    }
    if (this.accessPointArn) {
      policy.addStatements(
        new iam.PolicyStatement({
          sid: 'ReadChangeRoutes',
          actions: ['s3:GetMultiRegionAccessPointRoutes', 's3:SubmitMultiRegionAccessPointRoutes'],
          resources: [this.accessPointArn],
        }),
      );
    }
    policy.addStatements(
      new iam.PolicyStatement({
        sid: 'WriteReadDecisions',
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [this.reportsBucket.arnForObjects('failover/decisions/*')],
      }),
      new iam.PolicyStatement({
        sid: 'ListDecisions',
        actions: ['s3:ListBucket'],
        resources: [this.reportsBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': ['failover/decisions/*'] } },
      }),
    );
    const reportsKey = this.reportsBucket.encryptionKey;
    if (reportsKey) {
      policy.addStatements(
        new iam.PolicyStatement({
          sid: 'EncryptDecryptDecisions',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [reportsKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      );
    }
    acknowledgeWildcardResources(policy, {
      's3-objects': WILDCARD_REASONS.FAILOVER_DECISIONS,
      'no-resource-level': WILDCARD_REASONS.FAILOVER_GET_METRIC_DATA,
    });

    // Failback audits the replica back against the source first: read-only listing and HEAD on
    // both buckets, exactly what ConsistencyAudit has; nothing that writes to either.
    const audit = new iam.ManagedPolicy(this, 'FailbackAuditPolicy', {
      description: `Failover controller ${this.node.path}: read-only audit of both buckets before a failback`,
      roles: [this.drFunction.role],
    });
    audit.addStatements(
      ...auditReadStatements(stack, pair, { list: FAILBACK_BUCKET_ACTIONS, head: FAILBACK_OBJECT_ACTIONS }),
    );
    acknowledgeWildcardResources(audit, { 's3-objects': WILDCARD_REASONS.AUDIT_READ });
    if (props.failbackRepair) this.grantFailbackRepair(pair);
  }

  /**
   * The approved repair of the source before a failback (one-way replication): it lists versions
   * on both sides, reads versions and tags of the replica, and writes new versions, tags and
   * delete markers to the source; never deletes a version.
   */
  private grantFailbackRepair(pair: ReplicationPair) {
    const repair = new iam.ManagedPolicy(this, 'FailbackRepairPolicy', {
      description: `Failover controller ${this.node.path}: the approved repair of the source before a failback`,
      roles: [this.drFunction.role],
    });
    // Audits versions, copies to the source and writes delete markers where the replica deleted.
    repair.addStatements(
      ...repairStatements(Stack.of(this), pair, { to: 'source', allowDelete: true, listVersions: true }),
    );
    acknowledgeWildcardResources(repair, {
      's3-objects': WILDCARD_REASONS.FAILBACK_REPAIR,
      'kms-keys-by-alias': WILDCARD_REASONS.REPAIR_KEY_BY_ALIAS,
    });
  }
}

/** The failback audit on each bucket: list and HEAD, nothing that writes. */
const FAILBACK_BUCKET_ACTIONS = ['s3:ListBucket'];
const FAILBACK_OBJECT_ACTIONS = ['s3:GetObject'];

function validateController(stack: Stack, p: FailoverControllerProps): PropProblem[] {
  const problems: PropProblem[] = [];
  const known = (v: string | undefined): v is string => v !== undefined && !Token.isUnresolved(v);
  if (p.failbackRepair && p.twoWayReplication) {
    problems.push({
      prop: 'failbackRepair',
      value: true,
      problem: 'with twoWayReplication failback waits for the reverse replication and never repairs',
      fix: 'drop failbackRepair, or drop twoWayReplication when the replica does not replicate back',
    });
  }
  if (p.failbackCatchUp !== undefined && !p.failbackCatchUp.isUnresolved()) {
    const seconds = p.failbackCatchUp.toSeconds();
    const { min, max } = failover.LIMITS.failbackCatchUpSeconds;
    if (seconds < min || seconds > max) {
      problems.push({
        prop: 'failbackCatchUp',
        value: p.failbackCatchUp.toHumanString(),
        problem: 'the pending window of a failback is out of range',
        fix: 'use a duration from 0 to 24 hours, e.g. Duration.minutes(15)',
      });
    }
  }
  if (p.mode !== undefined && !(failover.FAILOVER_MODES as readonly string[]).includes(p.mode)) {
    problems.push({
      prop: 'mode',
      value: p.mode,
      problem: 'unknown mode',
      fix: 'use FailoverMode.AUTOMATIC, FailoverMode.APPROVAL or FailoverMode.DRY_RUN',
    });
  }
  const plan: string = p.plan ?? failover.DEFAULTS.plan;
  if (!(failover.FAILOVER_PLANS as readonly string[]).includes(plan)) {
    problems.push({
      prop: 'plan',
      value: p.plan,
      problem: 'unknown plan',
      fix: 'use FailoverPlan.POINTER or FailoverPlan.MRAP',
    });
  }
  const { cooldownMinutes, periodSeconds } = failover.LIMITS;
  problems.push(
    ...checkDuration(
      'cooldown',
      p.cooldown,
      cooldownMinutes.min * 60,
      cooldownMinutes.max * 60,
      'use for example Duration.hours(1)',
    ),
  );
  if (p.cooldown && !p.cooldown.isUnresolved() && !Number.isInteger(p.cooldown.toMinutes({ integral: false }))) {
    problems.push({
      prop: 'cooldown',
      value: p.cooldown.toHumanString(),
      problem: 'the controller counts the cooldown in whole minutes',
      fix: 'use whole minutes, for example Duration.hours(1)',
    });
  }
  // The controller reads the probe's datapoints back at the probe's interval.
  problems.push(
    ...checkDuration(
      'probe.interval',
      p.probe?.interval,
      periodSeconds.min,
      periodSeconds.max,
      'give the probe an interval of at most 1 hour',
    ),
  );
  // Automatic mode: the cooldown is the only guard against flapping between regions. Below one
  // probe interval no new datapoint can arrive in between, so it guards nothing.
  if (
    (p.mode ?? FailoverMode.APPROVAL) === FailoverMode.AUTOMATIC &&
    p.probe?.interval &&
    !p.probe.interval.isUnresolved()
  ) {
    problems.push(
      ...checkDuration(
        'cooldown',
        p.cooldown ?? Duration.hours(1),
        p.probe.interval.toSeconds(),
        Infinity,
        `automatic failover needs a cooldown of at least one probe interval (${p.probe.interval.toHumanString()}) to stop flapping: use for example Duration.hours(1), or FailoverMode.APPROVAL`,
      ),
    );
  }
  problems.push(
    ...checkSameRegion(
      'reportsBucket',
      'the reports bucket',
      p.reportsBucket?.env.region,
      stack.region,
      p.reportsBucket?.bucketName,
    ),
  );
  if (plan === FailoverPlan.POINTER) {
    if (known(p.parameterName) && !PARAMETER_NAME.test(p.parameterName)) {
      problems.push({
        prop: 'parameterName',
        value: p.parameterName,
        problem: 'not a valid SSM parameter name',
        fix: 'use letters, digits and _.-/ only, for example /my-app/s3-active',
      });
    }
    if (p.accessPoint) {
      problems.push({
        prop: 'accessPoint',
        value: p.accessPoint,
        problem: 'only used with FailoverPlan.MRAP',
        fix: 'remove accessPoint, or set plan: FailoverPlan.MRAP',
      });
    }
  }
  if (plan === FailoverPlan.MRAP) {
    const ap = p.accessPoint;
    if (!ap || (ap.arn === undefined) === (ap.createWithName === undefined)) {
      problems.push({
        prop: 'accessPoint',
        value: ap,
        problem: 'FailoverPlan.MRAP needs exactly one of accessPoint.arn and accessPoint.createWithName',
        fix: "give accessPoint: { createWithName: 'my-app' } or { arn: 'arn:aws:s3::123456789012:accesspoint/abc.mrap' }",
      });
    }
    if (known(ap?.arn) && !/^arn:aws[a-z-]*:s3::\d{12}:accesspoint\/[a-zA-Z0-9.-]+\.mrap$/.test(ap.arn)) {
      problems.push({
        prop: 'accessPoint.arn',
        value: ap.arn,
        problem: 'not a Multi-Region Access Point ARN',
        fix: 'use arn:aws:s3::<account>:accesspoint/<alias>.mrap',
      });
    }
    if (known(ap?.createWithName) && !/^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$/.test(ap.createWithName)) {
      problems.push({
        prop: 'accessPoint.createWithName',
        value: ap.createWithName,
        problem: 'a Multi-Region Access Point name is 3-50 lower-case letters, digits and hyphens',
        fix: 'use for example "orders-dr"',
      });
    }
    if (p.parameterName !== undefined || p.createReplicaPointer !== undefined) {
      problems.push({
        prop: p.parameterName !== undefined ? 'parameterName' : 'createReplicaPointer',
        value: p.parameterName ?? p.createReplicaPointer,
        problem: 'only used with FailoverPlan.POINTER',
        fix: 'remove it, or set plan: FailoverPlan.POINTER',
      });
    }
  }
  if (p.probe && Stack.of(p.probe) !== stack) {
    problems.push({
      prop: 'probe',
      value: p.probe.node.path,
      problem: `the probe is in another stack (${Stack.of(p.probe).stackName}); the controller reads its composite alarm, which only works in the same region`,
      fix: "create the controller in the probe's stack, in the replica region",
    });
  }
  return problems;
}

/** Every `ActiveBucketPointer` of the app, with a known name. */
function pointersOf(scope: Construct): ActiveBucketPointer[] {
  return scope.node.root.node
    .findAll()
    .filter((c): c is ActiveBucketPointer => c instanceof ActiveBucketPointer)
    .filter((c) => !Token.isUnresolved(c.parameterName));
}

/**
 * Plan `pointer`: the controller rewrites the pointer of both regions. Without one in the replica
 * region it can change nothing (an error); without one in the source region, clients there read
 * nothing (a warning: the source stack may live in another app).
 */
function missingPointerProblems(controller: FailoverController, p: FailoverControllerProps): PropProblem[] {
  const name = controller.parameterName;
  if (controller.plan !== FailoverPlan.POINTER || name === undefined || Token.isUnresolved(name)) return [];
  const pair = p.probe.pair;
  const named = pointersOf(controller).filter((c) => c.parameterName === name);
  const inRegion = (r: string) => named.some((c) => Stack.of(c).region === r);
  if (!inRegion(Stack.of(controller).region)) {
    return [
      {
        prop: 'createReplicaPointer',
        value: p.createReplicaPointer,
        problem: `FailoverPlan.POINTER without a pointer: no ActiveBucketPointer named "${name}" in ${Stack.of(controller).region}, so a failover has nothing to change`,
        fix: 'leave createReplicaPointer unset (true), or add an ActiveBucketPointer with parameterName: controller.parameterName to this stack',
      },
    ];
  }
  if (!Token.isUnresolved(pair.sourceRegion) && !inRegion(pair.sourceRegion)) {
    Annotations.of(controller).addWarningV2(
      'cdk-s3-dr:no-source-pointer',
      `no ActiveBucketPointer named "${name}" in ${pair.sourceRegion} in this app: clients in the source region have no pointer to read; add one to the source stack with parameterName: controller.parameterName`,
    );
  }
  return [];
}

/** A pointer no controller of the app rewrites names nothing a failover changes. */
function pointerNameProblems(pointer: ActiveBucketPointer): PropProblem[] {
  if (Token.isUnresolved(pointer.parameterName)) return [];
  const names = pointer.node.root.node
    .findAll()
    .filter((c): c is FailoverController => c instanceof FailoverController && c.plan === FailoverPlan.POINTER)
    .map((c) => c.parameterName);
  if (names.length === 0 || names.some((n) => n === undefined || Token.isUnresolved(n))) return [];
  if (names.includes(pointer.parameterName)) return [];
  return [
    {
      prop: 'parameterName',
      value: pointer.parameterName,
      problem: `no FailoverController of this app rewrites this pointer (theirs: ${names.map((n) => `"${n}"`).join(', ')})`,
      fix: 'pass parameterName: controller.parameterName',
    },
  ];
}
