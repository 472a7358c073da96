/**
 * The options of an S3 Batch Replication job (backfill of existing objects, re-replication of
 * failed ones), validated. Pure: no AWS SDK, no clock (the caller passes `now`).
 */
import { UsageError } from '../../shared/errors';
import { parseS3Uri, S3Location } from '../../shared/s3-uri';

/** The replication statuses a generated manifest can filter on. */
export const REPLICATION_STATUSES = ['NONE', 'FAILED', 'COMPLETED', 'REPLICA'] as const;
export type ReplicationStatus = (typeof REPLICATION_STATUSES)[number];

/** Objects never replicated (existing before the rule, or not yet) and objects whose replication failed. */
export const DEFAULT_STATUSES: readonly ReplicationStatus[] = ['NONE', 'FAILED'];
export const DEFAULT_PRIORITY = 10;
export const MAX_PRIORITY = 2147483647;

export type ReportScope = 'AllTasks' | 'FailedTasksOnly';

/** What the caller typed, as strings (the command line's values). */
export interface RawBackfillOptions {
  readonly source?: string;
  readonly account?: string;
  readonly roleArn?: string;
  readonly report?: string;
  readonly statuses?: string;
  readonly createdAfter?: string;
  readonly createdBefore?: string;
  readonly priority?: string;
  readonly reportScope?: string;
  readonly runId?: string;
  /** Start at once instead of waiting for confirmation. */
  readonly confirm?: boolean;
}

export interface BackfillOptions {
  readonly source: S3Location;
  /** The account that owns the job (the S3 Control account id). */
  readonly account: string;
  /** The AWS partition, from the role ARN (aws, aws-cn, aws-us-gov). */
  readonly partition: string;
  readonly roleArn: string;
  /** Where the completion report and the generated manifest go. */
  readonly report: S3Location;
  readonly statuses: readonly ReplicationStatus[];
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  readonly priority: number;
  readonly reportScope: ReportScope;
  /** Mixed into the idempotency token: a new value creates a new job with the same filters. */
  readonly runId?: string;
  /** False (default): the job is created suspended, awaiting confirmation. */
  readonly confirm: boolean;
}

const ACCOUNT = /^\d{12}$/;
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const RUN_ID = /^[A-Za-z0-9._-]{1,32}$/;

function date(option: string, raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const d = DATE.test(raw) ? new Date(raw.length === 10 ? `${raw}T00:00:00Z` : raw) : undefined;
  if (!d || Number.isNaN(d.getTime())) {
    throw new UsageError(
      `${option} "${raw}" is not a date: write it as 2026-01-31 (midnight UTC) or 2026-01-31T12:00:00Z`,
    );
  }
  return d;
}

/** Parses `NONE,FAILED`: known statuses, case-insensitive, no repeats, at least one; in one canonical order. */
export function parseStatuses(raw: string | undefined): readonly ReplicationStatus[] {
  if (raw === undefined) return DEFAULT_STATUSES;
  const items = raw.split(',').map((s) => s.trim().toUpperCase());
  if (items.some((s) => s === '')) {
    throw new UsageError(`--statuses "${raw}" has an empty item: write for example --statuses NONE,FAILED`);
  }
  const out: ReplicationStatus[] = [];
  for (const s of items) {
    if (!(REPLICATION_STATUSES as readonly string[]).includes(s)) {
      throw new UsageError(
        `--statuses "${raw}" names an unknown replication status "${s}": use ${REPLICATION_STATUSES.join(', ')}`,
      );
    }
    if (out.includes(s as ReplicationStatus))
      throw new UsageError(`--statuses "${raw}" names ${s} twice: give each status once`);
    out.push(s as ReplicationStatus);
  }
  // The same set gives the same request (and idempotency token) whatever order it was typed in.
  return REPLICATION_STATUSES.filter((s) => out.includes(s));
}

/** Validates every option; the first problem is thrown as a UsageError naming the option, the value and the fix. */
export function parseBackfillOptions(raw: RawBackfillOptions, now: Date): BackfillOptions {
  if (raw.source === undefined)
    throw new UsageError('--source is required: give the source bucket as s3://bucket[/prefix]');
  const source = parseS3Uri(raw.source, '--source');
  if (raw.account === undefined)
    throw new UsageError('--account is required: give the 12-digit id of the account that owns the source bucket');
  if (!ACCOUNT.test(raw.account))
    throw new UsageError(`--account "${raw.account}" is not an account id: write the 12 digits, e.g. 123456789012`);
  if (raw.roleArn === undefined) {
    throw new UsageError(
      '--role-arn is required: give the Batch Operations role (trusting batchoperations.s3.amazonaws.com), e.g. arn:aws:iam::123456789012:role/backfill',
    );
  }
  const role = ROLE_ARN.exec(raw.roleArn);
  if (!role) {
    throw new UsageError(`--role-arn "${raw.roleArn}" is not an IAM role ARN: write arn:aws:iam::ACCOUNT:role/NAME`);
  }
  if (role[2] !== raw.account) {
    throw new UsageError(
      `--role-arn "${raw.roleArn}" is in account ${role[2]}, not --account ${raw.account}: a Batch Operations job runs with a role of its own account`,
    );
  }
  if (raw.report === undefined) {
    throw new UsageError(
      '--report is required: give where the completion report and the generated manifest go, e.g. s3://reports-bucket/backfill/',
    );
  }
  const report = parseS3Uri(raw.report, '--report');
  if (report.bucket === source.bucket && (source.prefix === '' || report.prefix.startsWith(source.prefix))) {
    throw new UsageError(
      `--report "${raw.report}" is inside --source "${raw.source}": the reports would be replicated too; give a prefix outside the source or another bucket`,
    );
  }
  const statuses = parseStatuses(raw.statuses);
  const createdAfter = date('--created-after', raw.createdAfter);
  const createdBefore = date('--created-before', raw.createdBefore);
  if (createdAfter && createdAfter.getTime() >= now.getTime()) {
    throw new UsageError(
      `--created-after "${raw.createdAfter}" is in the future: no object can match; give an earlier date`,
    );
  }
  if (createdAfter && createdBefore && createdAfter.getTime() >= createdBefore.getTime()) {
    throw new UsageError(
      `--created-after "${raw.createdAfter}" is not before --created-before "${raw.createdBefore}": no object can match; swap or widen them`,
    );
  }
  let priority = DEFAULT_PRIORITY;
  if (raw.priority !== undefined) {
    if (!/^\d+$/.test(raw.priority) || Number(raw.priority) > MAX_PRIORITY) {
      throw new UsageError(
        `--priority "${raw.priority}" must be a whole number from 0 to ${MAX_PRIORITY} (higher runs first)`,
      );
    }
    priority = Number(raw.priority);
  }
  let reportScope: ReportScope = 'AllTasks';
  if (raw.reportScope !== undefined) {
    if (raw.reportScope === 'all') reportScope = 'AllTasks';
    else if (raw.reportScope === 'failed') reportScope = 'FailedTasksOnly';
    else throw new UsageError(`--report-scope "${raw.reportScope}" must be all or failed`);
  }
  if (raw.runId !== undefined && !RUN_ID.test(raw.runId)) {
    throw new UsageError(
      `--run-id "${raw.runId}" must be 1-32 letters, digits, dots, hyphens or underscores, e.g. 2026-12-04`,
    );
  }
  return {
    source,
    account: raw.account,
    partition: role[1],
    roleArn: raw.roleArn,
    report,
    statuses,
    createdAfter,
    createdBefore,
    priority,
    reportScope,
    runId: raw.runId,
    confirm: raw.confirm === true,
  };
}

/** A job id as S3 Control issues them (a UUID); refused before any request otherwise. */
export function parseJobId(option: string, raw: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw)) {
    throw new UsageError(
      `${option} "${raw}" is not a Batch Operations job id: give the id printed when the job was created, e.g. 6a5b4c3d-1e2f-4a5b-8c9d-0e1f2a3b4c5d`,
    );
  }
  return raw;
}
