import { readFileSync } from 'node:fs';
import { FailoverConfig, parseFailoverConfig } from '../failover/core/config';
import { readRecordAt } from '../failover/decision-records';
import { describeStep, FailoverOutcome, runFailover, Unreadable } from '../failover/run-failover';
import { accessErrorFrom, describeError, IncompleteError, serviceFailure, UsageError } from '../shared/errors';
import { CliIO } from './io';
import { conflicting, endpointOption, EXIT_CODES_HELP, LIMITS_HELP, parseOptions, regionOption } from './options';

export const FAILOVER_USAGE = `usage: cdk-s3-dr failover --config FILE|JSON [--dry-run | --status] [--force] [--json]
       cdk-s3-dr failover --approve s3://REPORTS-BUCKET/failover/decisions/TIME.json [--region REGION] [--json]

Runs the failover controller once from this machine: reads the alarm, the probe's datapoints and
the routing state, decides, and (mode automatic, or --force) moves routing to the replica.

options:
  --config FILE|JSON      the controller configuration (the same JSON as the Lambda's FAILOVER_CONFIG)
  --dry-run               show what the controller would do; change nothing, record nothing
  --status                show the routing state and the current decision (same as --dry-run)
  --force                 fail over now: skip the alarm, data and cooldown checks (never the safety ones)
  --approve URI           carry out the plan of a decision record that awaits approval
  --region REGION         the region of the reports bucket holding the record (default: AWS_REGION)
  --reports-endpoint URL  an S3-compatible endpoint for the reports bucket
  --json                  print the outcome as JSON
${LIMITS_HELP}
  --help                  show this help

A run that could not read one of its inputs (alarm, datapoints, pointer or routes, decision
records) and changed nothing exits 3 (or 4 for a permission problem), never 0.
${EXIT_CODES_HELP}`;

/** Reads --config: inline JSON (starting with "{") or a file name. */
export function loadFailoverConfig(value: string | undefined): FailoverConfig {
  if (!value)
    throw new UsageError('--config is required: give the controller configuration as a JSON file or inline JSON');
  let text = value;
  if (!value.trimStart().startsWith('{')) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (err) {
      throw new UsageError(
        `--config "${value}" cannot be read (${describeError(err)}): give a JSON file or inline JSON`,
      );
    }
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`--config "${value.slice(0, 60)}" is not JSON: give the controller configuration as JSON`);
  }
  return parseFailoverConfig(raw);
}

/**
 * A run that could not read some of its inputs must not end as a success: a permission problem
 * is an AccessError (exit 4), anything else an IncompleteError (exit 3).
 */
export function unreadableInputs(unreadable: readonly Unreadable[], next: string): Error | undefined {
  if (unreadable.length === 0) return undefined;
  for (const u of unreadable) {
    const f = serviceFailure(u.error);
    if (f?.kind === 'access') return accessErrorFrom(f, `${u.input} could not be read`);
  }
  // Inputs that failed the same way are named together.
  const byError = new Map<string, string[]>();
  for (const u of unreadable) {
    const why = describeError(u.error);
    byError.set(why, [...(byError.get(why) ?? []), u.input]);
  }
  return new IncompleteError(
    `could not read ${[...byError].map(([why, inputs]) => `${inputs.join(', ')} (${why})`).join('; ')}, so nothing was decided on full information`,
    next,
  );
}

function print(io: CliIO, out: FailoverOutcome, json: boolean): void {
  if (json) {
    const { unreadable, ...rest } = out;
    io.out(
      JSON.stringify(
        { ...rest, unreadable: unreadable.map((u) => ({ input: u.input, error: describeError(u.error) })) },
        null,
        2,
      ),
    );
    return;
  }
  const d = out.decision;
  io.out(`decision: ${d.action}${d.execute ? '' : d.steps.length ? ' (not carried out)' : ''}`);
  for (const r of d.reasons) io.out(`  - ${r}`);
  if (d.steps.length) {
    io.out('plan:');
    d.steps.forEach((s, i) => io.out(`  ${i + 1}. ${describeStep(s)}`));
  }
  for (const r of out.results)
    io.out(`${r.ok ? 'ok' : 'FAILED'}: ${describeStep(r.step)}${r.error ? ` (${r.error})` : ''}`);
  if (out.approveCommand) io.out(`to approve, run:\n  ${out.approveCommand}`);
  if (out.recordUri) io.out(`record: ${out.recordUri}`);
  if (out.recordError) io.err(`the decision record could not be written: ${out.recordError}`);
}

export async function failoverCommand(args: string[], io: CliIO): Promise<number> {
  const values = parseOptions('failover', args, {
    config: { type: 'string' },
    'dry-run': { type: 'boolean' },
    status: { type: 'boolean' },
    force: { type: 'boolean' },
    approve: { type: 'string' },
    region: { type: 'string' },
    'reports-endpoint': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    io.out(FAILOVER_USAGE);
    return 0;
  }
  const json = values.json === true;
  conflicting(values, [
    ['dry-run', 'force', '--dry-run changes nothing, --force fails over now: choose one'],
    ['status', 'force', '--status changes nothing, --force fails over now: choose one'],
    ['approve', 'force', '--approve already carries out the recorded plan: drop --force'],
  ]);
  if (values.approve === undefined) {
    for (const opt of ['region', 'reports-endpoint'] as const) {
      if (values[opt] !== undefined)
        throw new UsageError(
          `--${opt} "${values[opt]}" is used only with --approve: the configuration names the reports bucket's region and endpoint`,
        );
    }
  }
  regionOption('--region', values.region);
  endpointOption('--reports-endpoint', values['reports-endpoint']);
  let outcome: FailoverOutcome;
  if (values.approve !== undefined) {
    if (values.config || values['dry-run'] || values.status) {
      throw new UsageError(
        '--approve takes its configuration from the decision record: drop --config, --dry-run and --status',
      );
    }
    if (!/^s3:\/\/[^/]+\/.+\.json$/.test(values.approve)) {
      throw new UsageError(
        `--approve "${values.approve}" is not a decision record URI: give s3://bucket/failover/decisions/TIME.json`,
      );
    }
    const region = values.region ?? io.env.AWS_REGION;
    if (!region) throw new UsageError('--region is required (or set AWS_REGION): the region of the reports bucket');
    let record;
    try {
      ({ record } = await readRecordAt(values.approve, region, values['reports-endpoint']));
    } catch (err) {
      const f = serviceFailure(err);
      if (f?.kind === 'access') throw accessErrorFrom(f, `the decision record ${values.approve} could not be read`);
      throw new IncompleteError(
        `the decision record ${values.approve} cannot be read: ${describeError(err)}`,
        'check the URI, --region and --reports-endpoint, then run the command again',
        undefined,
        { cause: err },
      );
    }
    if (record.decision?.action !== 'await-approval') {
      throw new UsageError(
        `the record ${values.approve} is a "${record.decision?.action}" decision, not one awaiting approval: nothing to approve`,
      );
    }
    // The record holds a configuration this tool already validated (in its parsed form).
    const config = parseFailoverConfig({ ...record.config, mode: 'automatic' }, { strict: false });
    outcome = await runFailover(
      config,
      { force: true, trigger: `approved ${values.approve}` },
      { log: () => undefined },
    );
  } else {
    const config = loadFailoverConfig(values.config);
    const dryRun = values['dry-run'] === true || values.status === true;
    outcome = await runFailover(
      config,
      { dryRun, force: values.force === true, trigger: 'cdk-s3-dr failover' },
      { log: () => undefined, record: !dryRun },
    );
  }
  print(io, outcome, json);
  if (!outcome.executed) {
    const failure = unreadableInputs(
      outcome.unreadable,
      'check the endpoints, regions and permissions of the inputs listed, then run the command again',
    );
    if (failure) throw failure;
  }
  if (!outcome.complete) {
    throw new IncompleteError(
      'some routing steps failed (see above)',
      'run the same command again: the controller completes an interrupted change',
    );
  }
  return 0;
}
