/**
 * Consistency audit Lambda: a thin adapter. The environment the construct sets is parsed here
 * (configFromEnv); the event is validated in event.ts; an invocation either runs one range
 * (run-range.ts) or merges the ranges of a distributed run (merge-run.ts); both emit the run's
 * metrics through metrics.ts.
 */
import { UsageError } from '../shared/errors';
import { handlerLogger } from '../shared/logger';
import { createS3Client, RequestStats } from '../shared/s3-client';
import { S3Location } from '../shared/s3-uri';
import { applyTimeoutEnv } from '../shared/timeouts';
import { AuditMode, DEFAULT_LAG_WINDOW_SECONDS } from './core';
import { lagWindow, parseEvent } from './event';
import { mergeRun } from './merge-run';
import { AuditHandlerResult, AuditInvocationDeps, LambdaContextLike, runRange } from './run-range';

export type { AuditEvent } from './event';
export { parseEvent } from './event';
export { emitMetrics } from './metrics';
export type { AuditClients, AuditHandlerResult, AuditInvocationDeps, LambdaContextLike } from './run-range';
export { SAFETY_MARGIN_MS } from './run-range';

// The request timeout (CDK_S3_DR_REQUEST_TIMEOUT_SECONDS), read once at the edge like the rest of the environment.
applyTimeoutEnv();

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

/** The function the handler wraps: validate, then run one range or merge a distributed run. */
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
  const logger = deps.logger ?? defaultLogger;
  const what = event.merge ? { audit: cfg.name, merge: event.merge.runId } : { audit: cfg.name, range: event.range };
  try {
    const result = event.merge
      ? await mergeRun(cfg, event.merge, clients.reports, deps)
      : await runRange(cfg, event, clients, context, deps);
    const { summary } = result;
    logger.info(event.merge ? 'audit run merged' : `audit ${result.status}`, {
      ...what,
      status: result.status,
      reportKey: result.reportKey,
      keys: summary.keys,
      discrepancies: summary.discrepancies,
      counts: summary.counts,
    });
    return result;
  } catch (err) {
    logger.error('audit could not complete', { ...what, error: err as Error });
    throw err;
  }
}

const defaultLogger = handlerLogger('audit');

export async function handler(event: unknown, context: LambdaContextLike): Promise<AuditHandlerResult> {
  return auditInvocation(event, context);
}
