import { S3Access } from '../shared/s3-access';
import { RequestStats } from '../shared/s3-options';
import { AuditSummary, KeyRange, mergeSummaries } from './core';
import { AuditOptions, runAudit } from './run-audit';
import { RecordSink } from './sink';

/** One range's own access to both sides, with counters of its own (ranges run at the same time). */
export interface RangeAccess {
  readonly sourceClient: S3Access;
  readonly replicaClient: S3Access;
  readonly stats: RequestStats;
}

export interface RangesDeps {
  readonly access: (index: number) => RangeAccess;
  /** Where each range writes its records (in key order within the range). */
  readonly sink: (index: number) => RecordSink;
  /** Ranges listed at once. */
  readonly concurrency: number;
  readonly onPageEnd?: (side: 'source' | 'replica', lastKey: string) => void;
  /** Called with the summary of all ranges so far (running ones included). */
  readonly onProgress?: (keys: number, discrepancies: number, pending: number) => void;
}

export interface RangesResult {
  /** The summaries added, as a single-range run of the same key space reports them. */
  readonly summary: AuditSummary;
  /** Requests per S3 operation, every range added. */
  readonly requestsByOperation: Record<string, number>;
  /** Keys each range saw (on either side), in range order: how evenly the plan shared the work. */
  readonly rangeKeys: readonly number[];
}

/**
 * Audits disjoint ranges, `concurrency` at a time, each to completion in one run. Every range uses
 * the same reference time, so ages and pending differences are those of one run. A failing range
 * fails the whole: the others are let finish first, then its error is thrown.
 */
export async function runAuditRanges(
  options: AuditOptions,
  ranges: readonly KeyRange[],
  deps: RangesDeps,
): Promise<RangesResult> {
  const now = options.now ?? Date.now();
  const summaries: (AuditSummary | undefined)[] = ranges.map(() => undefined);
  // Each range's last progress, and their sum kept by differences: nothing is allocated per key.
  const running = ranges.map(() => ({ keys: 0, discrepancies: 0, pending: 0 }));
  const total = { keys: 0, discrepancies: 0, pending: 0 };
  const access = ranges.map((_, i) => deps.access(i));
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < ranges.length && failure === undefined) {
      const i = next++;
      const a = access[i];
      try {
        const result = await runAudit(
          { ...options, range: ranges[i], now, checkpoint: undefined, timeBudgetMs: undefined },
          {
            sourceClient: a.sourceClient,
            replicaClient: a.replicaClient,
            stats: a.stats,
            sink: deps.sink(i),
            onPageEnd: deps.onPageEnd,
            onProgress: (s) => {
              const r = running[i];
              total.keys += s.keys - r.keys;
              total.discrepancies += s.discrepancies - r.discrepancies;
              total.pending += s.counts.pending - r.pending;
              r.keys = s.keys;
              r.discrepancies = s.discrepancies;
              r.pending = s.counts.pending;
              deps.onProgress?.(total.keys, total.discrepancies, total.pending);
            },
          },
        );
        summaries[i] = result.summary;
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency, ranges.length) }, worker));
  if (failure !== undefined) throw failure;
  const requestsByOperation: Record<string, number> = {};
  for (const a of access)
    for (const [op, n] of Object.entries(a.stats.byOperation))
      requestsByOperation[op] = (requestsByOperation[op] ?? 0) + n;
  const done = summaries as AuditSummary[];
  return { summary: mergeSummaries(done), requestsByOperation, rangeKeys: done.map((x) => x.keys) };
}
