import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
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
  LAMBDA_OUTSIDE_VPC: {
    ids: inCompliancePacks('LambdaInsideVPC'),
    reason:
      'The function calls only AWS regional APIs (S3, KMS, CloudWatch) and reaches no private resource; it runs outside a VPC unless the vpc prop is set, which places it in the given subnets.',
  },
} satisfies Record<string, NagAcknowledgement>;

export function acknowledge(scope: IConstruct, ack: NagAcknowledgement): void {
  for (const id of ack.ids) Validations.of(scope).acknowledge({ id, reason: ack.reason });
}

/** The `<LogicalId.Arn>` form cdk-nag uses in granular IAM5 findings for a resource's ARN. */
export function nagArnRef(resource: IConstruct): string {
  const cfn = (resource.node.defaultChild ?? resource) as CfnElement;
  return `<${Stack.of(cfn).getLogicalId(cfn)}.Arn>`;
}

/** Acknowledges one granular AwsSolutions-IAM5 finding (a wildcard resource) on a policy. */
export function acknowledgeWildcard(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
}

/** Reasons for the wildcard resources a policy holds, by kind of resource. */
export interface WildcardReasons {
  /** S3 object ARNs ending in `*`. */
  readonly 's3-objects': string;
  /** KMS key ARNs ending in `key/*` (a key referenced by alias). */
  readonly 'kms-keys-by-alias'?: string;
}

/**
 * Acknowledges, one granular finding at a time, the AwsSolutions-IAM5 findings for the wildcard
 * resources currently in the policy, each with the reason for its kind. Statements
 * added to the policy later are not covered: they need their own review.
 */
export function acknowledgeWildcardResources(policy: iam.ManagedPolicy | iam.Policy, reasons: WildcardReasons): void {
  const doc = Stack.of(policy).resolve(policy.document.toJSON()) as {
    Statement?: Array<{ Effect: string; Resource?: unknown }>;
  };
  for (const st of doc.Statement ?? []) {
    if (st.Effect !== 'Allow') continue;
    const resources = Array.isArray(st.Resource) ? st.Resource : [st.Resource];
    for (const r of resources) {
      const flat = flattenCfnReference(r);
      if (!flat.includes('*')) continue;
      const reason = /:kms:/.test(flat) ? reasons['kms-keys-by-alias'] : reasons['s3-objects'];
      if (reason) acknowledgeWildcard(policy, `Resource::${flat}`, reason);
    }
  }
}
