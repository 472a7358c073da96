import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * A role whose grants (ours and those aws-cdk-lib adds, such as a state machine's
 * lambda:InvokeFunction or a function's sqs:SendMessage to its dead-letter queue) all land in
 * one customer managed policy of its own instead of an inline `DefaultPolicy`: versioned,
 * reviewable on its own, and what the NIST, HIPAA and PCI packs ask for.
 */
export class ManagedPolicyRole extends iam.Role {
  private managedPolicy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, props);
  }

  /** The managed policy holding the grants, created with the first one. */
  get grantsPolicy(): iam.ManagedPolicy | undefined {
    return this.managedPolicy;
  }

  override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    statement = withoutWildcardActions(statement);
    if (!this.managedPolicy) {
      this.managedPolicy = new iam.ManagedPolicy(this, 'Grants', {
        description: `Permissions of ${this.node.path} (cdk-s3-dr)`,
        roles: [this],
      });
    }
    this.managedPolicy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.managedPolicy };
  }
}

/**
 * What the wildcard actions of aws-cdk-lib's grant helpers are there for, spelled out. Our roles
 * hold no wildcard action: `topic.grantPublish` on a KMS-encrypted topic, for example, asks for
 * `kms:GenerateDataKey*` where SNS needs `kms:GenerateDataKey`.
 */
const EXPANSIONS: Record<string, string[]> = {
  'kms:GenerateDataKey*': ['kms:GenerateDataKey'],
  'kms:ReEncrypt*': ['kms:ReEncryptFrom', 'kms:ReEncryptTo'],
  's3:Abort*': ['s3:AbortMultipartUpload'],
};

function withoutWildcardActions(statement: iam.PolicyStatement): iam.PolicyStatement {
  if (!statement.actions.some((a) => a in EXPANSIONS)) return statement;
  const json = statement.toStatementJson();
  const actions = ([] as string[]).concat(json.Action);
  json.Action = [...new Set(actions.flatMap((a) => EXPANSIONS[a] ?? [a]))];
  return iam.PolicyStatement.fromJson(json);
}
