import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditRecord, AuditSummary, KeyRange } from '../audit/core';
import { planAuditRanges, RangePlan } from '../audit/planner';
import { AuditOptions, AuditRunResult } from '../audit/run-audit';
import { runAuditRanges } from '../audit/run-ranges';
import { JsonlFileSink, RecordSink } from '../audit/sink';
import { S3Access } from '../shared/s3-access';
import { RequestStats, S3ClientOptions } from '../shared/s3-options';

export interface ParallelAuditInput {
  readonly options: AuditOptions;
  /** How each side is reached; every range gets its own access with its own counters. */
  readonly sourceSide: S3ClientOptions;
  readonly replicaSide: S3ClientOptions;
  /** Ranges listed at once; the key space is split into this many ranges. */
  readonly parallel: number;
  /** Page boundaries of a previous run of the source side (`--hints`): plan from them, no request. */
  readonly pageEnds?: readonly string[];
  /** The run's counters: planning and every range are added to them. */
  readonly stats: RequestStats;
  /** The run's record sink: every range's records are copied to it, in key order, at the end. */
  readonly sink: RecordSink;
  readonly onPlan?: (plan: RangePlan) => void;
  readonly onPageEnd?: (side: 'source' | 'replica', lastKey: string) => void;
  readonly onProgress?: (keys: number, discrepancies: number, pending: number) => void;
}

/**
 * `audit --parallel N`: splits the key space into N ranges of about equal size (from the previous
 * run's page boundaries, or a sample of the source), audits them N at a time, and returns what a
 * single-range run of the same key space returns: one summary, the records in key order.
 */
export async function auditInParallel(
  input: ParallelAuditInput,
): Promise<AuditRunResult & { plan: RangePlan; rangeKeys: readonly number[] }> {
  const started = Date.now();
  const { options, stats } = input;
  const planner = S3Access.fromOptions({ ...input.sourceSide, stats });
  const plan = await planAuditRanges({
    client: planner,
    side: 'source',
    bucket: options.source.bucket,
    prefix: options.source.prefix,
    count: input.parallel,
    within: options.range,
    pageEnds: input.pageEnds,
    pageSize: options.pageSize,
  });
  input.onPlan?.(plan);
  const ranges: KeyRange[] = plan.ranges;
  // Each range streams its records to a file of its own; they are joined in range order at the end.
  const dir = mkdtempSync(join(tmpdir(), 'cdk-s3-dr-ranges-'));
  try {
    const sinks = ranges.map((_, i) => new JsonlFileSink(join(dir, `range-${i}.jsonl`)));
    const rangeStats = ranges.map(() => new RequestStats());
    const result = await runAuditRanges(options, ranges, {
      concurrency: input.parallel,
      access: (i) => ({
        sourceClient: S3Access.fromOptions({ ...input.sourceSide, stats: rangeStats[i] }),
        replicaClient: S3Access.fromOptions({ ...input.replicaSide, stats: rangeStats[i] }),
        stats: rangeStats[i],
      }),
      sink: (i) => sinks[i],
      onPageEnd: input.onPageEnd,
      onProgress: input.onProgress,
    }).finally(() => Promise.allSettled(sinks.map((s) => s.close())));
    for (const s of sinks) {
      // Line by line: a range with many discrepancies is never held in memory whole.
      const lines = createInterface({ input: createReadStream(s.path), crlfDelay: Infinity });
      for await (const line of lines) if (line) await input.sink.write(JSON.parse(line) as AuditRecord);
    }
    for (const r of rangeStats) {
      stats.requests += r.requests;
      stats.operations += r.operations;
      for (const [op, n] of Object.entries(r.byOperation)) stats.byOperation[op] = (stats.byOperation[op] ?? 0) + n;
    }
    const summary: AuditSummary = {
      ...result.summary,
      requests: stats.requests,
      retries: stats.retries,
      durationMs: Date.now() - started,
    };
    return { status: 'complete', summary, plan, rangeKeys: result.rangeKeys };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
