/**
 * A DescribeJob answer read for people and for exit codes. Pure.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_DescribeJob.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-job-status.html
 */
import { EXIT_CODES } from '../../shared/errors';
import { Metrics } from '../../shared/metrics';

/** The fields of S3 Control's JobDescriptor this module reads (a structural subset of the SDK type). */
export interface JobView {
  readonly JobId?: string;
  readonly Status?: string;
  readonly ConfirmationRequired?: boolean;
  readonly StatusUpdateReason?: string;
  readonly SuspendedCause?: string;
  readonly FailureReasons?: readonly { readonly FailureCode?: string; readonly FailureReason?: string }[];
  readonly ProgressSummary?: {
    readonly TotalNumberOfTasks?: number;
    readonly NumberOfTasksSucceeded?: number;
    readonly NumberOfTasksFailed?: number;
    readonly Timers?: { readonly ElapsedTimeInActiveSeconds?: number };
  };
  readonly Report?: { readonly Bucket?: string; readonly Prefix?: string; readonly Enabled?: boolean };
}

/** Where a job stands: finished (one way or another), waiting for someone, or still moving. */
export type JobPhase = 'complete' | 'failed' | 'cancelled' | 'awaiting-confirmation' | 'running';

const RUNNING = new Set([
  'New',
  'Preparing',
  'Ready',
  'Active',
  'Pausing',
  'Paused',
  'Completing',
  'Failing',
  'Cancelling',
]);

export interface JobStatusReport {
  readonly jobId: string;
  readonly status: string;
  readonly phase: JobPhase;
  /** True when nothing more will happen without someone acting (finished, or waiting for confirmation). */
  readonly settled: boolean;
  readonly total?: number;
  readonly succeeded: number;
  readonly failed: number;
  /** One line for people. */
  readonly line: string;
  /** Failure reasons, as S3 worded them. */
  readonly reasons: string[];
  /** The s3:// location of the completion report, when the job writes one. */
  readonly reportUri?: string;
  /** 0 complete with no failed task; 1 complete with failed tasks; 3 otherwise (failed, cancelled, waiting or running). */
  readonly exitCode: number;
  /** What to do next, when there is something to do. */
  readonly next?: string;
}

function phaseOf(j: JobView): JobPhase {
  switch (j.Status) {
    case 'Complete':
      return 'complete';
    case 'Failed':
      return 'failed';
    case 'Cancelled':
      return 'cancelled';
    case 'Suspended':
      // A Batch Operations job is suspended only to await confirmation (SuspendedCause says why).
      return 'awaiting-confirmation';
    default:
      return 'running';
  }
}

function bucketOf(arn: string | undefined): string | undefined {
  return arn ? /^arn:[^:]+:s3:::(.+)$/.exec(arn)?.[1] : undefined;
}

/**
 * Reads a DescribeJob answer into a status line, the failure reasons and an exit code; `where`
 * (e.g. "--account 123456789012 --source-region eu-west-1") completes the commands suggested next.
 */
export function interpretJob(j: JobView, where = ''): JobStatusReport {
  const w = where ? ` ${where}` : '';
  const jobId = j.JobId ?? '(unknown job)';
  const status = j.Status ?? 'unknown';
  const phase = j.Status && !RUNNING.has(j.Status) ? phaseOf(j) : 'running';
  const p = j.ProgressSummary ?? {};
  const total = p.TotalNumberOfTasks;
  const succeeded = p.NumberOfTasksSucceeded ?? 0;
  const failed = p.NumberOfTasksFailed ?? 0;
  const reasons = (j.FailureReasons ?? []).map((f) => [f.FailureCode, f.FailureReason].filter(Boolean).join(': '));
  const reportBucket = bucketOf(j.Report?.Bucket);
  const reportUri =
    j.Report?.Enabled && reportBucket
      ? `s3://${reportBucket}/${j.Report.Prefix ? `${j.Report.Prefix.replace(/\/+$/, '')}/` : ''}job-${jobId}/`
      : undefined;
  const counts =
    total === undefined ? 'object count not known yet' : `${succeeded} of ${total} replicated, ${failed} failed`;
  const elapsed = p.Timers?.ElapsedTimeInActiveSeconds;
  const after = elapsed !== undefined && phase !== 'awaiting-confirmation' ? ` after ${elapsed} s active` : '';
  let exitCode: number = EXIT_CODES.incomplete;
  let next: string | undefined;
  let summary: string;
  switch (phase) {
    case 'complete':
      exitCode = failed > 0 ? EXIT_CODES.findings : EXIT_CODES.ok;
      summary = failed > 0 ? `complete with failures: ${counts}` : `complete: ${counts}`;
      if (failed > 0)
        next = `read the completion report${reportUri ? ` under ${reportUri}` : ''} for why, fix it, then run backfill again with --statuses FAILED`;
      break;
    case 'failed':
      summary = `failed: ${counts}`;
      next =
        'fix the reasons given (often the role: s3:InitiateReplication, the manifest or report permissions), then create a new job';
      break;
    case 'cancelled':
      summary = `cancelled: ${counts}`;
      next = 'create a new job to replicate what is left';
      break;
    case 'awaiting-confirmation':
      summary = `awaiting confirmation${j.SuspendedCause ? ` (${j.SuspendedCause})` : ''}: ${total === undefined ? 'the manifest is not counted yet' : `${total} objects to replicate`}`;
      next = `start it with: cdk-s3-dr backfill --start ${jobId}${w} (or cancel it with --cancel ${jobId}${w})`;
      break;
    default:
      summary = `${status.toLowerCase()}: ${counts}`;
      next = `follow it with: cdk-s3-dr backfill --status ${jobId}${w} --wait`;
  }
  const why = j.StatusUpdateReason && phase !== 'running' ? ` (${j.StatusUpdateReason})` : '';
  return {
    jobId,
    status,
    phase,
    settled: phase !== 'running',
    total,
    succeeded,
    failed,
    line: `job ${jobId}: ${summary}${after}${why}`,
    reasons,
    reportUri,
    exitCode,
    next,
  };
}

/**
 * The metrics of a finished job, as CloudWatch Embedded Metric Format (BackfillTasksSucceeded,
 * BackfillTasksFailed, BackfillJobFailed), dimension Bucket; undefined while the job is not finished.
 */
export function completionMetrics(r: JobStatusReport, bucket: string): Metrics | undefined {
  if (r.phase !== 'complete' && r.phase !== 'failed' && r.phase !== 'cancelled') return undefined;
  return new Metrics({ Bucket: bucket })
    .add('BackfillTasksSucceeded', r.succeeded)
    .add('BackfillTasksFailed', r.failed)
    .add('BackfillJobFailed', r.phase === 'complete' ? 0 : 1);
}
