import { controlTowerValidator } from '../../bin/guard';
import { SynthesizedApp } from './synth';

export interface GuardFinding {
  /** The guard rule name, for example `s3_bucket_logging_enabled_check`. */
  readonly rule: string;
  /** The Control Tower control, for example `CT.S3.PR.2`. */
  readonly control: string;
  /** Construct path of the CloudFormation resource. */
  readonly path: string;
}

/**
 * Runs the Control Tower proactive controls (the plugin's own cfn-guard binary) over the
 * synthesized templates and returns every raw finding: the plugin knows nothing of
 * acknowledgements (aws-cdk-lib applies them afterwards), so this is what there is to acknowledge.
 */
export function guardFindings(synth: SynthesizedApp): GuardFinding[] {
  const report = controlTowerValidator().validate({ templatePaths: synth.templates, appConstruct: synth.app });
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({
      rule: v.ruleName,
      control: /\[(CT\.[A-Z0-9.]+)\]/.exec(v.description)?.[1] ?? '',
      path: synth.pathOf(r.templatePath, r.resourceLogicalId) ?? `${r.templatePath}#${r.resourceLogicalId}`,
    })),
  );
}
