/**
 * The backfill Lambda (lambda/backfill/index.ts) with the REAL @aws-sdk/client-s3-control client
 * against the control-plane recorder (test/support/control-plane-recorder.ts), a home-made stand-in
 * for S3 Control: moto's S3 Control (moto_server) has no Batch Operations jobs. The assertions are
 * on what S3 Control would receive and on the metrics the handler emits when a job finishes.
 */
import { backfill, BackfillResult } from '../../../lambda/backfill';
import { BACKFILL_CONFIG_ENV, parseBackfillConfig, parseBackfillEvent } from '../../../lambda/backfill/core/invocation';
import { UsageError } from '../../../lambda/shared/errors';
import { ControlPlaneRecorder } from '../../support/control-plane-recorder';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/orders-backfill`;
const NOW = new Date('2026-12-05T06:00:00Z');
let rec: ControlPlaneRecorder;
const saved = { ...process.env };

jest.setTimeout(30_000);

beforeAll(async () => {
  rec = await ControlPlaneRecorder.start();
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDHANDLER', AWS_SECRET_ACCESS_KEY: 'secret' });
});
afterAll(async () => {
  await rec.close();
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  Object.assign(process.env, saved);
});
beforeEach(() => {
  rec.clearFailures();
  rec.requests.length = 0;
});

/** The configuration the construct writes (see the construct test), pointed at the recorder. */
function env(overrides: Record<string, unknown> = {}): NodeJS.ProcessEnv {
  return {
    [BACKFILL_CONFIG_ENV]: JSON.stringify({
      name: 'Orders/Backfill',
      account: ACCOUNT,
      region: 'us-east-1',
      source: 's3://orders-src/invoices/',
      report: 's3://orders-reports/backfill/',
      roleArn: ROLE,
      statuses: 'NONE,FAILED',
      priority: 10,
      reportScope: 'all',
      confirm: false,
      endpoint: rec.endpoint,
      ...overrides,
    }),
  };
}

async function run(event: unknown, e = env()) {
  const lines: string[] = [];
  const emf: Record<string, unknown>[] = [];
  const result: BackfillResult = await backfill(event, e, {
    now: NOW,
    log: (l) => lines.push(l),
    emit: (l) => emf.push(JSON.parse(l)),
  });
  return { result, lines, emf };
}

/** A JobStatusChanged event as EventBridge delivers the CloudTrail service event. */
function statusChanged(jobId: string, status: string, account = ACCOUNT) {
  return {
    version: '0',
    id: 'e1',
    'detail-type': 'AWS Service Event via CloudTrail',
    source: 'aws.s3',
    account,
    time: '2026-12-05T07:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.05',
      userIdentity: { accountId: account, invokedBy: 's3.amazonaws.com' },
      eventSource: 's3.amazonaws.com',
      eventName: 'JobStatusChanged',
      awsRegion: 'us-east-1',
      eventType: 'AwsServiceEvent',
      recipientAccountId: account,
      serviceEventDetails: {
        jobId,
        jobArn: `arn:aws:s3:us-east-1:${account}:job/${jobId}`,
        status,
        jobEventId: 'b268784cf0a66749f1a05bce259804f5',
        failureCodes: [],
        statusChangeReason: [],
      },
    },
  };
}

describe('creating a job', () => {
  test('{"action":"create"} sends one CreateJob awaiting confirmation, with the generated manifest and the report under the prefix', async () => {
    const { result, lines } = await run({ action: 'create', runId: 'first' });
    expect(rec.problems()).toEqual([]);
    const [call, ...rest] = rec.calls('CreateJob');
    expect(rest).toEqual([]);
    expect(call.method).toBe('POST');
    expect(call.path).toBe('/v20180820/jobs');
    expect(call.region).toBe('us-east-1');
    expect(call.headers['x-amz-account-id']).toBe(ACCOUNT);
    for (const part of [
      '<ConfirmationRequired>true</ConfirmationRequired>',
      `<RoleArn>${ROLE}</RoleArn>`,
      '<Report><Enabled>true</Enabled><Bucket>arn:aws:s3:::orders-reports</Bucket><Format>Report_CSV_20180820</Format><Prefix>backfill</Prefix><ReportScope>AllTasks</ReportScope></Report>',
      '<SourceBucket>arn:aws:s3:::orders-src</SourceBucket>',
      '<ManifestPrefix>backfill/manifests</ManifestPrefix>',
      '<Filter><EligibleForReplication>true</EligibleForReplication><ObjectReplicationStatuses><member>NONE</member><member>FAILED</member></ObjectReplicationStatuses><KeyNameConstraint><MatchAnyPrefix><member>invoices/</member></MatchAnyPrefix></KeyNameConstraint></Filter>',
    ]) {
      expect(call.body).toContain(part);
    }
    expect(rec.calls('DescribeJob')).toHaveLength(1);
    expect(result).toMatchObject({ action: 'create', job: { phase: 'awaiting-confirmation', status: 'Suspended' } });
    expect(lines[0]).toMatch(/^created Batch Replication job \S+ \(awaiting confirmation\)$/);
    expect(result.job?.next).toContain(
      `cdk-s3-dr backfill --start ${result.jobId} --account ${ACCOUNT} --source-region us-east-1`,
    );
  });

  test('the event narrows statuses and dates; confirm starts at once', async () => {
    await run({
      action: 'create',
      statuses: 'FAILED',
      createdAfter: '2026-11-01',
      createdBefore: '2026-12-01',
      confirm: true,
      runId: 'narrow',
    });
    const body = rec.calls('CreateJob')[0].body;
    expect(body).toContain('<ConfirmationRequired>false</ConfirmationRequired>');
    expect(body).toContain(
      '<CreatedAfter>2026-11-01T00:00:00Z</CreatedAfter><CreatedBefore>2026-12-01T00:00:00Z</CreatedBefore><ObjectReplicationStatuses><member>FAILED</member></ObjectReplicationStatuses>',
    );
  });

  test('each scheduled run is a new job; the same scheduled run retried is the same job', async () => {
    const a = await run({ action: 'create', scheduledTime: '2026-12-05T06:00:00Z' });
    const b = await run({ action: 'create', scheduledTime: '2026-12-05T06:00:00Z' });
    const c = await run({ action: 'create', scheduledTime: '2026-12-12T06:00:00Z' });
    expect(b.result.jobId).toBe(a.result.jobId);
    expect(c.result.jobId).not.toBe(a.result.jobId);
    expect(rec.problems()).toEqual([]);
  });

  test('a bad event fails before any request, naming the field and the fix', async () => {
    await expect(run({ action: 'create', createdAfter: '31/01/2026' })).rejects.toThrow(
      /--created-after "31\/01\/2026" is not a date: write it as 2026-01-31/,
    );
    await expect(run({ action: 'start' })).rejects.toThrow(/event\.jobId is required with action "start"/);
    await expect(run({ action: 'start', jobId: 'not-a-job' })).rejects.toThrow(
      /event\.jobId "not-a-job" is not a Batch Operations job id/,
    );
    await expect(run({ action: 'delete' })).rejects.toThrow(UsageError);
    expect(rec.requests).toEqual([]);
  });
});

describe('following a job', () => {
  async function newJob(runId: string, e = env()): Promise<string> {
    const { result } = await run({ action: 'create', runId }, e);
    rec.requests.length = 0;
    return result.jobId!;
  }

  test('{"action":"start"} confirms the job (UpdateJobStatus Ready) and reports it', async () => {
    const id = await newJob('start');
    rec.setJob(id, { total: 12 });
    const { result } = await run({ action: 'start', jobId: id });
    const [call] = rec.calls('UpdateJobStatus');
    expect(call.method).toBe('POST');
    expect(call.path).toBe(`/v20180820/jobs/${id}/status`);
    expect(rec.getJob(id)?.status).toBe('Ready');
    expect(rec.getJob(id)?.statusUpdateReason).toBe('confirmed through Orders/Backfill');
    expect(result.job).toMatchObject({ phase: 'running', total: 12 });
  });

  test('{"action":"cancel"} cancels it', async () => {
    const id = await newJob('cancel');
    await run({ action: 'cancel', jobId: id });
    expect(rec.getJob(id)?.status).toBe('Cancelled');
  });

  test('a finished job of its own becomes the completion metrics', async () => {
    const id = await newJob('finished');
    rec.setJob(id, { status: 'Complete', total: 10, succeeded: 8, failed: 2 });
    const { result, emf, lines } = await run(statusChanged(id, 'Complete'));
    expect(result).toMatchObject({ action: 'job-status-changed', job: { phase: 'complete', exitCode: 1 } });
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      Bucket: 'orders-src',
      BackfillTasksSucceeded: 8,
      BackfillTasksFailed: 2,
      BackfillJobFailed: 0,
      _aws: { CloudWatchMetrics: [{ Namespace: 'CdkS3Dr', Dimensions: [['Bucket']] }] },
    });
    expect(lines[0]).toBe(`job ${id}: complete with failures: 8 of 10 replicated, 2 failed`);
  });

  test('a failed job counts as a failed job, with the reasons logged', async () => {
    const id = await newJob('failed');
    rec.setJob(id, {
      status: 'Failed',
      failureReasons: [{ code: 'AccessDenied', reason: 'the role cannot s3:PutInventoryConfiguration' }],
    });
    const { emf, lines } = await run(statusChanged(id, 'Failed'));
    expect(emf[0]).toMatchObject({ BackfillJobFailed: 1, BackfillTasksFailed: 0 });
    expect(lines).toContain('  - AccessDenied: the role cannot s3:PutInventoryConfiguration');
  });

  test("another team's job (another role) is ignored: no metric", async () => {
    const id = await newJob('theirs', env({ roleArn: `arn:aws:iam::${ACCOUNT}:role/someone-else` }));
    rec.setJob(id, { status: 'Complete', total: 1, succeeded: 1, failed: 0 });
    const { result, emf } = await run(statusChanged(id, 'Complete'));
    expect(result.action).toBe('ignored');
    expect(result.ignored).toContain('runs with another role');
    expect(emf).toEqual([]);
  });

  test("a job the function may not describe (another operation's job) is ignored: no metric, no error", async () => {
    const id = await newJob('not-replication');
    rec.fail({ service: 's3', operation: 'DescribeJob', status: 403, times: 1 });
    const { result, emf } = await run(statusChanged(id, 'Complete'));
    expect(result.action).toBe('ignored');
    expect(result.ignored).toContain(`job ${id} cannot be described`);
    expect(emf).toEqual([]);
    // Asked directly, the same refusal is an error, not silence.
    rec.fail({ service: 's3', operation: 'DescribeJob', status: 403, times: 1 });
    await expect(run({ action: 'status', jobId: id })).rejects.toThrow();
  });

  test('a status that is not final, or an event of another account, is ignored without a request', async () => {
    const id = '6a5b4c3d-1e2f-4a5b-8c9d-0e1f2a3b4c5d';
    expect((await run(statusChanged(id, 'Active'))).result.action).toBe('ignored');
    expect((await run(statusChanged(id, 'Complete', '999999999999'))).result.action).toBe('ignored');
    expect(rec.requests).toEqual([]);
  });
});

describe('the configuration', () => {
  test('a missing or malformed configuration names the variable', () => {
    expect(() => parseBackfillConfig(undefined)).toThrow(/BACKFILL_CONFIG is not set/);
    expect(() => parseBackfillConfig('{')).toThrow(/BACKFILL_CONFIG is not JSON/);
    expect(() => parseBackfillConfig('{"name":"x"}')).toThrow(/BACKFILL_CONFIG\.priority must be a whole number/);
  });

  test('a scheduled time becomes a run id the options accept', () => {
    const config = parseBackfillConfig(env()[BACKFILL_CONFIG_ENV]);
    const r = parseBackfillEvent({ action: 'create', scheduledTime: '2026-12-05T06:00:00Z' }, config);
    expect(r).toMatchObject({ kind: 'create', options: { runId: 'scheduled-20261205T060000Z', confirm: false } });
  });
});
