import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { flattenCfnReference } from './finding-resource';

/** One cdk-nag acknowledgement: the granular finding ids it covers and the reason an auditor reads. */
export interface NagAcknowledgement {
  readonly ids: readonly string[];
  readonly reason: string;
}

const PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];
const inCompliancePacks = (rule: string) => PACKS.map((p) => `${p}-${rule}`);

/**
 * Every acknowledgement this library makes, with its reason. docs/security.md lists these; a
 * test checks that the list there and this one agree.
 */
export const NAG = {
  LOG_BUCKET_SSE_S3: {
    ids: inCompliancePacks('S3DefaultEncryptionKMS'),
    reason:
      'S3 server access log delivery only writes to buckets encrypted with SSE-S3 (AES256); a KMS default key would make log delivery fail.',
  },
  LOG_BUCKET_NOT_REPLICATED: {
    ids: inCompliancePacks('S3BucketReplicationEnabled'),
    reason:
      'Access logs are kept in the region whose requests they record; they are audit evidence, not data to fail over, and each region has its own.',
  },
  REPLICA_NOT_REPLICATED: {
    ids: inCompliancePacks('S3BucketReplicationEnabled'),
    reason:
      'This bucket is itself the cross-region replica (the destination of replication); replicating it again would add a third copy, not disaster recovery.',
  },
  REPORTS_NOT_REPLICATED: {
    ids: inCompliancePacks('S3BucketReplicationEnabled'),
    reason:
      'Audit and drill reports are written in the replica region, the side that must survive a source outage; they are versioned evidence about the replication, not data to fail over.',
  },
  SCRATCH_NOT_REPLICATED: {
    ids: inCompliancePacks('S3BucketReplicationEnabled'),
    reason:
      'The restore target is scratch space for drills: each drill removes what it wrote, and lifecycle rules expire anything left within two days; replicating it would copy throwaway data.',
  },
  STATE_MACHINE_NO_XRAY: {
    ids: ['AwsSolutions-SF2'],
    reason:
      'Executions are logged at level ALL to a KMS-encrypted log group, and the audit reports carry request counts and durations; X-Ray would add an xray:* permission on every resource for no additional evidence.',
  },
  LAMBDA_OUTSIDE_VPC: {
    ids: inCompliancePacks('LambdaInsideVPC'),
    reason:
      'The function calls only AWS regional APIs (S3, KMS, CloudWatch) and reaches no private resource; it runs outside a VPC unless the vpc prop is set, which places it in the given subnets.',
  },
  HANDLER_RUNTIME: {
    ids: ['AwsSolutions-L1'],
    reason:
      'The bundled handlers run on nodejs24.x, a runtime Lambda supports, which each release of cdk-s3-dr fixes so that upgrading aws-cdk-lib does not change the runtime of deployed functions. The installed aws-cdk-lib knows a newer Node.js runtime, which a later release of cdk-s3-dr moves to. Made only when aws-cdk-lib knows a newer one.',
  },
  EVENT_TARGET_DLQ: {
    ids: ['AwsSolutions-SQS3'],
    reason:
      'This queue is itself the dead-letter queue of an EventBridge rule target (events that could not be delivered land here); a dead-letter queue of a dead-letter queue adds nothing.',
  },
} satisfies Record<string, NagAcknowledgement>;

/**
 * The CloudFormation resource a finding is reported on: the construct itself when it is one, else
 * its default child (the `Resource` of an L2). An acknowledgement recorded on an L2 would also be
 * written into the template metadata of every resource below it (a bucket's policy, a function's
 * event invoke config), where the finding cannot occur.
 */
export function findingTarget(scope: IConstruct): IConstruct {
  if (CfnResource.isCfnResource(scope)) return scope;
  const child = scope.node.defaultChild;
  return child && CfnResource.isCfnResource(child) ? child : scope;
}

export function acknowledge(scope: IConstruct, ack: NagAcknowledgement): void {
  const target = findingTarget(scope);
  for (const id of ack.ids) Validations.of(target).acknowledge({ id, reason: ack.reason });
}

/** Acknowledges one granular AwsSolutions-IAM5 finding (a wildcard resource) on a policy. */
export function acknowledgeWildcard(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(findingTarget(scope)).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
}

/** The kinds of wildcard resource this library grants, each acknowledged with its own reason. */
export type WildcardKind =
  's3-objects' | 'kms-keys-by-alias' | 'function-versions' | 'state-machine-executions' | 'no-resource-level';

/** The reasons for wildcard resources, by policy; docs/security.md lists each. */
export const WILDCARD_REASONS = {
  REPLICATION_OBJECTS:
    'S3 replication reads every object version it replicates and writes every replica; the statement is scoped to the source bucket (and replicated prefixes) and to each destination bucket and prefix.',
  REPLICATION_KEY_BY_ALIAS:
    'The replica key lives in another region and is referenced by its alias ARN (a key ARN is not known before that stack deploys); IAM matches key ARNs, so the resource names the keys of that account and region and kms:ResourceAliases narrows it to the one alias, together with kms:ViaService and the replica bucket as encryption context.',
  AUDIT_READ:
    'The audit compares every object of both buckets; it may only read object metadata (HEAD needs s3:GetObject) under the audited prefix, and writes nothing to either bucket.',
  AUDIT_INVENTORY:
    'An inventory audit reads the S3 Inventory reports of both buckets: the manifests and data files S3 writes under each inventory configuration folder, whose names are dated and generated; list and read only under those folders.',
  AUDIT_INVENTORY_KEY_BY_ALIAS:
    'The inventory reports bucket of the other region is encrypted with a key named by its alias ARN; IAM matches key ARNs, so the resource names the keys of that account and region and kms:ResourceAliases narrows it to the one alias, with kms:ViaService and that reports bucket as encryption context.',
  FAILBACK_REPAIR:
    'The approved failback repair (failbackRepair) copies to the source every object the replica holds and the source lacks or holds older, and writes a delete marker where the replica deleted one, under the pair prefix; it reads versions and tags of the replica there and never deletes a version.',
  REPAIR_OBJECTS:
    'The repair function copies to its written side every object the other side holds and the written side lacks or holds older, under the pair prefix; object keys are not known in advance. It reads versions and tags of the side it copies from, writes objects and tags (and, only when deployed with allowDelete, delete markers) on the written side, and never deletes a version.',
  REPAIR_KEY_BY_ALIAS:
    'A key of the pair named by its alias ARN (a two-way pair): IAM matches key ARNs, so the resource names the keys of that account and region and kms:ResourceAliases narrows it to the one alias, with kms:ViaService and the bucket as encryption context.',
  AUDIT_REPORTS:
    'The audit writes its JSON reports and JSON Lines files under the audits/ prefix of its reports bucket, a new key per run, and reads them back to build a report and to merge the ranges of a distributed run.',
  DRILL_OBJECTS:
    'A drill reads the sampled object versions of the replica and the same versions of the source, and writes, reads back and deletes only under its own prefix of the restore target; object keys are not known in advance.',
  DRILL_KEYS_BY_ALIAS:
    "The source and replica keys are referenced by alias ARN from their own region's stacks; IAM matches key ARNs, so the resource names the keys of that account and region, narrowed to the one alias by kms:ResourceAliases and to S3 in that region by kms:ViaService.",
  DRILL_REPORTS:
    'The drill writes its JSON reports under the drills/ prefix of its reports bucket, a new key per drill.',
  FUNCTION_VERSIONS:
    'Invokes exactly this one function; the ":*" form that aws-cdk-lib adds covers its published versions and aliases, nothing else.',
  DISTRIBUTED_MAP_EXECUTIONS:
    'What a Distributed Map needs (the statements aws-cdk-lib adds for one): start this one state machine, describe and stop its executions, and redrive the child executions of its map runs; Step Functions names executions per run, so the resources are the executions of this state machine and nothing narrower exists.',
  NO_RESOURCE_LEVEL:
    'The CloudWatch Logs log-delivery actions Step Functions needs for execution logging (CreateLogDelivery, GetLogDelivery, ...) support no resource-level permissions; "*" is the only resource AWS accepts.',
  PROBE_CANARIES:
    'The probe writes, reads back and deletes (by version id) only its own canaries under .cdk-s3-dr/canary/<probe>/ of the source, and reads only that prefix of the replica; each canary has a new key.',
  PROBE_SOURCE_KEY_BY_ALIAS:
    "The source key is referenced by alias ARN from the source region's stack; IAM matches key ARNs, so the resource names the keys of that account and region, narrowed to the one alias by kms:ResourceAliases and to S3 in the source region by kms:ViaService.",
  FAILOVER_DECISIONS:
    'The failover controller writes and reads its decision records under failover/decisions/ of its reports bucket, a new key per decision.',
  FAILOVER_GET_METRIC_DATA:
    'cloudwatch:GetMetricData supports no resource-level permissions; "*" is the only resource AWS accepts. The failover controller uses it only to read the probe\'s datapoints before deciding.',
  BACKFILL_OBJECTS:
    'A Batch Replication job initiates replication of the objects its generated manifest lists, whose keys are not known in advance, under the source prefix only; it writes its generated manifest and completion report, and reads the manifest back, only under the backfill prefix of the reports bucket.',
  BACKFILL_CREATE_JOB:
    's3:CreateJob supports no resource-level permissions; "*" is the only resource AWS accepts. The statement is limited to replication jobs by s3:RequestJobOperation, and a job can only run with the one role this function may pass.',
  BACKFILL_JOBS:
    'Job ids are issued by S3 when a job is created, so the resource names the Batch Operations jobs of this account and region; s3:ExistingJobOperation limits describing, confirming and cancelling to replication jobs.',
} as const;

/** For roles that invoke a function and log to CloudWatch Logs (state machines, schedules). */
export const INVOKER_WILDCARDS: Partial<Record<WildcardKind, string>> = {
  'function-versions': WILDCARD_REASONS.FUNCTION_VERSIONS,
  'no-resource-level': WILDCARD_REASONS.NO_RESOURCE_LEVEL,
};

function kindOf(flat: string): WildcardKind {
  if (flat === '*') return 'no-resource-level';
  if (/:kms:/.test(flat)) return 'kms-keys-by-alias';
  if (/Function[0-9A-F]*\.Arn>:\*$/.test(flat) || /:function:[^/]*:\*$/.test(flat)) return 'function-versions';
  if (/:states:.*:execution:/.test(flat)) return 'state-machine-executions';
  return 's3-objects';
}

/**
 * Acknowledges, one granular finding at a time, the AwsSolutions-IAM5 findings for the wildcard
 * resources currently in the policy, each with the reason given for its kind; a wildcard of a
 * kind without a reason stays a finding. Statements added to the policy later are not covered:
 * they need their own review.
 */
export function acknowledgeWildcardResources(
  policy: iam.ManagedPolicy | iam.Policy,
  reasons: Partial<Record<WildcardKind, string>>,
): void {
  const doc = Stack.of(policy).resolve(policy.document.toJSON()) as {
    Statement?: Array<{ Effect: string; Resource?: unknown }>;
  };
  // cdk-nag reports a wildcard resource once per policy, however many statements name it.
  const seen = new Set<string>();
  for (const st of doc.Statement ?? []) {
    if (st.Effect !== 'Allow') continue;
    const resources = Array.isArray(st.Resource) ? st.Resource : [st.Resource];
    for (const r of resources) {
      const flat = flattenCfnReference(r);
      if (!flat.includes('*') || seen.has(flat)) continue;
      seen.add(flat);
      const reason = reasons[kindOf(flat)];
      if (reason) acknowledgeWildcard(policy, `Resource::${flat}`, reason);
    }
  }
}
