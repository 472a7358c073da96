/**
 * What the backfill Lambda is asked to do, read from its configuration (BACKFILL_CONFIG, JSON,
 * written by the ReplicationBackfill construct) and its event. Pure: no AWS SDK, no clock.
 *
 * Events:
 * - `{ "action": "create", "statuses"?: "NONE,FAILED", "createdAfter"?: "2026-01-31",
 *   "createdBefore"?: ..., "runId"?: "2026-12-05", "confirm"?: true }`: creates a Batch Replication
 *   job (suspended, awaiting confirmation unless `confirm`, or the construct says otherwise);
 * - `{ "action": "start" | "cancel" | "status", "jobId": "..." }`;
 * - the schedule's `{ "action": "create", "scheduledTime": "2026-12-05T06:00:00Z" }`: a new job
 *   per scheduled run (the time becomes the run id);
 * - the EventBridge rule's S3 Batch Operations `JobStatusChanged` event (CloudTrail service event).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-examples-event-bridge-cloud-trail.html
 */
import { UsageError } from '../../shared/errors';
import { parseJobId, RawBackfillOptions } from './options';

/** The environment variable holding the configuration. */
export const BACKFILL_CONFIG_ENV = 'BACKFILL_CONFIG';

/** The construct's configuration of the handler. */
export interface BackfillHandlerConfig {
  /** The metric dimension `Backfill` and the prefix of job descriptions. */
  readonly name: string;
  /** The account that owns the source bucket and the jobs. */
  readonly account: string;
  /** The source bucket's region: where jobs run. */
  readonly region: string;
  /** s3://bucket/prefix of the source. */
  readonly source: string;
  /** s3://bucket/prefix/ of the completion reports and generated manifests. */
  readonly report: string;
  /** The Batch Operations role every job runs with. */
  readonly roleArn: string;
  /** Default statuses, e.g. "NONE,FAILED". */
  readonly statuses: string;
  readonly priority: number;
  /** `all` or `failed`. */
  readonly reportScope: string;
  /** True: jobs start at once unless the event says otherwise; false (default): they await confirmation. */
  readonly confirm: boolean;
  /** A custom S3 Control endpoint (tests). */
  readonly endpoint?: string;
}

export type BackfillRequest =
  | { readonly kind: 'create'; readonly options: RawBackfillOptions }
  | { readonly kind: 'start' | 'cancel' | 'status'; readonly jobId: string }
  | { readonly kind: 'job-status-changed'; readonly jobId: string; readonly status: string }
  | { readonly kind: 'ignored'; readonly why: string };

/** The job statuses after which nothing more happens: the rule's pattern, and when metrics are emitted. */
export const FINAL_JOB_STATUSES = ['Complete', 'Failed', 'Cancelled'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(o: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`${where}.${key} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

/** Parses BACKFILL_CONFIG; a missing or malformed one is a deployment bug, reported as a UsageError. */
export function parseBackfillConfig(raw: string | undefined): BackfillHandlerConfig {
  if (!raw) throw new UsageError(`${BACKFILL_CONFIG_ENV} is not set: the construct sets it (JSON)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new UsageError(`${BACKFILL_CONFIG_ENV} is not JSON: ${JSON.stringify(raw.slice(0, 80))}`);
  }
  if (!isRecord(parsed)) throw new UsageError(`${BACKFILL_CONFIG_ENV} must be a JSON object`);
  const need = (key: string): string => {
    const v = str(parsed as Record<string, unknown>, key, BACKFILL_CONFIG_ENV);
    if (!v) throw new UsageError(`${BACKFILL_CONFIG_ENV}.${key} is required`);
    return v;
  };
  const priority = parsed.priority;
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0) {
    throw new UsageError(`${BACKFILL_CONFIG_ENV}.priority must be a whole number, got ${JSON.stringify(priority)}`);
  }
  return {
    name: need('name'),
    account: need('account'),
    region: need('region'),
    source: need('source'),
    report: need('report'),
    roleArn: need('roleArn'),
    statuses: need('statuses'),
    priority,
    reportScope: need('reportScope'),
    confirm: parsed.confirm === true,
    endpoint: str(parsed, 'endpoint', BACKFILL_CONFIG_ENV) || undefined,
  };
}

/** A run id from a scheduled time: `scheduled-20261205T060000Z` (the characters a run id allows). */
export function scheduledRunId(time: string): string {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) throw new UsageError(`scheduledTime "${time}" is not a time`);
  return `scheduled-${d
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '')}`;
}

/** Reads the event into one request; anything unrecognised fails, naming what was expected. */
export function parseBackfillEvent(event: unknown, config: BackfillHandlerConfig): BackfillRequest {
  if (!isRecord(event)) {
    throw new UsageError('the event must be an object such as {"action":"create"} or {"action":"start","jobId":"..."}');
  }
  if (event.source === 'aws.s3' && isRecord(event.detail)) return fromJobEvent(event.detail, config);
  const action = str(event, 'action', 'event');
  switch (action) {
    case 'create': {
      const scheduled = str(event, 'scheduledTime', 'event');
      const runId = scheduled !== undefined ? scheduledRunId(scheduled) : str(event, 'runId', 'event');
      const confirm = event.confirm === undefined ? config.confirm : event.confirm === true;
      return {
        kind: 'create',
        options: {
          source: config.source,
          account: config.account,
          roleArn: config.roleArn,
          report: config.report,
          statuses: str(event, 'statuses', 'event') ?? config.statuses,
          createdAfter: str(event, 'createdAfter', 'event'),
          createdBefore: str(event, 'createdBefore', 'event'),
          priority: String(config.priority),
          reportScope: config.reportScope,
          runId,
          confirm,
        },
      };
    }
    case 'start':
    case 'cancel':
    case 'status': {
      const jobId = str(event, 'jobId', 'event');
      if (jobId === undefined) throw new UsageError(`event.jobId is required with action "${action}"`);
      return { kind: action, jobId: parseJobId('event.jobId', jobId) };
    }
    default:
      throw new UsageError(
        `event.action ${JSON.stringify(action)} is not one of create, start, cancel, status (or an S3 Batch Operations job event)`,
      );
  }
}

/** The CloudTrail service event S3 Batch Operations records on each status change. */
function fromJobEvent(detail: Record<string, unknown>, config: BackfillHandlerConfig): BackfillRequest {
  if (detail.eventName !== 'JobStatusChanged') return { kind: 'ignored', why: `event ${String(detail.eventName)}` };
  const d = isRecord(detail.serviceEventDetails) ? detail.serviceEventDetails : {};
  const jobId = typeof d.jobId === 'string' ? d.jobId : undefined;
  const status = typeof d.status === 'string' ? d.status : undefined;
  if (!jobId || !status) return { kind: 'ignored', why: 'a JobStatusChanged event without jobId or status' };
  if (detail.recipientAccountId !== undefined && detail.recipientAccountId !== config.account) {
    return { kind: 'ignored', why: `job ${jobId} of account ${String(detail.recipientAccountId)}` };
  }
  if (!(FINAL_JOB_STATUSES as readonly string[]).includes(status)) {
    return { kind: 'ignored', why: `job ${jobId} is ${status}, not finished` };
  }
  return { kind: 'job-status-changed', jobId, status };
}
