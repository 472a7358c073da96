import { Aspects, App, CfnResource, IAspect, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { GUARD_PLUGIN } from '../lib/private/guard';

/** The four packs every stack of this library is checked against. */
export function nagPacks(scope?: IConstruct) {
  const props = { verbose: true };
  return [
    new AwsSolutionsChecks(scope, props),
    new NIST80053R5Checks(scope, props),
    new HIPAASecurityChecks(scope, props),
    new PCIDSS321Checks(scope, props),
  ];
}

/**
 * Writes the cdk-nag acknowledgements recorded on each CloudFormation resource into its
 * `Metadata.cdk_nag.rules_to_suppress` (the format cdk-nag's own aspect writes). Unlike that aspect,
 * it writes only the resource's own acknowledgements, not those of its ancestors, so a template
 * carries an acknowledgement only where its finding occurs; and only cdk-nag's (the Control Tower
 * ones are in `Metadata.guard`).
 */
export class WriteNagAcknowledgementsToTemplate implements IAspect {
  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    const rules = node.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && m.data)
      .flatMap((m) => Object.entries(m.data as Record<string, unknown>))
      .map(([id, reason]) => ({ id: id.replace(/^annotation::/i, ''), reason }))
      .filter((r) => !r.id.startsWith(`${GUARD_PLUGIN}::`));
    if (rules.length > 0) node.addMetadata('cdk_nag', { rules_to_suppress: rules });
  }
}

/**
 * Registers the packs as validation plugins (synth fails on unacknowledged findings) and writes
 * every acknowledgement into the template's resource metadata, so auditors read them there.
 */
export function addNagPacks(app: App): void {
  Validations.of(app).addPlugins(...nagPacks(app));
  Aspects.of(app).add(new WriteNagAcknowledgementsToTemplate());
}
