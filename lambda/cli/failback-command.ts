import { replicaToSourceAudit, sourceRepair } from '../failover/failback-audit';
import { describeStep, runFailback } from '../failover/run-failover';
import { describeError, IncompleteError } from '../shared/errors';
import { loadFailoverConfig, unreadableInputs } from './failover-command';
import { CliIO } from './io';
import { conflicting, EXIT_CODES_HELP, LIMITS_HELP, parseOptions } from './options';

export const FAILBACK_USAGE = `usage: cdk-s3-dr failback --config FILE|JSON [--dry-run | --apply] [--json]

Returns routing to the source after a failover, only once everything written to the replica is
in the source: an audit from the replica back to the source must find no discrepancies. When it
finds some:
  - with two-way replication ("twoWayReplication": true in the configuration) failback waits for
    replication to bring them, auditing again for up to "failbackCatchUpSeconds" (default 900),
    and refuses with the keys still missing when the window passes;
  - without it, failback plans a repair of the source from the replica (copy what the replica
    wrote, delete what it deleted, keep what it never had, never overwrite what is newer on the
    source) and stops there: --apply approves the repair, which is carried out, audited again,
    and only then is routing switched.
The source is made active first, then the replica passive. Each step is recorded as a decision.

options:
  --config FILE|JSON   the controller configuration (the same JSON as the Lambda's FAILOVER_CONFIG)
  --dry-run            run the audit and show the plan; change nothing, record nothing
  --apply              approve the repair of the source from the replica (one-way replication)
  --json               print the outcome as JSON
${LIMITS_HELP}
  --help               show this help

A run that could not read the routing state or run the audit exits 3 (or 4 for a permission
problem), never 0; "refused" or "repair-needed" (exit 1) means the audit ran and found
discrepancies that stay (conflicts, replication not caught up) or await --apply.
${EXIT_CODES_HELP}`;

export async function failbackCommand(args: string[], io: CliIO): Promise<number> {
  const values = parseOptions('failback', args, {
    config: { type: 'string' },
    'dry-run': { type: 'boolean' },
    apply: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    io.out(FAILBACK_USAGE);
    return 0;
  }
  conflicting(values, [['dry-run', 'apply', 'a dry run changes nothing; run without --apply to see the repair plan']]);
  const config = loadFailoverConfig(values.config);
  const approve = ['cdk-s3-dr', 'failback', ...args.filter((a) => a !== '--json'), '--apply']
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
  io.err('auditing the replica back to the source...');
  const out = await runFailback(
    config,
    {
      dryRun: values['dry-run'] === true,
      apply: values.apply === true,
      trigger: values.apply ? 'cdk-s3-dr failback --apply' : 'cdk-s3-dr failback',
      approveCommand: approve,
    },
    { audit: replicaToSourceAudit(config), repair: sourceRepair(config), log: () => undefined },
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
    if (out.approveCommand && out.action === 'repair-needed')
      io.out(`to approve the repair, run:\n  ${out.approveCommand}`);
    for (const uri of out.recordUris) io.out(`record: ${uri}`);
  }
  const failure = unreadableInputs(
    out.unreadable,
    'check the endpoints, regions and permissions of the inputs listed, then run failback again',
  );
  if (failure) throw failure;
  if (!out.complete) {
    throw new IncompleteError('some routing steps failed (see above)', 'run failback again: it completes the change');
  }
  return out.action === 'refused' || out.action === 'repair-needed' ? 1 : 0;
}
