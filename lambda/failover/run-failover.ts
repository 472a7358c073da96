/**
 * The failover controller and failback: gathers the inputs of the decision (alarm state and the
 * probe's datapoints from CloudWatch, routing state, the last change), decides (core/decide.ts),
 * carries out the steps when the mode allows, and records every decision in the reports bucket.
 */
import { METRICS as PROBE_METRICS } from '../probe/contract';
import { DescribeAlarmsCommand, GetMetricDataCommand, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { describeError } from '../shared/errors';
import { createCloudWatchClient, StaticCredentials } from './clients';
import { FailoverConfig } from './core/config';
import { AlarmState, Datapoint, decide, Decision, LastChange, planFailback, PlannedStep } from './core/decide';
import { RoutingState, Side, summarizeRouting } from './core/routing';
import { DecisionRecord, DecisionRecords } from './decision-records';
import type { FailbackRepairResult } from './failback-audit';
import { RoutingIO, StepResult } from './routing-io';

export interface FailoverDeps {
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Structured log sink (one JSON object per line in Lambda). @default stdout */
  readonly log?: (entry: Record<string, unknown>) => void;
  /** Credentials for the control-plane clients; by default the SDK's provider chain. */
  readonly credentials?: StaticCredentials;
  /** Write the decision record. @default true */
  readonly record?: boolean;
}

export interface FailoverRun {
  /** An operator's explicit request: skip alarm, data and cooldown checks. */
  readonly force?: boolean;
  /** Change nothing, whatever the configured mode. */
  readonly dryRun?: boolean;
  /** Why this run happened, for the records and the pointer's reason. */
  readonly trigger: string;
}

/** An input of the decision that could not be read, with the error as thrown (for the exit code). */
export interface Unreadable {
  readonly input: string;
  readonly error: unknown;
}

export interface Notification {
  readonly subject: string;
  readonly message: string;
}

export interface FailoverOutcome {
  readonly decision: Decision;
  readonly alarmState?: AlarmState;
  readonly datapoints: { availability: Datapoint[]; lag: Datapoint[]; notReplicated: Datapoint[] };
  readonly routingBefore: RoutingState;
  readonly lastChange?: LastChange;
  /** True when steps were carried out. */
  readonly executed: boolean;
  readonly results: StepResult[];
  /** True when there was nothing to do or every step succeeded. */
  readonly complete: boolean;
  readonly recordUri?: string;
  readonly recordError?: string;
  readonly approveCommand?: string;
  readonly notification: Notification;
  /** Inputs that could not be read (alarm, datapoints, pointers or routes, decision records). */
  readonly unreadable: Unreadable[];
}

const defaultLog = (entry: Record<string, unknown>) => process.stdout.write(JSON.stringify(entry) + '\n');

/** Alarm state and the probe's recent datapoints, read in parallel. Errors become an unknown state and no datapoints. */
export async function readObservations(
  config: FailoverConfig,
  now: number,
  credentials?: StaticCredentials,
): Promise<{
  alarmState?: AlarmState;
  availability: Datapoint[];
  lag: Datapoint[];
  notReplicated: Datapoint[];
  errors: string[];
  unreadable: Unreadable[];
}> {
  const cw = createCloudWatchClient({
    region: config.metricsRegion,
    endpoint: config.endpoints.cloudWatch,
    credentials,
  });
  const errors: string[] = [];
  const unreadable: Unreadable[] = [];
  let alarmState: AlarmState | undefined;
  let alarmError: unknown;
  let dataError: unknown;
  const readAlarm = async () => {
    try {
      const out = await cw.send(
        new DescribeAlarmsCommand({ AlarmNames: [config.alarmName], AlarmTypes: ['CompositeAlarm', 'MetricAlarm'] }),
      );
      const alarm = out.CompositeAlarms?.[0] ?? out.MetricAlarms?.[0];
      alarmState = alarm?.StateValue as AlarmState | undefined;
    } catch (err) {
      alarmError = err;
    }
  };
  const windowPeriods = Math.max(config.confirm.unavailable.window, config.confirm.lag?.window ?? 0) + 1;
  const period = config.periodSeconds;
  const query = (id: string, metricName: string, stat: string): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: PROBE_METRICS.namespace,
        MetricName: metricName,
        Dimensions: [{ Name: PROBE_METRICS.dimension, Value: config.probeName }],
      },
      Period: period,
      Stat: stat,
    },
    ReturnData: true,
  });
  const series: Record<string, Datapoint[]> = { avail: [], lag: [], miss: [] };
  const readData = async () => {
    try {
      const out = await cw.send(
        new GetMetricDataCommand({
          MetricDataQueries: [
            // Minimum: a period with any failed probe counts as unavailable.
            query('avail', PROBE_METRICS.sourceAvailable, 'Minimum'),
            query('lag', PROBE_METRICS.replicationLagSeconds, 'Maximum'),
            query('miss', PROBE_METRICS.canaryNotReplicated, 'Maximum'),
          ],
          StartTime: new Date(now - windowPeriods * period * 1000),
          EndTime: new Date(now),
          ScanBy: 'TimestampDescending',
        }),
      );
      for (const r of out.MetricDataResults ?? []) {
        const ts = r.Timestamps ?? [];
        series[r.Id ?? ''] = (r.Values ?? []).map((value, i) => ({ at: ts[i]?.getTime() ?? 0, value }));
      }
    } catch (err) {
      dataError = err;
    }
  };
  await Promise.all([readAlarm(), readData()]);
  // Reported in a fixed order, whichever failed first.
  if (alarmError !== undefined) {
    errors.push(`alarm state unreadable: ${describeError(alarmError)}`);
    unreadable.push({ input: `alarm ${config.alarmName}`, error: alarmError });
  }
  if (dataError !== undefined) {
    errors.push(`probe datapoints unreadable: ${describeError(dataError)}`);
    unreadable.push({ input: `probe datapoints of ${config.probeName}`, error: dataError });
  }
  return { alarmState, availability: series.avail, lag: series.lag, notReplicated: series.miss, errors, unreadable };
}

/** A pointer value written by this controller tells the last change too (reasons start with the verb). */
function lastChangeFromPointers(routing: RoutingState, config: FailoverConfig): LastChange | undefined {
  if (routing.plan !== 'pointer') return undefined;
  let best: LastChange | undefined;
  for (const p of routing.pointers) {
    if (p.state !== 'ok' || !p.value || !/^(failover|failback|complete)/.test(p.value.reason)) continue;
    const at = Date.parse(p.value.since);
    if (Number.isNaN(at) || (best && best.at >= at)) continue;
    const toReplica = p.value.bucket === config.replica.bucket && p.value.region === config.replica.region;
    best = { direction: toReplica ? 'fail-over' : 'fail-back', at };
  }
  return best;
}

function newest(a?: LastChange, b?: LastChange): LastChange | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.at >= b.at ? a : b;
}

function describeStep(s: PlannedStep): string {
  return s.kind === 'put-pointer'
    ? `set the pointer in ${s.region} to the ${s.target} (s3://${s.value.bucket} in ${s.value.region})`
    : `set the route of ${s.region} (${s.bucket}) to ${s.dial}`;
}

export function approveCommandFor(recordUri: string, config: FailoverConfig): string {
  return `cdk-s3-dr failover --approve ${recordUri} --region ${config.reports.region}`;
}

export async function runFailover(
  config: FailoverConfig,
  run: FailoverRun,
  deps: FailoverDeps = {},
): Promise<FailoverOutcome> {
  const now = (deps.now ?? Date.now)();
  const log = deps.log ?? defaultLog;
  const io = new RoutingIO(config, deps.credentials);
  const records = new DecisionRecords(config);
  const cooldownMs = config.cooldownMinutes * 60_000;

  // Every input is read in parallel: a silent endpoint costs one request timeout, not one per input.
  const [obs, routingBefore, last] = await Promise.all([
    readObservations(config, now, deps.credentials),
    io.read(),
    records.lastChange(now, Math.max(cooldownMs, 24 * 3600 * 1000)).then(
      (change) => ({ change, error: undefined as unknown }),
      (error: unknown) => ({ change: undefined, error }),
    ),
  ]);
  const recordLast: LastChange | undefined = last.change;
  const readErrors = [...obs.errors];
  const unreadable: Unreadable[] = [...obs.unreadable, ...io.readFailures];
  if (last.error !== undefined) {
    readErrors.push(`decision records unreadable: ${describeError(last.error)}`);
    unreadable.push({
      input: `decision records in s3://${config.reports.bucket}/${config.reports.prefix}`,
      error: last.error,
    });
  }
  const lastChange = newest(recordLast, lastChangeFromPointers(routingBefore, config));
  const mode = run.dryRun ? 'dry-run' : config.mode;
  const decided = decide({
    now,
    mode,
    plan: config.plan,
    sides: { source: config.source, replica: config.replica },
    alarmState: obs.alarmState,
    availability: obs.availability,
    lag: obs.lag,
    notReplicated: obs.notReplicated,
    routing: routingBefore,
    lastChange,
    cooldownMs,
    policy: config.confirm,
    force: run.force,
    trigger: run.trigger,
  });
  const decision: Decision = readErrors.length ? { ...decided, reasons: [...decided.reasons, ...readErrors] } : decided;

  const results = decision.execute ? await io.execute(decision.steps) : [];
  const complete = results.every((r) => r.ok);
  const key = records.keyFor(now);
  const recordUri = records.uri(key);
  const approveCommand = decision.action === 'await-approval' ? approveCommandFor(recordUri, config) : undefined;
  const notification = notify(config, decision, results, approveCommand);

  let recordError: string | undefined;
  const wantRecord = deps.record ?? true;
  if (wantRecord) {
    const record: DecisionRecord = {
      kind: 'failover',
      at: new Date(now).toISOString(),
      trigger: run.trigger,
      config,
      alarmState: obs.alarmState,
      datapoints: {
        SourceAvailable: obs.availability.map((p) => ({ at: new Date(p.at).toISOString(), value: p.value })),
        ReplicationLagSeconds: obs.lag.map((p) => ({ at: new Date(p.at).toISOString(), value: p.value })),
        CanaryNotReplicated: obs.notReplicated.map((p) => ({ at: new Date(p.at).toISOString(), value: p.value })),
      },
      routingBefore,
      lastChange: lastChange && { direction: lastChange.direction, at: new Date(lastChange.at).toISOString() },
      decision,
      executed: results.length > 0,
      results,
      approveCommand,
    };
    try {
      await records.put(key, record);
    } catch (err) {
      recordError = describeError(err);
    }
  }
  log({
    level: complete ? 'info' : 'error',
    msg: 'failover decision',
    action: decision.action,
    execute: decision.execute,
    reasons: decision.reasons,
    steps: decision.steps.map(describeStep),
    results: results.map((r) => ({
      step: describeStep(r.step),
      ok: r.ok,
      error: r.error,
      controlRegion: r.controlRegion,
    })),
    record: wantRecord ? recordUri : undefined,
    recordError,
    notification,
  });
  return {
    decision,
    alarmState: obs.alarmState,
    datapoints: { availability: obs.availability, lag: obs.lag, notReplicated: obs.notReplicated },
    routingBefore,
    lastChange,
    executed: results.length > 0,
    results,
    complete,
    recordUri: wantRecord && !recordError ? recordUri : undefined,
    recordError,
    approveCommand,
    notification,
    unreadable,
  };
}

function notify(
  config: FailoverConfig,
  decision: Decision,
  results: StepResult[],
  approveCommand?: string,
): Notification {
  const name = `s3://${config.source.bucket} (${config.source.region}) -> s3://${config.replica.bucket} (${config.replica.region})`;
  const lines = [`decision: ${decision.action}`, ...decision.reasons.map((r) => `- ${r}`)];
  if (decision.steps.length) lines.push('plan:', ...decision.steps.map((s, i) => `${i + 1}. ${describeStep(s)}`));
  if (results.length) {
    lines.push(
      'carried out:',
      ...results.map((r) => `${r.ok ? 'ok' : 'FAILED'}: ${describeStep(r.step)}${r.error ? ` (${r.error})` : ''}`),
    );
  }
  if (approveCommand) lines.push('to approve, run:', `  ${approveCommand}`);
  const subject =
    decision.action === 'await-approval'
      ? `failover awaiting approval: ${name}`
      : decision.execute
        ? `${decision.action} ${results.every((r) => r.ok) ? 'done' : 'INCOMPLETE'}: ${name}`
        : `failover decision ${decision.action}: ${name}`;
  return { subject, message: lines.join('\n') };
}

// ---- failback --------------------------------------------------------------------------------

/** What failback needs of a repair of the source from the replica (failback-audit.ts sourceRepair). */
export type FailbackRepair = (apply: boolean) => Promise<FailbackRepairResult>;

/** What the audit from the replica back to the source found. */
export interface AuditBack {
  readonly discrepancies: number;
  readonly examples?: string[];
}

export interface FailbackDeps extends FailoverDeps {
  /**
   * A consistency audit from the replica back to the source (everything written to the replica
   * during the failover must be in the source). Failback proceeds when it finds no discrepancies.
   */
  readonly audit: () => Promise<AuditBack>;
  /**
   * Without two-way replication: the repair of the source from the replica, planned (false) or
   * carried out (true). Without it, failback refuses while the audit finds discrepancies.
   */
  readonly repair?: FailbackRepair;
  /** Waits between the audits of a two-way catch-up. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface FailbackRun {
  readonly dryRun?: boolean;
  /** Approval to repair the source from the replica first (one-way replication). */
  readonly apply?: boolean;
  readonly trigger: string;
  /** The command that approves the repair, shown when it is needed. @default cdk-s3-dr failback --config FILE --apply */
  readonly approveCommand?: string;
}

export interface FailbackOutcome {
  readonly action: 'fail-back' | 'refused' | 'none' | 'repair-needed';
  readonly reasons: string[];
  readonly steps: PlannedStep[];
  readonly results: StepResult[];
  readonly executed: boolean;
  readonly complete: boolean;
  readonly audit?: { discrepancies: number; error?: string };
  /** Two-way replication: the audits made while waiting for it to catch up. */
  readonly catchUp?: CatchUp;
  /** One-way replication: the repair planned, carried out, and planned again after it. */
  readonly repair?: RepairSteps;
  /** Shown with repair-needed: the command that approves the repair. */
  readonly approveCommand?: string;
  readonly routingBefore: RoutingState;
  /** Every decision record written by this run (one per step), newest last. */
  readonly recordUris: string[];
  readonly recordUri?: string;
  readonly recordError?: string;
  /** Inputs that could not be read (pointers or routes, the audit). */
  readonly unreadable: Unreadable[];
}

export interface CatchUp {
  readonly windowSeconds: number;
  readonly waitedSeconds: number;
  readonly caughtUp: boolean;
  readonly audits: { at: string; discrepancies: number }[];
}

export interface RepairSteps {
  plan?: FailbackRepairResult;
  applied?: FailbackRepairResult;
  after?: FailbackRepairResult;
  error?: string;
}

const toWrite = (r: FailbackRepairResult) => r.planned.copy + r.planned.delete;
const blocks = (r: FailbackRepairResult) => toWrite(r) + r.planned.conflict + r.planned.pending;
function describeRepair(r: FailbackRepairResult): string {
  const p = r.planned;
  return `${p.copy} to copy, ${p.delete} to delete, ${p.conflict} conflicts, ${p.kept} kept (never on the replica)${r.examples.length ? `; e.g. ${r.examples.join(', ')}` : ''}`;
}

/** Seconds between the audits of a two-way catch-up: a tenth of the window, 1 to 30 s. */
export function catchUpPollSeconds(windowSeconds: number): number {
  return Math.max(1, Math.min(30, Math.floor(windowSeconds / 10)));
}

/**
 * What one failback run has learned and decided so far: filled in by its steps in order (audit
 * back, bring the writes home, switch routing) and returned as the outcome.
 */
interface FailbackState {
  readonly config: FailoverConfig;
  readonly run: FailbackRun;
  readonly deps: FailbackDeps;
  readonly clock: () => number;
  readonly dryRun: boolean;
  readonly reasons: string[];
  readonly unreadable: Unreadable[];
  /** Writes a decision record (not in a dry run). */
  readonly record: (at: number, r: RecordBody) => Promise<void>;
  action?: FailbackOutcome['action'];
  audit?: FailbackOutcome['audit'];
  catchUp?: CatchUp;
  repair?: RepairSteps;
  approveCommand?: string;
}

/** A decision record's own part: the rest (time, trigger, config, routing before) is the run's. */
type RecordBody = Omit<DecisionRecord, 'at' | 'trigger' | 'config' | 'routingBefore'>;

export async function runFailback(
  config: FailoverConfig,
  run: FailbackRun,
  deps: FailbackDeps,
): Promise<FailbackOutcome> {
  const clock = deps.now ?? Date.now;
  const now = clock();
  const log = deps.log ?? defaultLog;
  const io = new RoutingIO(config, deps.credentials);
  const sides = { source: config.source, replica: config.replica };
  const routingBefore = await io.read();
  const summary = summarizeRouting(routingBefore, sides);
  const dryRun = run.dryRun === true || config.mode === 'dry-run';
  const records = new DecisionRecords(config);
  const wantRecord = (deps.record ?? true) && !dryRun; // a dry run changes nothing anywhere: no record either
  const recordUris: string[] = [];
  let recordError: string | undefined;
  const state: FailbackState = {
    config,
    run,
    deps,
    clock,
    dryRun,
    reasons: [...summary.details],
    unreadable: [...io.readFailures],
    record: async (at, r) => {
      if (!wantRecord) return;
      const key = records.keyFor(at);
      try {
        await records.put(key, { at: new Date(at).toISOString(), trigger: run.trigger, config, routingBefore, ...r });
        recordUris.push(records.uri(key));
      } catch (err) {
        recordError = describeError(err);
      }
    },
  };
  const { reasons } = state;
  let steps: PlannedStep[] = [];
  let results: StepResult[] = [];

  if (summary.active === 'unknown') {
    state.action = 'none';
    reasons.push('routing state unknown: nothing changed');
  } else if (summary.active === 'source') {
    state.action = 'none';
    reasons.push('routing already points to the source: nothing to do');
  } else if (await writesAreHome(state)) {
    state.action = 'fail-back';
    steps = planFailback(routingBefore, sides, now, `failback: ${run.trigger}`);
    if (dryRun) reasons.push('dry-run: the plan is shown, nothing changed');
    else results = await io.execute(steps);
  } else {
    state.action ??= 'refused';
  }
  const { action, audit, catchUp, repair, approveCommand } = state;
  const complete = results.every((r) => r.ok);
  const decision: Decision = {
    action: 'none',
    reasons,
    steps,
    ...(action === 'fail-back' ? { target: 'source' as Side } : {}),
    execute: results.length > 0,
    mode: dryRun ? 'dry-run' : config.mode,
  };
  // The routing step's record comes last, after the repair's (its own timestamp).
  await state.record(Math.max(clock(), now), {
    kind: 'failback',
    decision,
    executed: results.length > 0,
    results,
    audit,
    ...(catchUp ? { catchUp } : {}),
    ...(repair ? { repair } : {}),
    ...(approveCommand ? { approveCommand } : {}),
  });
  log({
    level: complete ? 'info' : 'error',
    msg: 'failback',
    action,
    reasons,
    steps: steps.map(describeStep),
    results: results.map((r) => ({ step: describeStep(r.step), ok: r.ok, error: r.error })),
    recordError,
  });
  return {
    action: action!,
    reasons,
    steps,
    results,
    executed: results.length > 0,
    complete,
    audit,
    ...(catchUp ? { catchUp } : {}),
    ...(repair ? { repair } : {}),
    ...(approveCommand ? { approveCommand } : {}),
    routingBefore,
    recordUris,
    recordUri: recordUris[recordUris.length - 1],
    recordError,
    unreadable: state.unreadable,
  };
}

/**
 * Step 1: audits from the replica back to the source, and when the failover's writes are not all
 * there, brings them home (two-way replication's catch-up, or a repair of the source). True when
 * they are home; otherwise the reasons say why not.
 */
async function writesAreHome(state: FailbackState): Promise<boolean> {
  const first = await auditBack(state);
  if (!first) {
    refuseAuditError(state);
    return false;
  }
  if (first.discrepancies === 0) {
    state.reasons.push('the audit from the replica back to the source found no discrepancies');
    return true;
  }
  return state.config.twoWayReplication ? waitForTwoWay(state, first) : repairSource(state, first);
}

/** The audit from the replica back to the source; undefined (and noted) when it could not run. */
async function auditBack(state: FailbackState): Promise<AuditBack | undefined> {
  try {
    const a = await state.deps.audit();
    state.audit = { discrepancies: a.discrepancies };
    return a;
  } catch (err) {
    state.audit = { discrepancies: -1, error: describeError(err) };
    state.unreadable.push({ input: 'the audit from the replica back to the source', error: err });
    return undefined;
  }
}

function refuseAuditError(state: FailbackState): void {
  state.reasons.push(`refused: the audit from the replica back to the source could not run: ${state.audit!.error}`);
}

const examples = (a: { examples?: string[] }) => (a.examples?.length ? ` (e.g. ${a.examples.join(', ')})` : '');

/** Step 2, two-way replication: audits again until replication has caught up, within the pending window. */
async function waitForTwoWay(state: FailbackState, first: AuditBack): Promise<boolean> {
  const { clock, reasons, dryRun } = state;
  const sleep = state.deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const window = state.config.failbackCatchUpSeconds;
  const audits = [{ at: new Date(clock()).toISOString(), discrepancies: first.discrepancies }];
  const started = clock();
  let last = first;
  if (dryRun) {
    reasons.push(
      `dry-run: the audit found ${first.discrepancies} discrepancies; failback would wait up to ${window} s for two-way replication to bring them to the source`,
    );
    state.catchUp = { windowSeconds: window, waitedSeconds: 0, caughtUp: false, audits };
    return false;
  }
  while (last.discrepancies > 0 && clock() - started < window * 1000) {
    await sleep(Math.min(catchUpPollSeconds(window) * 1000, Math.max(0, window * 1000 - (clock() - started))));
    const a = await auditBack(state);
    if (!a) {
      refuseAuditError(state);
      return false;
    }
    last = a;
    audits.push({ at: new Date(clock()).toISOString(), discrepancies: a.discrepancies });
  }
  const waitedSeconds = Math.round((clock() - started) / 1000);
  state.catchUp = { windowSeconds: window, waitedSeconds, caughtUp: last.discrepancies === 0, audits };
  if (last.discrepancies === 0) {
    reasons.push(
      `two-way replication brought the failover's writes to the source: the audit passed after ${waitedSeconds} s (${audits.length} audits)`,
    );
    return true;
  }
  reasons.push(
    `refused: two-way replication did not catch up within the ${window} s pending window: the audit from the replica back to the source still finds ${last.discrepancies} discrepancies${examples(last)}; check the replication rule from the replica to the source (its lag and FAILED objects), then run failback again (or repair with cdk-s3-dr repair --to source)`,
  );
  return false;
}

/** Step 2, one-way replication: plans the repair of the source, carries it out when approved, audits again. */
async function repairSource(state: FailbackState, first: AuditBack): Promise<boolean> {
  const { reasons, dryRun, clock } = state;
  if (!state.deps.repair) {
    reasons.push(
      `refused: the audit from the replica back to the source found ${first.discrepancies} discrepancies; let replication catch up (or copy the missing objects back) and run failback again`,
    );
    return false;
  }
  const repair: RepairSteps = (state.repair = {});
  try {
    repair.plan = await state.deps.repair(false);
  } catch (err) {
    repair.error = describeError(err);
    state.unreadable.push({ input: 'the repair plan of the source from the replica', error: err });
    reasons.push(`refused: the repair of the source could not be planned: ${repair.error}`);
    return false;
  }
  const plan = repair.plan;
  reasons.push(
    `the audit from the replica back to the source found ${first.discrepancies} discrepancies; the repair of the source plans ${describeRepair(plan)}`,
  );
  if (plan.planned.conflict > 0) {
    reasons.push(
      `refused: ${plan.planned.conflict} conflicts: objects newer on the source than on the replica; a person decides which to keep (cdk-s3-dr repair --to source lists them), then run failback again`,
    );
    return false;
  }
  if (toWrite(plan) === 0 && plan.planned.pending === 0) {
    reasons.push(
      `nothing to bring home: the ${plan.planned.kept} keys only on the source were never on the replica (writes replication had not carried before the outage) and are kept`,
    );
    return true;
  }
  if (dryRun || !state.run.apply) {
    state.action = 'repair-needed';
    state.approveCommand = state.run.approveCommand ?? 'cdk-s3-dr failback --config FILE --apply';
    reasons.push(
      `${dryRun ? 'dry-run: ' : ''}the source lacks the failover's writes: approve the repair (${toWrite(plan)} writes to the source), then routing returns: ${state.approveCommand}`,
    );
    return false;
  }
  try {
    repair.applied = await state.deps.repair(true);
  } catch (err) {
    repair.error = describeError(err);
    state.unreadable.push({ input: 'the repair of the source from the replica', error: err });
    reasons.push(`refused: the repair of the source stopped: ${repair.error}; run failback --apply again`);
    await state.record(clock(), failbackRepairRecord(repair, reasons, state.config.mode));
    return false;
  }
  reasons.push(
    `repaired the source: ${repair.applied.writes} writes (${describeRepair(repair.applied)}), ${repair.applied.skipped} skipped`,
  );
  // Audit again: the repair's own plan must find nothing left to write and no conflict.
  try {
    repair.after = await state.deps.repair(false);
  } catch (err) {
    repair.error = describeError(err);
    state.unreadable.push({ input: 'the audit after the repair', error: err });
    reasons.push(`refused: the audit after the repair could not run: ${repair.error}`);
    await state.record(clock(), failbackRepairRecord(repair, reasons, state.config.mode));
    return false;
  }
  await state.record(clock(), failbackRepairRecord(repair, reasons, state.config.mode));
  if (blocks(repair.after) > 0) {
    reasons.push(
      `refused: the audit after the repair still finds ${describeRepair(repair.after)}: objects changed during the repair; run failback --apply again`,
    );
    return false;
  }
  reasons.push('the audit after the repair finds nothing left to bring home');
  return true;
}

function failbackRepairRecord(repair: RepairSteps, reasons: string[], mode: FailoverConfig['mode']): RecordBody {
  return {
    kind: 'failback-repair',
    decision: { action: 'none', reasons: [...reasons], steps: [], execute: false, mode },
    executed: (repair.applied?.writes ?? 0) > 0,
    results: [],
    repair,
  };
}

export { describeStep };
