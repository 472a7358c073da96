import { replicaToSourceAudit } from '../failover/failback-audit';
import { describeStep, runFailback } from '../failover/run-failover';
import { IncompleteError } from '../shared/errors';
import { loadFailoverConfig } from './failover-command';
import { CliIO } from './io';
import { parseOptions } from './options';

export const FAILBACK_USAGE = `usage: cdk-s3-dr failback --config FILE|JSON [--dry-run] [--json]

Returns routing to the source after a failover, only when an audit from the replica back to the
source finds no discrepancies (everything written to the replica is in the source). The source
is made active first, then the replica passive.

options:
  --config FILE|JSON   the controller configuration (the same JSON as the Lambda's FAILOVER_CONFIG)
  --dry-run            run the audit and show the plan; change nothing
  --json               print the outcome as JSON
  --help               show this help

exit codes: 0 failed back or nothing to do, 1 refused (the audit found discrepancies),
            2 bad usage or input, 3 a step could not be carried out`;

export async function failbackCommand(args: string[], io: CliIO): Promise<number> {
  const values = parseOptions('failback', args, {
    config: { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    io.out(FAILBACK_USAGE);
    return 0;
  }
  const config = loadFailoverConfig(values.config);
  io.err('auditing the replica back to the source...');
  const out = await runFailback(
    config,
    { dryRun: values['dry-run'] === true, trigger: 'cdk-s3-dr failback' },
    { audit: replicaToSourceAudit(config), log: () => undefined },
  );
  if (values.json) io.out(JSON.stringify(out, null, 2));
  else {
    io.out(`failback: ${out.action}`);
    for (const r of out.reasons) io.out(`  - ${r}`);
    if (out.steps.length) {
      io.out('plan:');
      out.steps.forEach((s, i) => io.out(`  ${i + 1}. ${describeStep(s)}`));
    }
    for (const r of out.results)
      io.out(`${r.ok ? 'ok' : 'FAILED'}: ${describeStep(r.step)}${r.error ? ` (${r.error})` : ''}`);
    if (out.recordUri) io.out(`record: ${out.recordUri}`);
  }
  if (!out.complete) {
    throw new IncompleteError('some routing steps failed (see above)', 'run failback again: it completes the change');
  }
  return out.action === 'refused' ? 1 : 0;
}
