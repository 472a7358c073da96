import { Aspects, App, Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NIST80053R5Checks,
  PCIDSS321Checks,
  WriteNagSuppressionsToCloudFormationAspect,
} from 'cdk-nag';
import { IConstruct } from 'constructs';

/** The four packs every stack of this library is checked against. */
export function nagPacks(scope?: IConstruct) {
  const props = { verbose: true, writeSuppressionsToCloudFormation: true };
  return [
    new AwsSolutionsChecks(scope, props),
    new NIST80053R5Checks(scope, props),
    new HIPAASecurityChecks(scope, props),
    new PCIDSS321Checks(scope, props),
  ];
}

/**
 * Registers the packs as validation plugins (synth fails on unacknowledged findings) and writes
 * every acknowledgement into the template's resource metadata, so auditors read them there.
 */
export function addNagPacks(app: App): void {
  Validations.of(app).addPlugins(...nagPacks(app));
  Aspects.of(app).add(new WriteNagSuppressionsToCloudFormationAspect());
}
