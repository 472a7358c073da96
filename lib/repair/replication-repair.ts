import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { AuditMode } from '../audit/consistency-audit';
import { drRoleName, isCrossAccountSource, registerDrConsumer } from '../private/dr-access';
import { DrFunction } from '../private/dr-function';
import { envEncoding } from '../private/env-encoding';
import { PropProblem, throwIfInvalid } from '../private/errors';
import { acknowledgeWildcardResources, WILDCARD_REASONS } from '../private/nag';
import { sameSideProblems } from '../private/pair-problems';
import { applyPermissionsBoundary } from '../private/permissions-boundary';
import { RegionalDefaults } from '../private/regional-defaults';
import {
  REPAIR_DELETE_ACTIONS,
  REPAIR_READ_ACTIONS,
  REPAIR_WRITE_ACTIONS,
  auditActions,
  auditReadStatements,
  repairStatements,
} from '../private/repair-grants';
import { checkLagWindow, checkPrefix, checkWholeNumber } from '../private/validate';
import { ReplicationPair } from '../replication/replication-pair';
import { RoleOptions } from '../shared/handler-options';
import * as repair from '../../lambda/repair/contract';

/** The side a repair writes to. */
export enum RepairTarget {
  /** Copy what the replica lacks from the source (objects replication never carried). */
  REPLICA = 'replica',
  /** Copy what the source lacks from the replica: the writes of a failover, brought home. */
  SOURCE = 'source',
}

/**
 * Props of `ReplicationRepair`. The pair props come from `ReplicationPairs.of(...)` (or
 * `TwoWayReplication.firstToSecond` / `secondToFirst`).
 */
export interface ReplicationRepairProps extends ReplicationPair, RoleOptions {
  /**
   * The side the function writes to, the only one its role may write; the other is only read.
   * @default RepairTarget.REPLICA
   */
  readonly to?: RepairTarget;
  /**
   * Let an invocation with `"delete": true` remove what exists only on the written side (a
   * delete marker where the bucket is versioned). Without it the role has no `s3:DeleteObject`
   * and such an event is refused before any request.
   * @default false
   */
  readonly allowDelete?: boolean;
  /**
   * How the repair's audit compares: current objects, or every version and delete marker
   * (`AuditMode.VERSIONS`, which also copies deletions as delete markers, as a failback does).
   * @default AuditMode.CURRENT
   */
  readonly mode?: AuditMode;
  /**
   * Differences younger than this are left to replication (`pending`), not copied; an event's
   * `lagWindowSeconds` overrides it. Whole seconds, at most 7 days.
   * @default Duration.minutes(15)
   */
  readonly lagWindow?: Duration;
  /**
   * Key for the function's log group and dead-letter queue.
   * @default - the region's shared key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Lambda memory in MiB, from 128 to 10,240.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Run the function in this VPC (it needs routes to S3, KMS and CloudWatch Logs).
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * What happens to the log group and the dead-letter queue when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The repair of `cdk-s3-dr repair` as a Lambda function for one pair and one direction, deployed
 * in the replica region (the side that survives a source outage): an invocation audits the pair,
 * and with `{ "apply": true }` copies every object missing or different on the written side, and
 * only those, keeping content type, metadata, tags and checksums, never overwriting what is newer
 * there (a conflict). It starts no write in its last 30 seconds and returns
 * `status: "partial"`; invoking it again finishes the work (it audits again, so nothing is copied
 * twice). One run at a time (reserved concurrency 1). Nothing invokes it on a schedule: an
 * operator, a state machine or a runbook does, through `grantInvoke`.
 */
export class ReplicationRepair extends Construct {
  /** The repair function (its role, log group and dead-letter queue are its properties). */
  readonly handler: lambda.Function;
  /** The side the function writes to. */
  readonly to: RepairTarget;
  private readonly drFunction: DrFunction;

  constructor(scope: Construct, id: string, props: ReplicationRepairProps) {
    super(scope, id);
    applyPermissionsBoundary(this, props.permissionsBoundary);
    const stack = Stack.of(this);
    throwIfInvalid(this, validateRepair(stack, props));

    this.to = props.to ?? RepairTarget.REPLICA;
    const mode = props.mode ?? AuditMode.CURRENT;
    const allowDelete = props.allowDelete ?? false;
    const prefix = props.prefix ?? '';
    const key = props.encryptionKey ?? RegionalDefaults.of(this).key(this, props.removalPolicy);
    const roleName = isCrossAccountSource(this, props.sourceAccount) ? drRoleName(this) : undefined;
    this.drFunction = new DrFunction(this, 'Handler', {
      handler: 'repair',
      roleName,
      description: `Repair of ${props.sourceBucketName} -> ${props.replicaBucketName}, writing to the ${this.to} (cdk-s3-dr)`,
      encryptionKey: key,
      timeout: Duration.minutes(15),
      memorySize: props.memorySize ?? 1024,
      reservedConcurrentExecutions: 1,
      vpc: props.vpc,
      removalPolicy: props.removalPolicy,
      environment: repair.toEnv(
        {
          source: { bucket: props.sourceBucketName, region: props.sourceRegion, prefix },
          replica: { bucket: props.replicaBucketName, region: props.replicaRegion, prefix },
          to: this.to,
          allowDelete,
          lagWindowSeconds: props.lagWindow?.toSeconds() ?? repair.DEFAULTS.lagWindowSeconds,
          mode,
        },
        envEncoding(stack),
      ),
    });
    this.handler = this.drFunction.function;

    const versions = mode === AuditMode.VERSIONS;
    const { list, head } = auditActions(versions);
    const policy = new iam.ManagedPolicy(this, 'RepairPolicy', {
      description: `Repair ${this.node.path}: audit both buckets, read the ${this.to === RepairTarget.SOURCE ? 'replica' : 'source'}, write the ${this.to}`,
      roles: [this.drFunction.role],
    });
    policy.addStatements(...auditReadStatements(stack, props, { list: ['s3:ListBucket'], head: ['s3:GetObject'] }));
    policy.addStatements(...repairStatements(stack, props, { to: this.to, allowDelete, listVersions: versions }));
    acknowledgeWildcardResources(policy, {
      's3-objects': WILDCARD_REASONS.REPAIR_OBJECTS,
      'kms-keys-by-alias': WILDCARD_REASONS.REPAIR_KEY_BY_ALIAS,
    });

    // A source in another account grants exactly this in its bucket (and key) policy.
    const writesSource = this.to === RepairTarget.SOURCE;
    registerDrConsumer(this, {
      sourceBucketName: props.sourceBucketName,
      sourceRegion: props.sourceRegion,
      sourceAccount: props.sourceAccount,
      roleName,
      needs: [
        {
          kind: 'Repair',
          bucketActions: list,
          objectActions: writesSource
            ? [...head, ...REPAIR_WRITE_ACTIONS, ...(allowDelete ? REPAIR_DELETE_ACTIONS : [])]
            : [...new Set([...head, ...REPAIR_READ_ACTIONS])],
          objectPrefix: prefix,
          keyActions: writesSource ? ['kms:GenerateDataKey', 'kms:Decrypt'] : ['kms:Decrypt'],
        },
      ],
    });
  }

  /** Let `grantee` invoke the repair (`lambda:InvokeFunction` on this function only). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.handler.grantInvoke(grantee);
  }
}

function validateRepair(stack: Stack, props: ReplicationRepairProps): PropProblem[] {
  const problems: PropProblem[] = [
    ...sameSideProblems(stack, props),
    ...checkPrefix('prefix', props.prefix),
    ...checkLagWindow('lagWindow', props.lagWindow),
    ...checkWholeNumber('memorySize', props.memorySize, 128, 10_240, 'use for example 1024'),
  ];
  if (props.to !== undefined && !repair.REPAIR_TARGETS.includes(props.to)) {
    problems.push({
      prop: 'to',
      value: props.to,
      problem: 'unknown side',
      fix: 'use RepairTarget.REPLICA or RepairTarget.SOURCE',
    });
  }
  if (props.mode !== undefined && !repair.REPAIR_MODES.includes(props.mode)) {
    problems.push({
      prop: 'mode',
      value: props.mode,
      problem: 'unknown audit mode',
      fix: 'use AuditMode.CURRENT or AuditMode.VERSIONS',
    });
  }
  return problems;
}
