import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { IConstruct } from 'constructs';

/** One cdk-nag acknowledgement: the granular finding ids it covers and the reason an auditor reads. */
export interface NagAcknowledgement {
  readonly ids: readonly string[];
  readonly reason: string;
}

const PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];
const inCompliancePacks = (rule: string) => PACKS.map((p) => `${p}-${rule}`);

/**
 * Every acknowledgement this library makes, with its reason. The README lists these; a test
 * checks that the list there and this one agree.
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
} satisfies Record<string, NagAcknowledgement>;

export function acknowledge(scope: IConstruct, ack: NagAcknowledgement): void {
  for (const id of ack.ids) Validations.of(scope).acknowledge({ id, reason: ack.reason });
}

/** Acknowledges one granular AwsSolutions-IAM5 finding (a wildcard resource) on a policy. */
export function acknowledgeWildcard(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
}

/** The kinds of wildcard resource this library grants, each acknowledged with its own reason. */
export type WildcardKind = 's3-objects' | 'kms-keys-by-alias' | 'function-versions' | 'no-resource-level';

/** Common reasons, shared by the constructs that need them. */
export const WILDCARD_REASONS = {
  'function-versions':
    'Invokes exactly this one function; the ":*" form that aws-cdk-lib adds covers its published versions and aliases, nothing else.',
  'no-resource-level':
    'The CloudWatch Logs log-delivery actions Step Functions needs for execution logging (CreateLogDelivery, GetLogDelivery, ...) support no resource-level permissions; "*" is the only resource AWS accepts.',
} as const;

function kindOf(flat: string): WildcardKind {
  if (flat === '*') return 'no-resource-level';
  if (/:kms:/.test(flat)) return 'kms-keys-by-alias';
  if (/Function[0-9A-F]*\.Arn>:\*$/.test(flat) || /:function:[^/]*:\*$/.test(flat)) return 'function-versions';
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
  for (const st of doc.Statement ?? []) {
    if (st.Effect !== 'Allow') continue;
    const resources = Array.isArray(st.Resource) ? st.Resource : [st.Resource];
    for (const r of resources) {
      const flat = flattenCfnReference(r);
      if (!flat.includes('*')) continue;
      const reason = reasons[kindOf(flat)];
      if (reason) acknowledgeWildcard(policy, `Resource::${flat}`, reason);
    }
  }
}
