import { CfnResource, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { findingTarget, NAG } from './nag';

/**
 * The name of `@cdklabs/cdk-validator-cfnguard`'s plugin: aws-cdk-lib matches an acknowledgement
 * to a plugin's finding by `<plugin name>::<rule name>`.
 */
export const GUARD_PLUGIN = 'cdk-validator-cfnguard';

/**
 * One acknowledgement of AWS Control Tower proactive controls (run by cfn-guard): the guard rule
 * names, the control ids they implement, and the reason an auditor reads.
 */
export interface GuardAcknowledgement {
  readonly rules: readonly string[];
  readonly controls: readonly string[];
  readonly reason: string;
}

/**
 * Every Control Tower proactive control this library acknowledges, with its reason.
 * docs/security.md lists these; a test checks that each one covers a real finding of the
 * example app.
 */
export const GUARD = {
  LAMBDA_OUTSIDE_VPC: {
    rules: ['lambda_inside_vpc_check'],
    controls: ['CT.LAMBDA.PR.3'],
    reason: NAG.LAMBDA_OUTSIDE_VPC.reason,
  },
  STATE_MACHINE_NO_XRAY: {
    rules: ['step_functions_state_machine_tracing_enabled_check'],
    controls: ['CT.STEPFUNCTIONS.PR.2'],
    reason: NAG.STATE_MACHINE_NO_XRAY.reason,
  },
  DEAD_LETTER_QUEUE: {
    rules: ['sqs_dlq_check'],
    controls: ['CT.SQS.PR.1'],
    reason:
      "This queue is itself a dead-letter queue (of a function's failed asynchronous invocations, of an EventBridge rule target, or of the replication events queue); a dead-letter queue of a dead-letter queue adds nothing.",
  },
  LOG_BUCKET_SSE_S3: {
    rules: ['s3_bucket_default_encryption_kms_check'],
    controls: ['CT.S3.PR.10'],
    reason: NAG.LOG_BUCKET_SSE_S3.reason,
  },
  LOG_BUCKET_NOT_LOGGED: {
    rules: ['s3_bucket_logging_enabled_check'],
    controls: ['CT.S3.PR.2'],
    reason:
      'This bucket receives the server access logs of a data bucket; logging its own requests would need another log bucket, and that one another, without end.',
  },
  OBJECT_LOCK_OPT_IN: {
    rules: ['s3_bucket_object_lock_enabled_check'],
    controls: ['CT.S3.PR.9'],
    reason:
      'Object Lock is opt-in (objectLockEnabled): it cannot be turned off, it blocks deleting locked versions, and source and replica must both have it. The bucket is versioned, so overwritten and deleted objects stay recoverable without it.',
  },
  OBJECT_LOCK_EXPIRING: {
    rules: ['s3_bucket_object_lock_enabled_check'],
    controls: ['CT.S3.PR.9'],
    reason:
      'Access logs, drill scratch objects and reports are written by this library only; logs and scratch objects expire through lifecycle rules and drills delete what they wrote, which Object Lock would block. The bucket is versioned and TLS-only.',
  },
  NO_EVENT_CONSUMER: {
    rules: ['s3_event_notifications_enabled_check'],
    controls: ['CT.S3.PR.4'],
    reason:
      "Nothing consumes this bucket's events; the only notifications the library configures are the S3 replication events of a source bucket (ReplicationFailureEvents), which that construct adds to the source bucket.",
  },
  DATA_KEPT_UNTIL_OWNER_DECIDES: {
    rules: ['s3_lifecycle_policy_check', 's3_version_lifecycle_policy_check'],
    controls: ['CT.S3.PR.6', 'CT.S3.PR.3'],
    reason:
      "The library never expires the data it replicates or the reports it keeps as evidence: how long source and replica objects and their noncurrent versions live is the owner's choice (the lifecycleRules prop), and reports stay until someone decides otherwise.",
  },
} satisfies Record<string, GuardAcknowledgement>;

/**
 * Acknowledges Control Tower findings on the CloudFormation resource of `scope` (see `findingTarget`),
 * and writes them into that resource's `Metadata.guard` (`SuppressedRules`, the cfn-guard
 * convention, and the reasons) so auditors read them in the template.
 */
export function acknowledgeGuard(scope: IConstruct, ack: GuardAcknowledgement): void {
  const target = findingTarget(scope);
  for (const rule of ack.rules) {
    Validations.of(target).acknowledge({ id: `${GUARD_PLUGIN}::${rule}`, reason: ack.reason });
  }
  if (!CfnResource.isCfnResource(target)) return;
  const existing = (target.getMetadata('guard') ?? {}) as {
    SuppressedRules?: string[];
    Reasons?: Record<string, string>;
  };
  target.addMetadata('guard', {
    SuppressedRules: [...new Set([...(existing.SuppressedRules ?? []), ...ack.rules])],
    Reasons: { ...existing.Reasons, ...Object.fromEntries(ack.rules.map((r) => [r, ack.reason])) },
  });
}

/**
 * Acknowledges a finding that depends on what happens to the resource after this call (another
 * construct may still configure it): `applies` is asked when the app is validated, after every
 * construct has been built, and the acknowledgement is made only if it says the finding occurs.
 */
export function acknowledgeGuardIf(scope: IConstruct, ack: GuardAcknowledgement, applies: () => boolean): void {
  let done = false; // an app validated twice (synthesized twice) acknowledges once
  scope.node.addValidation({
    validate: () => {
      if (!done && applies()) acknowledgeGuard(scope, ack);
      done = true;
      return [];
    },
  });
}
