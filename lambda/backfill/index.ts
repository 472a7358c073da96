/**
 * Backfill Lambda: a thin adapter over the Batch Replication core (core/*) and the S3 Control
 * calls (control.ts). Creates a job with a generated manifest (awaiting confirmation unless
 * configured or asked otherwise), confirms (starts), cancels or describes one, and, invoked by the
 * rule on S3 Batch Operations `JobStatusChanged` events, turns the end of one of its own jobs
 * into CloudWatch metrics (Embedded Metric Format). See core/invocation.ts for the events.
 */
import { BackfillControl } from './control';
import { buildCreateJob } from './core/create-job';
import { BACKFILL_CONFIG_ENV, BackfillHandlerConfig, parseBackfillConfig, parseBackfillEvent } from './core/invocation';
import { parseBackfillOptions } from './core/options';
import { completionMetrics, interpretJob, JobStatusReport } from './core/status';
import { describeError, serviceFailure } from '../shared/errors';
import { parseS3Uri } from '../shared/s3-uri';
import { applyTimeoutEnv } from '../shared/timeouts';

// The request timeout (CDK_S3_DR_REQUEST_TIMEOUT_SECONDS), read once at the edge like the rest of the environment.
applyTimeoutEnv();

/** The S3 Control calls the handler makes (BackfillControl). */
export type BackfillControlPort = Pick<BackfillControl, 'createJob' | 'describeJob' | 'updateStatus' | 'destroy'>;

export interface BackfillHandlerDeps {
  /** @default a BackfillControl for the configured account, region and endpoint */
  readonly control?: (config: BackfillHandlerConfig) => BackfillControlPort;
  /** Where the EMF line goes. @default stdout */
  readonly emit?: (line: string) => void;
  /** Where the human summary goes. @default console.log */
  readonly log?: (line: string) => void;
  /** @default new Date() */
  readonly now?: Date;
}

export interface BackfillResult {
  readonly action: 'create' | 'start' | 'cancel' | 'status' | 'job-status-changed' | 'ignored';
  readonly jobId?: string;
  /** The job as DescribeJob reports it after the action. */
  readonly job?: Omit<JobStatusReport, 'line'> & { readonly summary: string };
  /** Why the event was ignored. */
  readonly ignored?: string;
}

const view = (r: JobStatusReport): BackfillResult['job'] => {
  const { line, ...rest } = r;
  return { ...rest, summary: line };
};

/** The function the handler wraps: configuration from `env`, the request from `event`. */
export async function backfill(
  event: unknown,
  env: NodeJS.ProcessEnv,
  deps: BackfillHandlerDeps = {},
): Promise<BackfillResult> {
  const config = parseBackfillConfig(env[BACKFILL_CONFIG_ENV]);
  const request = parseBackfillEvent(event, config);
  const log = deps.log ?? console.log;
  if (request.kind === 'ignored') {
    log(`ignored: ${request.why}`);
    return { action: 'ignored', ignored: request.why };
  }
  // Validated before any request, exactly as the command line validates its options.
  const options = request.kind === 'create' ? parseBackfillOptions(request.options, deps.now ?? new Date()) : undefined;
  const where = `--account ${config.account} --source-region ${config.region}`;
  const control = (deps.control ?? ((c) => new BackfillControl(c)))(config);
  try {
    let jobId: string;
    if (options) {
      jobId = await control.createJob(buildCreateJob(options));
      log(`created Batch Replication job ${jobId} (${options.confirm ? 'started at once' : 'awaiting confirmation'})`);
    } else {
      jobId = (request as { jobId: string }).jobId;
      if (request.kind === 'start') await control.updateStatus(jobId, 'Ready', `confirmed through ${config.name}`);
      if (request.kind === 'cancel') await control.updateStatus(jobId, 'Cancelled', `cancelled through ${config.name}`);
    }
    let job;
    try {
      job = await control.describeJob(jobId);
    } catch (err) {
      // The function may describe replication jobs only (s3:ExistingJobOperation): the rule also
      // sees the account's other Batch Operations jobs (tagging, copying...), which it may not read.
      if (request.kind !== 'job-status-changed' || serviceFailure(err)?.kind !== 'access') throw err;
      const why = `job ${jobId} cannot be described (${describeError(err)}): not a replication job of ${config.name}`;
      log(`ignored: ${why}`);
      return { action: 'ignored', jobId, ignored: why };
    }
    if (request.kind === 'job-status-changed' && job.RoleArn !== config.roleArn) {
      // The rule sees every Batch Operations job of the account and region: only ours count.
      const why = `job ${jobId} runs with another role (${job.RoleArn ?? 'none'}): not a job of ${config.name}`;
      log(`ignored: ${why}`);
      return { action: 'ignored', jobId, ignored: why };
    }
    const report = interpretJob(job, where);
    log(report.line);
    for (const reason of report.reasons) log(`  - ${reason}`);
    if (request.kind === 'job-status-changed') {
      completionMetrics(report, parseS3Uri(config.source, `${BACKFILL_CONFIG_ENV}.source`).bucket)?.flush(deps.emit);
    }
    return { action: request.kind, jobId, job: view(report) };
  } finally {
    control.destroy();
  }
}

/** The Lambda entry point. */
export const handler = (event: unknown): Promise<BackfillResult> => backfill(event, process.env);
