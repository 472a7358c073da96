import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * Applies the `permissionsBoundary` prop to every IAM role below `scope`, including the roles
 * aws-cdk-lib creates inside the construct (an aspect, so roles added later are covered too).
 */
export function applyPermissionsBoundary(scope: Construct, boundary: iam.IManagedPolicy | undefined): void {
  if (boundary) iam.PermissionsBoundary.of(scope).apply(boundary);
}
