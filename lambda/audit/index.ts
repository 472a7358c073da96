import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describeError, IncompleteError, UsageError } from '../shared/errors';
import { Metrics } from '../shared/metrics';
import { createS3Client, RequestStats } from '../shared/s3-client';
import { formatS3Uri, S3Location } from '../shared/s3-uri';
import {
  AuditCheckpoint,
  AuditMode,
  AuditSummary,
  compareKeys,
  DEFAULT_LAG_WINDOW_SECONDS,
  describeComparison,
  Discrepancy,
  KeyRange,
  mergeReports,
  Unverified,
} from './core';
import { AuditReport, buildReport, REPORT_RECORD_CAP, writeReport } from './report';
import { AuditOptions, runAudit } from './run-audit';
import { S3RecordSink } from './s3-sink';
import { applyTimeoutEnv } from '../shared/timeouts';
import { partPageEndsKey, planEventProblems, planStep, PlanStepResult, savePageEnds, writePartPageEnds } from './plan-step';

// The request timeout (CDK_S3_DR_REQUEST_TIMEOUT_SECONDS), read once at the edge like the rest of the environment.
applyTimeoutEnv();

/** The event a Step Functions loop (or a schedule) sends; every field is optional. */
export interface AuditEvent {
  readonly range?: KeyRange;
  readonly checkpoint?: AuditCheckpoint;
  readonly lagWindowSeconds?: number;
  readonly mode?: AuditMode;
  /**
   * Groups the ranges of one distributed run under one report prefix (the state machine passes
   * its execution name). @default - the start time of the run
   */
  readonly runId?: string;
  /**
   * False for the ranges of a distributed run: the merge step emits the run's metrics once.
   * @default true
   */
  readonly emitMetrics?: boolean;
  /** Merge the range reports of a finished distributed run into one report (and emit its metrics). */
  readonly merge?: { readonly runId: string; readonly ranges: readonly KeyRange[] };
  /** Split the key space into about `count` ranges for a distributed run (see plan-step.ts). */
  readonly plan?: { readonly count: number };
}

export interface AuditHandlerResult {
  readonly status: 'complete' | 'partial';
  /** Present when partial: send it back in the next event. */
  readonly checkpoint?: AuditCheckpoint;
  readonly summary: AuditSummary;
  /** Key of the report in the reports bucket. */
  readonly reportKey: string;
}

/** What the handler needs from the Lambda context. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

/** The environment the construct sets, validated. */
export interface AuditConfig {
  readonly name: string;
  readonly source: S3Location & { region: string; endpoint?: string };
  readonly replica: S3Location & { region: string; endpoint?: string };
  readonly reportsBucket: string;
  readonly reportsPrefix: string;
  /** Region of the reports bucket: the Lambda's own region (the replica region), never the source's. */
  readonly reportsRegion: string;
  readonly reportsEndpoint?: string;
  readonly lagWindowSeconds: number;
  readonly mode: AuditMode;
  readonly deleteMarkerReplication: boolean;
}

/** Time kept back from the Lambda deadline to write the report and return. */
export const SAFETY_MARGIN_MS = 30_000;

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function configFromEnv(env: NodeJS.ProcessEnv): AuditConfig {
  const problems: string[] = [];
  const req = (name: string): string => {
    const v = env[name];
    if (!v) problems.push(`environment variable ${name} is not set: the construct sets it; set it to the bucket name`);
    else if (!BUCKET.test(v)) problems.push(`environment variable ${name}="${v}" is not a valid bucket name`);
    return v ?? '';
  };
  const region = (name: string): string => env[name] || env.AWS_REGION || 'us-east-1';
  const prefix = (name: string): string => {
    const v = env[name] ?? '';
    if (v.startsWith('/'))
      problems.push(`environment variable ${name}="${v}" starts with "/": S3 key prefixes have no leading slash`);
    return v;
  };
  const endpoint = (name: string): string | undefined => {
    const v = env[name];
    if (v && !/^https?:\/\/[^/]+/.test(v)) problems.push(`environment variable ${name}="${v}" is not an http(s) URL`);
    return v || undefined;
  };
  const source = {
    bucket: req('SOURCE_BUCKET'),
    prefix: prefix('SOURCE_PREFIX'),
    region: region('SOURCE_REGION'),
    endpoint: endpoint('SOURCE_ENDPOINT'),
  };
  const replica = {
    bucket: req('REPLICA_BUCKET'),
    prefix: prefix('REPLICA_PREFIX'),
    region: region('REPLICA_REGION'),
    endpoint: endpoint('REPLICA_ENDPOINT'),
  };
  const reportsBucket = req('REPORTS_BUCKET');
  const reportsEndpoint = endpoint('REPORTS_ENDPOINT');
  const lag = env.LAG_WINDOW_SECONDS
    ? lagWindow(env.LAG_WINDOW_SECONDS, 'environment variable LAG_WINDOW_SECONDS', problems)
    : DEFAULT_LAG_WINDOW_SECONDS;
  const modeRaw = env.MODE || 'current';
  if (modeRaw !== 'current' && modeRaw !== 'versions')
    problems.push(`environment variable MODE="${modeRaw}" must be "current" or "versions"`);
  const dmr = (env.DELETE_MARKER_REPLICATION || 'false').toLowerCase();
  if (dmr !== 'true' && dmr !== 'false')
    problems.push(
      `environment variable DELETE_MARKER_REPLICATION="${env.DELETE_MARKER_REPLICATION}" must be "true" or "false"`,
    );
  if (problems.length) throw new UsageError(problems.join('; '));
  return {
    name: env.AUDIT_NAME || source.bucket,
    source,
    replica,
    reportsBucket,
    reportsPrefix: env.REPORTS_PREFIX ?? '',
    reportsRegion: env.REPORTS_REGION || env.AWS_REGION || replica.region,
    reportsEndpoint: reportsEndpoint ?? replica.endpoint,
    lagWindowSeconds: lag,
    mode: modeRaw as AuditMode,
    deleteMarkerReplication: dmr === 'true',
  };
}

function lagWindow(v: unknown, what: string, problems: string[]): number {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    problems.push(`${what}=${JSON.stringify(v)} must be a whole number of seconds, 0 or more (for example 900)`);
    return DEFAULT_LAG_WINDOW_SECONDS;
  }
  return n;
}

export function parseEvent(event: unknown): AuditEvent {
  if (event === undefined || event === null) return {};
  if (typeof event !== 'object' || Array.isArray(event))
    throw new UsageError(`the event must be an object, got ${JSON.stringify(event)}`);
  const e = event as Record<string, unknown>;
  const problems: string[] = [];
  const known = ['range', 'checkpoint', 'lagWindowSeconds', 'mode', 'runId', 'emitMetrics', 'merge', 'plan'];
  for (const k of Object.keys(e))
    if (!known.includes(k)) problems.push(`event field "${k}" is not known: use ${known.join(', ')}`);
  if (e.range !== undefined) checkRange(e.range, 'event field range', problems);
  if (e.runId !== undefined && (typeof e.runId !== 'string' || !RUN_ID.test(e.runId)))
    problems.push(
      `event field runId=${JSON.stringify(e.runId)} must be 1-80 characters without spaces or slashes (a Step Functions execution name)`,
    );
  if (e.emitMetrics !== undefined && typeof e.emitMetrics !== 'boolean')
    problems.push(`event field emitMetrics=${JSON.stringify(e.emitMetrics)} must be true or false`);
  if (e.merge !== undefined) {
    const m = e.merge as Record<string, unknown>;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      problems.push(`event field merge must be an object { runId, ranges }, got ${JSON.stringify(e.merge)}`);
    } else {
      if (typeof m.runId !== 'string' || !RUN_ID.test(m.runId))
        problems.push(
          `event field merge.runId=${JSON.stringify(m.runId)} must be 1-80 characters without spaces or slashes (a Step Functions execution name)`,
        );
      if (!Array.isArray(m.ranges) || m.ranges.length === 0)
        problems.push(`event field merge.ranges must be the non-empty list of ranges the run audited`);
      else m.ranges.forEach((r, i) => checkRange(r, `event field merge.ranges[${i}]`, problems));
    }
    const others = Object.keys(e).filter((k) => k !== 'merge');
    if (others.length) problems.push(`a merge event takes no other fields: remove ${others.join(', ')}`);
  }
  if (e.plan !== undefined) problems.push(...planEventProblems(e));
  if (
    e.checkpoint !== undefined &&
    (typeof e.checkpoint !== 'object' || e.checkpoint === null || (e.checkpoint as { version?: unknown }).version !== 1)
  ) {
    problems.push(
      'event field checkpoint must be the checkpoint a previous invocation returned (an object with version 1)',
    );
  }
  if (e.lagWindowSeconds !== undefined) lagWindow(e.lagWindowSeconds, 'event field lagWindowSeconds', problems);
  if (e.mode !== undefined && e.mode !== 'current' && e.mode !== 'versions') {
    problems.push(`event field mode=${JSON.stringify(e.mode)} must be "current" or "versions"`);
  }
  if (problems.length) throw new UsageError(problems.join('; '));
  return e as AuditEvent;
}

/** Run ids become a folder of report keys: a Step Functions execution name (no spaces or slashes). */
const RUN_ID = /^[^\s/\\]{1,80}$/u;

function checkRange(v: unknown, what: string, problems: string[]): void {
  const r = v as Record<string, unknown>;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) {
    problems.push(`${what} must be an object { startAfter?, endAt? }, got ${JSON.stringify(v)}`);
    return;
  }
  for (const k of Object.keys(r)) {
    if (k !== 'startAfter' && k !== 'endAt') problems.push(`${what}.${k} is not known: use startAfter and endAt`);
    else if (typeof r[k] !== 'string') problems.push(`${what}.${k} must be a string key, got ${JSON.stringify(r[k])}`);
  }
}

/**
 * Where a run's range writes: one folder per range under the run's prefix. A range with no bound
 * is the whole key space, the same as no range: the state machine's loop resumes a single-range
 * run with `range: {}` (the checkpoint's), which must write where the first invocation wrote.
 */
function rangeBase(cfg: AuditConfig, runId: string, range: KeyRange | undefined): string {
  const bounded = range !== undefined && (range.startAfter !== undefined || range.endAt !== undefined);
  const dir = bounded
    ? `range-${encodeURIComponent(range.startAfter ?? '')}_${encodeURIComponent(range.endAt ?? '')}/`
    : '';
  return `${cfg.reportsPrefix}${runId}/${dir}`;
}

export interface AuditInvocationDeps {
  readonly env?: NodeJS.ProcessEnv;
  /** Clients for tests; by default built with createS3Client from the environment. */
  readonly clients?: { source: S3Client; replica: S3Client; reports: S3Client; stats: RequestStats };
  readonly emit?: (line: string) => void;
  readonly now?: number;
}

/** The function the handler wraps: validate, audit within the time budget, write report, metrics. */
export async function auditInvocation(
  rawEvent: unknown,
  context: LambdaContextLike,
  deps: AuditInvocationDeps = {},
): Promise<AuditHandlerResult> {
  const cfg = configFromEnv(deps.env ?? process.env);
  const event = parseEvent(rawEvent);
  const stats = deps.clients?.stats ?? new RequestStats();
  const clients = deps.clients ?? {
    source: createS3Client({ region: cfg.source.region, endpoint: cfg.source.endpoint, stats }),
    replica: createS3Client({ region: cfg.replica.region, endpoint: cfg.replica.endpoint, stats }),
    // Reports live in the replica region, which must stay writable when the source region is down.
    reports: createS3Client({ region: cfg.reportsRegion, endpoint: cfg.reportsEndpoint }),
    stats,
  };
  if (event.merge) return mergeRun(cfg, event.merge, clients.reports, deps);
  if (event.plan) throw new UsageError('a plan event is answered by invokeAudit (the handler), not auditInvocation');
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

/**
 * The last step of a distributed run: reads the report of every range (each must be complete),
 * merges them into one report for the whole key space, writes it beside the ranges' folders and
 * emits the run's metrics once.
 */
async function mergeRun(
  cfg: AuditConfig,
  merge: NonNullable<AuditEvent['merge']>,
  reports: S3Client,
  deps: AuditInvocationDeps,
): Promise<AuditHandlerResult> {
  const parts: { key: string; report: AuditReport }[] = [];
  const problems: string[] = [];
  for (const range of merge.ranges) {
    const key = `${rangeBase(cfg, merge.runId, range)}report.json`;
    try {
      const out = await reports.send(new GetObjectCommand({ Bucket: cfg.reportsBucket, Key: key }));
      const report = JSON.parse((await out.Body?.transformToString()) ?? '') as AuditReport;
      if (report.status !== 'complete')
        problems.push(`the report of range ${JSON.stringify(range)} is ${report.status}`);
      parts.push({ key, report });
    } catch (err) {
      problems.push(
        `the report of range ${JSON.stringify(range)} (s3://${cfg.reportsBucket}/${key}) cannot be read: ${describeError(err)}`,
      );
    }
  }
  if (problems.length) {
    throw new IncompleteError(
      `run ${merge.runId} cannot be merged: ${problems.join('; ')}`,
      'run the missing ranges again (the state machine retries them), then merge',
    );
  }
  const merged = mergeReports(
    parts.map(({ report }) => ({
      range: report.range,
      summary: report.summary,
      records: [...report.discrepancies, ...report.unverified].sort((a, b) => compareKeys(a.key, b.key)),
      truncated: report.truncated,
    })),
    REPORT_RECORD_CAP,
  );
  const first = parts[0].report;
  const report: AuditReport & { ranges: { range: KeyRange; report: string }[] } = {
    version: 1,
    status: 'complete',
    source: first.source,
    replica: first.replica,
    range: merged.range,
    generatedAt: new Date(deps.now ?? Date.now()).toISOString(),
    summary: merged.summary,
    compared: describeComparison(merged.summary),
    discrepancies: merged.records.filter((r): r is Discrepancy => r.kind !== 'unverified'),
    unverified: merged.records.filter((r): r is Unverified => r.kind === 'unverified'),
    recordCap: REPORT_RECORD_CAP,
    truncated: Boolean(merged.truncated),
    jsonl: `s3://${cfg.reportsBucket}/${cfg.reportsPrefix}${merge.runId}/range-*/records-*.jsonl`,
    ranges: parts.map(({ key, report: r }) => ({ range: r.range, report: `s3://${cfg.reportsBucket}/${key}` })),
  };
  const reportKey = `${cfg.reportsPrefix}${merge.runId}/report.json`;
  await writeReport(`s3://${cfg.reportsBucket}/${reportKey}`, report, reports);
  await savePageEnds(
    { client: reports, bucket: cfg.reportsBucket, prefix: cfg.reportsPrefix },
    merge.runId,
    first.source,
  ).catch(() => undefined); // the next run samples instead
  emitMetrics(cfg.name, merged.summary, deps.emit);
  return { status: 'complete', summary: merged.summary, reportKey };
}

/** One EMF line: a metric per kind, total discrepancies, objects audited and the observed lag. */
export function emitMetrics(name: string, s: AuditSummary, emit?: (line: string) => void): void {
  const m = new Metrics({ Audit: name });
  m.add('Missing', s.counts.missing)
    .add('Extra', s.counts.extra)
    .add('SizeMismatch', s.counts.sizeMismatch)
    .add('ContentMismatch', s.counts.contentMismatch)
    .add('VersionMismatch', s.counts.versionMismatch)
    .add('DeleteMarkerMismatch', s.counts.deleteMarkerMismatch)
    .add('Pending', s.counts.pending)
    .add('Discrepancies', s.discrepancies)
    .add('ObjectsAudited', s.keys)
    .add('MaxObservedLagSeconds', s.maxObservedLagSeconds, 'Seconds');
  m.flush(emit);
}

/**
 * What the handler answers: a plan event (the first step of a distributed run) with the ranges,
 * any other event with `auditInvocation`.
 */
export async function invokeAudit(
  rawEvent: unknown,
  context: LambdaContextLike,
  deps: AuditInvocationDeps = {},
): Promise<AuditHandlerResult | PlanStepResult> {
  const event = parseEvent(rawEvent);
  if (!event.plan) return auditInvocation(rawEvent, context, deps);
  const cfg = configFromEnv(deps.env ?? process.env);
  const clients = deps.clients ?? {
    source: createS3Client({ region: cfg.source.region, endpoint: cfg.source.endpoint }),
    reports: createS3Client({ region: cfg.reportsRegion, endpoint: cfg.reportsEndpoint }),
  };
  return planStep({
    source: { bucket: cfg.source.bucket, prefix: cfg.source.prefix },
    sourceClient: clients.source,
    reports: { client: clients.reports, bucket: cfg.reportsBucket, prefix: cfg.reportsPrefix },
    count: event.plan.count,
  });
}

export async function handler(event: unknown, context: LambdaContextLike): Promise<AuditHandlerResult | PlanStepResult> {
  return invokeAudit(event, context);
}
