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
 * Puts the statements of an inline policy that aws-cdk-lib attached to one of our roles into a
 * customer managed policy at the same place in the tree, and removes the inline one. A state
 * machine with a Distributed Map gets such a policy (`DistributedMapPolicy`, a child of the state
 * machine, whose statements name the state machine: in the role's own managed policy they would
 * be a dependency cycle, since the state machine depends on its role). Returns undefined when
 * there is no such policy (aws-cdk-lib releases that add none).
 */
export function replaceInlinePolicy(
  scope: Construct,
  id: string,
  role: iam.IRole,
  description: string,
): iam.ManagedPolicy | undefined {
  const inline = scope.node.tryFindChild(id);
  if (!(inline instanceof iam.Policy)) return undefined;
  const document = iam.PolicyDocument.fromJson(inline.document.toJSON());
  scope.node.tryRemoveChild(id);
  return new iam.ManagedPolicy(scope, id, { description, document, roles: [role] });
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
