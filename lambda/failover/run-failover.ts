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

export interface FailbackDeps extends FailoverDeps {
  /**
   * A consistency audit from the replica back to the source (everything written to the replica
   * during the failover must be in the source). Failback refuses unless it finds no discrepancies.
   */
  readonly audit: () => Promise<{ discrepancies: number }>;
}

export interface FailbackOutcome {
  readonly action: 'fail-back' | 'refused' | 'none';
  readonly reasons: string[];
  readonly steps: PlannedStep[];
  readonly results: StepResult[];
  readonly executed: boolean;
  readonly complete: boolean;
  readonly audit?: { discrepancies: number; error?: string };
  readonly routingBefore: RoutingState;
  readonly recordUri?: string;
  readonly recordError?: string;
  /** Inputs that could not be read (pointers or routes, the audit). */
  readonly unreadable: Unreadable[];
}

export async function runFailback(
  config: FailoverConfig,
  run: { dryRun?: boolean; trigger: string },
  deps: FailbackDeps,
): Promise<FailbackOutcome> {
  const now = (deps.now ?? Date.now)();
  const log = deps.log ?? defaultLog;
  const io = new RoutingIO(config, deps.credentials);
  const sides = { source: config.source, replica: config.replica };
  const routingBefore = await io.read();
  const unreadable: Unreadable[] = [...io.readFailures];
  const summary = summarizeRouting(routingBefore, sides);
  const reasons = [...summary.details];
  const dryRun = run.dryRun === true || config.mode === 'dry-run';
  let action: FailbackOutcome['action'];
  let steps: PlannedStep[] = [];
  let results: StepResult[] = [];
  let audit: FailbackOutcome['audit'];

  if (summary.active === 'unknown') {
    action = 'none';
    reasons.push('routing state unknown: nothing changed');
  } else if (summary.active === 'source') {
    action = 'none';
    reasons.push('routing already points to the source: nothing to do');
  } else {
    try {
      const a = await deps.audit();
      audit = { discrepancies: a.discrepancies };
    } catch (err) {
      audit = { discrepancies: -1, error: describeError(err) };
      unreadable.push({ input: 'the audit from the replica back to the source', error: err });
    }
    if (audit.error !== undefined || audit.discrepancies !== 0) {
      action = 'refused';
      reasons.push(
        audit.error !== undefined
          ? `refused: the audit from the replica back to the source could not run: ${audit.error}`
          : `refused: the audit from the replica back to the source found ${audit.discrepancies} discrepancies; let replication catch up (or copy the missing objects back) and run failback again`,
      );
    } else {
      action = 'fail-back';
      reasons.push('the audit from the replica back to the source found no discrepancies');
      steps = planFailback(routingBefore, sides, now, `failback: ${run.trigger}`);
      if (dryRun) reasons.push('dry-run: the plan is shown, nothing changed');
      else results = await io.execute(steps);
    }
  }
  const complete = results.every((r) => r.ok);
  const records = new DecisionRecords(config);
  const key = records.keyFor(now);
  let recordError: string | undefined;
  // A dry run changes nothing anywhere: no decision record either.
  const wantRecord = (deps.record ?? true) && !dryRun;
  if (wantRecord) {
    const decision: Decision = {
      action: 'none',
      reasons,
      steps,
      ...(action === 'fail-back' ? { target: 'source' as Side } : {}),
      execute: results.length > 0,
      mode: dryRun ? 'dry-run' : config.mode,
    };
    try {
      await records.put(key, {
        kind: 'failback',
        at: new Date(now).toISOString(),
        trigger: run.trigger,
        config,
        routingBefore,
        decision,
        executed: results.length > 0,
        results,
        audit,
      });
    } catch (err) {
      recordError = describeError(err);
    }
  }
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
    action,
    reasons,
    steps,
    results,
    executed: results.length > 0,
    complete,
    audit,
    routingBefore,
    recordUri: wantRecord && !recordError ? records.uri(key) : undefined,
    recordError,
    unreadable,
  };
}

export { describeStep };
