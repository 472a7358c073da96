/**
 * Repair Lambda: a thin adapter over run-repair.ts. Deployed by ReplicationRepair, it repairs the
 * pair and direction of its environment (contract.ts) and the event says only whether to apply;
 * run bare (tests, a function of the user's own), the event names the pair and the side to write
 * (core/event.ts). It plans,
 * and with `apply: true` writes, stopping before the Lambda's deadline: a 'partial' result is
 * completed by invoking again with the same event (the next run audits again, so finished writes
 * are not repeated). Counts are logged and emitted as metrics (RepairWrites, RepairRemaining).
 */
import { DEFAULT_LAG_WINDOW_SECONDS } from '../audit/core';
import { fromEnv, isConfigured, METRICS } from './contract';
import { Metrics } from '../shared/metrics';
import { RequestStats } from '../shared/s3-options';
import { formatS3Uri } from '../shared/s3-uri';
import { applyTimeoutEnv } from '../shared/timeouts';
import { repairExitCode } from './core/apply';
import { parseRepairEvent } from './core/event';
import { buildRepairReport, RepairReport } from './report';
import { runRepair } from './run-repair';

applyTimeoutEnv();

/** Time kept back from the Lambda deadline to finish the writes in flight and return. */
export const SAFETY_MARGIN_MS = 30_000;
/** Actions returned in the result; the log line carries the counts. */
const RESULT_ACTIONS = 100;

export interface RepairHandlerResult extends Omit<RepairReport, 'actions'> {
  /** 0: nothing to do or nothing left; 1: differences remain (or, planning only, would be written). */
  readonly exitCode: 0 | 1;
  readonly actions: RepairReport['actions'];
}

export async function handler(
  event: unknown,
  context?: { getRemainingTimeInMillis(): number },
): Promise<RepairHandlerResult> {
  // Deployed by ReplicationRepair: the pair and direction come from the environment.
  const deployed = isConfigured(process.env) ? fromEnv(process.env) : undefined;
  const request = parseRepairEvent(event, DEFAULT_LAG_WINDOW_SECONDS, deployed);
  const started = Date.now();
  const stats = new RequestStats();
  const result = await runRepair(
    {
      ...request,
      audit: { mode: request.mode, lagWindowSeconds: request.lagWindowSeconds },
      timeBudgetMs: context ? Math.max(0, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS) : undefined,
    },
    { stats },
  );
  const report = buildRepairReport({
    result,
    source: formatS3Uri(request.source),
    replica: formatS3Uri(request.replica),
    apply: request.apply,
    delete: request.delete,
    differencesFrom: 'an audit run by this repair',
    started,
    now: Date.now(),
    requestsByOperation: stats.byOperation,
  });
  const { actions, ...summary } = report;
  process.stdout.write(JSON.stringify({ level: 'info', msg: 'repair', ...summary, audit: undefined }) + '\n');
  new Metrics({ [METRICS.dimension]: `${summary.source} -> ${summary.replica}`, [METRICS.toDimension]: summary.to })
    .add(METRICS.writes, summary.writes)
    .add(METRICS.remaining, summary.remaining)
    .flush();
  return {
    ...summary,
    exitCode: repairExitCode(result.plan, result.counts, !request.apply),
    actions: actions.filter((a) => a.kind !== 'equal').slice(0, RESULT_ACTIONS),
  };
}
