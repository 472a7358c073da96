import { BackfillControl } from '../backfill/control';
import { buildCreateJob } from '../backfill/core/create-job';
import { DEFAULT_PRIORITY, DEFAULT_STATUSES, parseBackfillOptions, parseJobId } from '../backfill/core/options';
import { interpretJob, JobStatusReport } from '../backfill/core/status';
import { AccessError, errorCodeOf, EXIT_CODES, UsageError } from '../shared/errors';
import { CliIO } from './io';
import { endpointOption, EXIT_CODES_HELP, LIMITS_HELP, parseOptions, regionOption } from './options';

export const BACKFILL_USAGE = `usage: cdk-s3-dr backfill --source s3://BUCKET[/PREFIX] --account ID --role-arn ARN --report s3://BUCKET/PREFIX/
                          [--statuses NONE,FAILED] [--created-after DATE] [--created-before DATE]
                          [--confirm] [--dry-run] [--wait] [--json]
       cdk-s3-dr backfill --start JOB_ID | --status JOB_ID | --cancel JOB_ID --account ID [--source-region REGION]
                          [--wait] [--json]

Replicates objects that live replication never copied (objects written before the rule existed:
status NONE) or could not copy (status FAILED) with an S3 Batch Replication job: S3 Batch
Operations generates the list of objects from the source bucket's replication configuration and
the filters, replicates them, and writes a completion report. The job is created suspended,
awaiting confirmation (it shows how many objects it would replicate): start it with --start.

options:
  --source s3://BUCKET[/PREFIX]  the source bucket (its replication configuration decides the destinations)
  --source-region REGION         the source bucket's region, where the job runs (default: AWS_REGION)
  --account ID                   the account that owns the source bucket and the job (S3 Control account id)
  --role-arn ARN                 the Batch Operations role (trusts batchoperations.s3.amazonaws.com)
  --report s3://BUCKET/PREFIX/   where the completion report and the generated manifest are written
  --statuses LIST                replication statuses to replicate, from NONE, FAILED, COMPLETED, REPLICA
                                 (default ${DEFAULT_STATUSES.join(',')}: every object not on the replica)
  --created-after DATE           only objects created after DATE (2026-01-31 or 2026-01-31T12:00:00Z)
  --created-before DATE          only objects created before DATE
  --priority N                   the job's priority, higher first (default ${DEFAULT_PRIORITY})
  --report-scope all|failed      report every object or only the failed ones (default all)
  --run-id ID                    a new id creates a new job with the same options; the same command
                                 otherwise returns the job it already created (idempotency token)
  --confirm                      start the job at once instead of awaiting confirmation
  --dry-run                      print the CreateJob request and the role policy; send nothing
  --start JOB_ID                 confirm a job awaiting confirmation (it starts replicating)
  --cancel JOB_ID                cancel a job that has not finished
  --status JOB_ID                show a job's status, progress and failure reasons
  --wait                         poll until the job finishes (or awaits confirmation)
  --poll-seconds N               seconds between polls with --wait (default 15)
  --control-endpoint URL         an S3 Control endpoint to use instead of the region's
  --json                         print the request or the job status as JSON
${LIMITS_HELP}
  --help                         show this help

--status (and --wait) exit 0 when the job completed with no failed object, 1 when it completed and
some objects failed (see the completion report), 3 when the job failed, was cancelled, awaits
confirmation or is still running. Creating a job exits 0 once S3 accepted it.
${EXIT_CODES_HELP}`;

const CREATE_ONLY = [
  'source',
  'role-arn',
  'report',
  'statuses',
  'created-after',
  'created-before',
  'priority',
  'report-scope',
  'run-id',
  'confirm',
  'dry-run',
] as const;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function printStatus(io: CliIO, r: JobStatusReport, json: boolean, extra: Record<string, unknown> = {}): void {
  if (json) {
    const { line, ...rest } = r;
    io.out(JSON.stringify({ ...extra, ...rest, summary: line }, null, 2));
    return;
  }
  io.out(r.line);
  for (const reason of r.reasons) io.out(`  - ${reason}`);
  if (r.reportUri && r.phase !== 'awaiting-confirmation' && r.phase !== 'running')
    io.out(`completion report: ${r.reportUri}`);
  if (r.next) io.err(`next: ${r.next}`);
}

export async function backfillCommand(args: string[], io: CliIO): Promise<number> {
  const values = parseOptions('backfill', args, {
    source: { type: 'string' },
    'source-region': { type: 'string' },
    account: { type: 'string' },
    'role-arn': { type: 'string' },
    report: { type: 'string' },
    statuses: { type: 'string' },
    'created-after': { type: 'string' },
    'created-before': { type: 'string' },
    priority: { type: 'string' },
    'report-scope': { type: 'string' },
    'run-id': { type: 'string' },
    confirm: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    start: { type: 'string' },
    cancel: { type: 'string' },
    status: { type: 'string' },
    wait: { type: 'boolean' },
    'poll-seconds': { type: 'string' },
    'control-endpoint': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    io.out(BACKFILL_USAGE);
    return 0;
  }
  const json = values.json === true;
  const actions = (['start', 'cancel', 'status'] as const).filter((a) => values[a] !== undefined);
  if (actions.length > 1) {
    throw new UsageError(`--${actions[0]} and --${actions[1]} cannot be given together: give one job action per run`);
  }
  const action = actions[0];
  if (action) {
    const extra = CREATE_ONLY.find((o) => values[o] !== undefined);
    if (extra) {
      throw new UsageError(
        `--${extra} is used only when creating a job, not with --${action}: the job already holds its options`,
      );
    }
  }
  if (values.wait && values['dry-run']) {
    throw new UsageError('--wait and --dry-run cannot be given together: a dry run creates no job to wait for');
  }
  if (values.wait && action === 'cancel') {
    throw new UsageError('--wait and --cancel cannot be given together: follow the job with --status JOB_ID --wait');
  }
  let pollSeconds = 15;
  if (values['poll-seconds'] !== undefined) {
    const raw = values['poll-seconds'];
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 3600)
      throw new UsageError(`--poll-seconds "${raw}" must be a whole number of seconds from 1 to 3600`);
    if (!values.wait) throw new UsageError(`--poll-seconds "${raw}" is used only with --wait`);
    pollSeconds = Number(raw);
  }
  const endpoint = endpointOption('--control-endpoint', values['control-endpoint']);
  const region =
    regionOption('--source-region', values['source-region']) ?? regionOption('AWS_REGION', io.env.AWS_REGION);
  const jobId = action ? parseJobId(`--${action}`, values[action]!) : undefined;

  // Everything the options can say is checked before the first request (and in a dry run).
  const options = action
    ? undefined
    : parseBackfillOptions(
        {
          source: values.source,
          account: values.account,
          roleArn: values['role-arn'],
          report: values.report,
          statuses: values.statuses,
          createdAfter: values['created-after'],
          createdBefore: values['created-before'],
          priority: values.priority,
          reportScope: values['report-scope'],
          runId: values['run-id'],
          confirm: values.confirm,
        },
        new Date(),
      );
  if (action && values.account === undefined)
    throw new UsageError(`--account is required with --${action}: the 12-digit id of the account that owns the job`);
  if (action && !/^\d{12}$/.test(values.account!))
    throw new UsageError(`--account "${values.account}" is not an account id: write the 12 digits, e.g. 123456789012`);
  const account = values.account!;

  if (options && values['dry-run']) {
    const request = buildCreateJob(options);
    const { backfillPolicy, backfillTrustPolicy } = await import('../backfill/core/policy');
    const policy = backfillPolicy({ ...options, region });
    if (json) io.out(JSON.stringify({ request, rolePolicy: policy, trustPolicy: backfillTrustPolicy() }, null, 2));
    else {
      io.out('dry run: nothing was sent. CreateJob request:');
      io.out(JSON.stringify(request, null, 2));
      io.out('the role needs (permissions policy):');
      io.out(JSON.stringify(policy, null, 2));
    }
    return EXIT_CODES.ok;
  }
  if (!region) {
    throw new UsageError(
      '--source-region is required (or set AWS_REGION): a Batch Replication job runs in the region of its source bucket',
    );
  }
  const where = `--account ${account} --source-region ${region}${endpoint ? ` --control-endpoint ${endpoint}` : ''}`;
  const control = new BackfillControl({ region, account, endpoint });
  const unknownJob = (err: unknown, id: string): never => {
    const code = errorCodeOf(err);
    if (code === 'NotFoundException' || code === 'NoSuchJob') {
      throw new AccessError(
        `job ${id} is not known in account ${account}, region ${region} (${code})`,
        'check --account and --source-region: a job is found only in the account and region it was created in',
        { cause: err },
      );
    }
    throw err;
  };
  try {
    let id: string;
    let created = false;
    if (options) {
      const request = buildCreateJob(options);
      id = await control.createJob(request);
      created = true;
      io.err(
        `created Batch Replication job ${id} (${options.confirm ? 'started at once' : 'awaiting confirmation'}) in ${region}`,
      );
    } else if (action === 'start') {
      id = jobId!;
      const s = await control
        .updateStatus(id, 'Ready', 'confirmed with cdk-s3-dr backfill --start')
        .catch((e) => unknownJob(e, id));
      io.err(`confirmed job ${id}: ${s ?? 'Ready'}`);
    } else if (action === 'cancel') {
      id = jobId!;
      const s = await control
        .updateStatus(id, 'Cancelled', 'cancelled with cdk-s3-dr backfill --cancel')
        .catch((e) => unknownJob(e, id));
      io.err(`cancel requested for job ${id}: ${s ?? 'Cancelling'}`);
    } else {
      id = jobId!;
    }
    const describe = () => control.describeJob(id).catch((e) => unknownJob(e, id));
    let report = interpretJob(await describe(), where);
    while (values.wait && !report.settled) {
      io.err(report.line);
      await sleep(pollSeconds * 1000);
      report = interpretJob(await describe(), where);
    }
    printStatus(io, report, json, created ? { created: true } : {});
    // A new job awaiting confirmation, a start or a cancel that S3 accepted: the run did what it was asked.
    if (action === 'cancel') return EXIT_CODES.ok;
    if (!values.wait && (created || action === 'start')) return EXIT_CODES.ok;
    if (created && report.phase === 'awaiting-confirmation') return EXIT_CODES.ok;
    return report.exitCode;
  } finally {
    control.destroy();
  }
}
