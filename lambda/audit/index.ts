import { S3Client } from '@aws-sdk/client-s3';
import { IncompleteError, UsageError } from '../shared/errors';
import { Metrics } from '../shared/metrics';
import { createS3Client, RequestStats } from '../shared/s3-client';
import { formatS3Uri, S3Location } from '../shared/s3-uri';
import { AuditCheckpoint, AuditMode, AuditSummary, DEFAULT_LAG_WINDOW_SECONDS, KeyRange } from './core';
import { buildReport, writeReport } from './report';
import { AuditOptions, runAudit } from './run-audit';
import { S3RecordSink } from './s3-sink';

/** The event a Step Functions loop (or a schedule) sends; every field is optional. */
export interface AuditEvent {
  readonly range?: KeyRange;
  readonly checkpoint?: AuditCheckpoint;
  readonly lagWindowSeconds?: number;
  readonly mode?: AuditMode;
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
  const known = ['range', 'checkpoint', 'lagWindowSeconds', 'mode'];
  for (const k of Object.keys(e))
    if (!known.includes(k)) problems.push(`event field "${k}" is not known: use ${known.join(', ')}`);
  if (e.range !== undefined) {
    const r = e.range as Record<string, unknown>;
    if (typeof r !== 'object' || r === null || Array.isArray(r))
      problems.push(`event field range must be an object { startAfter?, endAt? }, got ${JSON.stringify(e.range)}`);
    else
      for (const k of Object.keys(r)) {
        if (k !== 'startAfter' && k !== 'endAt')
          problems.push(`event field range.${k} is not known: use startAfter and endAt`);
        else if (typeof r[k] !== 'string')
          problems.push(`event field range.${k} must be a string key, got ${JSON.stringify(r[k])}`);
      }
  }
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
  const now = deps.now ?? Date.now();
  const cp = event.checkpoint;
  const runId =
    typeof cp?.extra?.runId === 'string' ? cp.extra.runId : `${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  const range = event.range ?? {};
  const rangeDir = event.range
    ? `range-${encodeURIComponent(range.startAfter ?? '')}_${encodeURIComponent(range.endAt ?? '')}/`
    : '';
  const base = `${cfg.reportsPrefix}${runId}/${rangeDir}`;
  const part = (cp?.part ?? 0) + 1;
  const sink = new S3RecordSink(clients.reports, cfg.reportsBucket, base, part, Number(cp?.extra?.sinkPosition ?? 0));
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
  const withRun = (c: AuditCheckpoint): AuditCheckpoint => ({ ...c, extra: { ...c.extra, runId } });
  let result;
  try {
    result = await runAudit(options, { sourceClient: clients.source, replicaClient: clients.replica, stats, sink });
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
  // Metrics describe whole runs: a partial invocation's counts would be counted again later.
  if (result.status === 'complete') emitMetrics(cfg.name, result.summary, deps.emit);
  return {
    status: result.status,
    ...(result.checkpoint ? { checkpoint: withRun(result.checkpoint) } : {}),
    summary: result.summary,
    reportKey,
  };
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

export async function handler(event: unknown, context: LambdaContextLike): Promise<AuditHandlerResult> {
  return auditInvocation(event, context);
}
