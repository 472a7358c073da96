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
