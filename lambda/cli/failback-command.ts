import { replicaToSourceAudit } from '../failover/failback-audit';
import { describeStep, runFailback } from '../failover/run-failover';
import { describeError, IncompleteError } from '../shared/errors';
import { loadFailoverConfig, unreadableInputs } from './failover-command';
import { CliIO } from './io';
import { EXIT_CODES_HELP, LIMITS_HELP, parseOptions } from './options';

export const FAILBACK_USAGE = `usage: cdk-s3-dr failback --config FILE|JSON [--dry-run] [--json]

Returns routing to the source after a failover, only when an audit from the replica back to the
source finds no discrepancies (everything written to the replica is in the source). The source
is made active first, then the replica passive.

options:
  --config FILE|JSON   the controller configuration (the same JSON as the Lambda's FAILOVER_CONFIG)
  --dry-run            run the audit and show the plan; change nothing, record nothing
  --json               print the outcome as JSON
${LIMITS_HELP}
  --help               show this help

A run that could not read the routing state or run the audit exits 3 (or 4 for a permission
problem), never 0; "refused" (exit 1) means the audit ran and found discrepancies.
${EXIT_CODES_HELP}`;

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
  if (values.json) {
    const { unreadable, ...rest } = out;
    io.out(
      JSON.stringify(
        { ...rest, unreadable: unreadable.map((u) => ({ input: u.input, error: describeError(u.error) })) },
        null,
        2,
      ),
    );
  } else {
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
  const failure = unreadableInputs(
    out.unreadable,
    'check the endpoints, regions and permissions of the inputs listed, then run failback again',
  );
  if (failure) throw failure;
  if (!out.complete) {
    throw new IncompleteError('some routing steps failed (see above)', 'run failback again: it completes the change');
  }
  return out.action === 'refused' ? 1 : 0;
}
