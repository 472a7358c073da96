import { performance } from 'node:perf_hooks';
import { assertDrillOptions, DrillOptions } from './core/options';
import { DrillReport } from './core/report';
import { drillThroughput, drillVerdict, seconds, sortFailures } from './core/run-report';
import { estimateRto } from './core/rto';
import { cleanupPhase } from './phases/cleanup';
import { planPhase } from './phases/plan';
import { restorePhase } from './phases/restore';
import { closeRun, DrillDeps, DrillRun, openRun } from './phases/state';
import { verifyPhase } from './phases/verify';

export type { DrillDeps, DrillProgress } from './phases/state';

/**
 * Runs one restore drill in four phases over one run state (see `phases/`): plan (list the
 * replica and sample), restore (into the scratch target), verify (every restored object byte for
 * byte), clean up (everything the run wrote, also when it failed midway); returns the report.
 * Throws UsageError for bad options, AccessError for a missing restore target or replica (nothing
 * done), IncompleteError when the replica cannot be read.
 */
export async function runDrill(options: DrillOptions, deps: DrillDeps = {}): Promise<DrillReport> {
  assertDrillOptions(options);
  const run = await openRun(options, deps, performance.now());
  try {
    const sample = await planPhase(run);
    const { restored, restoreMs } = await restorePhase(run, sample.candidates);
    const { verifyMs } = await verifyPhase(run, restored);
    recordFigures(run, restoreMs, verifyMs);
  } finally {
    await run.sourceChecked;
    await cleanupPhase(run);
    closeRunReport(run);
    closeRun(run);
  }
  const { report } = run;
  sortFailures(report.failures);
  const verdict = drillVerdict(report, options.allowUnverifiable);
  report.passed = verdict.passed;
  if (verdict.note) report.notes.push(verdict.note);
  return report;
}

/** Throughput and the RTO estimate, from the phases' timings. */
function recordFigures(run: DrillRun, restoreMs: number, verifyMs: number): void {
  const { report, options } = run;
  report.throughput = drillThroughput(report.restored, report.verified.bytes, restoreMs, verifyMs);
  report.rto = estimateRto({
    sampleObjects: report.restored.objects,
    sampleBytes: report.restored.bytes,
    restoreSeconds: restoreMs / 1000,
    concurrency: options.concurrency,
    totalObjects: report.sample.listedObjects,
    totalBytes: report.sample.listedBytes,
    listSeconds: report.durations.listSeconds,
  });
}

/** The total duration, the finish time and the request counts of the run. */
function closeRunReport(run: DrillRun): void {
  const { report, stats } = run;
  report.durations.totalSeconds = seconds(performance.now() - run.startedMs);
  report.finishedAt = new Date(run.wall()).toISOString();
  report.requests = { total: stats.requests, retries: stats.retries, byOperation: { ...stats.byOperation } };
}
