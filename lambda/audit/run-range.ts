import { S3Client } from '@aws-sdk/client-s3';
import { IncompleteError } from '../shared/errors';
import { RequestStats } from '../shared/s3-client';
import type { Logger } from '../shared/logger';
import { formatS3Uri } from '../shared/s3-uri';
import { AuditCheckpoint, AuditSummary, compareKeys } from './core';
import { partPageEndsKey, writePartPageEnds } from './plan-step';
import { AuditEvent, rangeBase } from './event';
import type { AuditConfig } from './contract';
import { emitMetrics } from './metrics';
import { buildReport, writeReport } from './report';
import { AuditOptions, runAudit } from './run-audit';
import { S3RecordSink } from './s3-sink';

export interface AuditHandlerResult {
  readonly status: 'complete' | 'partial';
  /** Present when partial: send it back in the next event. */
  readonly checkpoint?: AuditCheckpoint;
  readonly summary: AuditSummary;
  /** Key of the report in the reports bucket. */
  readonly reportKey: string;
  /** The merge of a distributed run: how evenly its ranges shared the keys (`describeBalance`). */
  readonly balance?: string;
}

/** What the handler needs from the Lambda context. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

/** What the handler needs from the Lambda context. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

/** Time kept back from the Lambda deadline to write the report and return. */
export const SAFETY_MARGIN_MS = 30_000;

/** The three clients of an invocation and their shared request counters. */
export interface AuditClients {
  readonly source: S3Client;
  readonly replica: S3Client;
  readonly reports: S3Client;
  readonly stats: RequestStats;
}

export interface AuditInvocationDeps {
  readonly env?: NodeJS.ProcessEnv;
  /** Clients for tests; by default built with createS3Client from the environment. */
  readonly clients?: AuditClients;
  readonly emit?: (line: string) => void;
  readonly now?: number;
  /** The structured logger. @default the handlers' logger (service cdk-s3-dr-audit) */
  readonly logger?: Logger;
}

/**
 * The run of one range (or of the whole key space): audits within the Lambda's time budget,
 * writes the report (and a checkpoint when it must resume), emits the metrics of a whole run.
 */
export async function runRange(
  cfg: AuditConfig,
  event: AuditEvent,
  clients: AuditClients,
  context: LambdaContextLike,
  deps: Pick<AuditInvocationDeps, 'emit' | 'now'> = {},
): Promise<AuditHandlerResult> {
  const stats = clients.stats;
  const now = deps.now ?? Date.now();
  const cp = event.checkpoint;
  const runId =
    typeof cp?.extra?.runId === 'string'
      ? cp.extra.runId
      : (event.runId ?? `${new Date(now).toISOString().replace(/[:.]/g, '-')}`);
  // A resumed range keeps its run's choice (the checkpoint is all the next invocation gets).
  const metrics = cp?.extra?.metricsBy === 'merge' ? false : (event.emitMetrics ?? true);
  const range = event.range ?? {};
  const base = rangeBase(cfg, runId, event.range);
  const part = (cp?.part ?? 0) + 1;
  const sink = new S3RecordSink(clients.reports, cfg.reportsBucket, base, part, Number(cp?.extra?.sinkPosition ?? 0));
  // The last key of every source page: kept beside the records, the next run plans its ranges from them.
  const pageEnds: string[] = [];
  const options: AuditOptions = {
    source: { bucket: cfg.source.bucket, prefix: cfg.source.prefix },
    replica: { bucket: cfg.replica.bucket, prefix: cfg.replica.prefix },
    mode: event.mode ?? cfg.mode,
    lagWindowSeconds: event.lagWindowSeconds ?? cfg.lagWindowSeconds,
    deleteMarkerReplication: cfg.deleteMarkerReplication,
    range,
    checkpoint: cp,
    now,
    timeBudgetMs: Math.max(1000, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS),
  };
  const withRun = (c: AuditCheckpoint): AuditCheckpoint => ({
    ...c,
    extra: { ...c.extra, runId, ...(metrics ? {} : { metricsBy: 'merge' }) },
  });
  let result;
  try {
    result = await runAudit(options, {
      sourceClient: clients.source,
      replicaClient: clients.replica,
      stats,
      sink,
      onPageEnd: (side, key) => {
        if (side !== 'source') return;
        // A range's last page runs past its end: the end stands for it, so that the ranges of a
        // run do not all report the same keys beyond their ends.
        const past = range.endAt !== undefined && compareKeys(key, range.endAt) > 0;
        const end = past ? range.endAt! : key;
        if (pageEnds[pageEnds.length - 1] !== end) pageEnds.push(end);
      },
    });
  } catch (err) {
    await sink.close().catch(() => undefined);
    if (err instanceof IncompleteError && err.checkpoint) {
      const checkpoint = withRun(err.checkpoint as AuditCheckpoint);
      const key = `${base}checkpoint-${String(part).padStart(4, '0')}.json`;
      await writeReport(`s3://${cfg.reportsBucket}/${key}`, checkpoint, clients.reports).catch(() => undefined);
      throw new IncompleteError(
        `${err.message} (checkpoint saved to s3://${cfg.reportsBucket}/${key})`,
        err.next,
        checkpoint,
        { cause: err.cause },
      );
    }
    throw err;
  }
  await sink.close();
  if (pageEnds.length > 0) {
    await writePartPageEnds(clients.reports, cfg.reportsBucket, partPageEndsKey(base, part), pageEnds).catch(
      () => undefined, // hints for the next run only
    );
  }
  const report = await buildReport({
    status: result.status,
    source: formatS3Uri(options.source),
    replica: formatS3Uri(options.replica),
    range,
    summary: result.summary,
    sink,
    jsonl: `s3://${cfg.reportsBucket}/${base}records-*.jsonl`,
  });
  const reportKey =
    result.status === 'complete' ? `${base}report.json` : `${base}report-part-${String(part).padStart(4, '0')}.json`;
  await writeReport(`s3://${cfg.reportsBucket}/${reportKey}`, report, clients.reports);
  // Metrics describe whole runs: a partial invocation's counts would be counted again later, and
  // the ranges of a distributed run leave them to the merge step.
  if (result.status === 'complete' && metrics) emitMetrics(cfg.name, result.summary, deps.emit);
  return {
    status: result.status,
    ...(result.checkpoint ? { checkpoint: withRun(result.checkpoint) } : {}),
    summary: result.summary,
    reportKey,
  };
}
