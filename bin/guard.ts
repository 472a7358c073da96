import { App, Validations } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';

/**
 * The AWS Control Tower proactive controls (cfn-guard rules bundled with
 * `@cdklabs/cdk-validator-cfnguard`, its own cfn-guard binary, offline), all of them.
 */
export function controlTowerValidator(): CfnGuardValidator {
  return new CfnGuardValidator({ controlTowerRulesEnabled: true });
}

/**
 * Registers the Control Tower controls as a validation plugin: synth fails on any finding that is
 * not acknowledged. The library's acknowledgements (lib/private/guard.ts) are in each resource's
 * `Metadata.guard`.
 */
export function addControlTowerChecks(app: App): void {
  Validations.of(app).addPlugins(controlTowerValidator());
}
