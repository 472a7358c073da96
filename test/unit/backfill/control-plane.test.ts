/**
 * `cdk-s3-dr backfill` against S3 Control, with the REAL @aws-sdk/client-s3-control client and the
 * built command line (assets/cli) in a child process. moto's S3 Control serves access points,
 * Multi-Region Access Points and Storage Lens but no Batch Operations jobs, so the endpoint is the
 * home-made control-plane recorder (test/support/control-plane-recorder.ts): the assertions are
 * on what S3 Control would receive (method, path, account header, XML body) and on the command
 * reading DescribeJob answers shaped as the S3 Control API sends them.
 */
import { ControlPlaneRecorder } from '../../support/control-plane-recorder';
import { cleanEnv, runBuiltCli, runCli } from '../../support/cli';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/backfill`;
const KEYS = { AWS_ACCESS_KEY_ID: 'AKIDBACKFILL', AWS_SECRET_ACCESS_KEY: 'secret' };
let rec: ControlPlaneRecorder;
let env: NodeJS.ProcessEnv;
const saved = { ...process.env };

jest.setTimeout(60_000);

beforeAll(async () => {
  rec = await ControlPlaneRecorder.start();
  env = cleanEnv(KEYS);
  // The in-process runs read credentials from this process's environment, as the SDK does.
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  Object.assign(process.env, KEYS);
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

function create(extra: string[] = []): string[] {
  return [
    'backfill',
    '--source',
    's3://data-src/logs/',
    '--source-region',
    'eu-west-1',
    '--account',
    ACCOUNT,
    '--role-arn',
    ROLE,
    '--report',
    's3://app-reports/backfill/',
    '--control-endpoint',
    rec.endpoint,
    ...extra,
  ];
}
const where = () => ['--account', ACCOUNT, '--source-region', 'eu-west-1', '--control-endpoint', rec.endpoint];

describe('creating a job', () => {
  test('the built CLI sends one CreateJob: POST /v20180820/jobs, signed for s3 in the source region, account header, the exact XML', async () => {
    const r = await runBuiltCli(create(['--created-before', '2026-06-01', '--run-id', 'shape']), env);
    expect(r.err).toMatch(
      /created Batch Replication job 0{8}-0000-4000-8000-\d{12} \(awaiting confirmation\) in eu-west-1/,
    );
    expect(r.code).toBe(0);
    expect(rec.problems()).toEqual([]);
    const [call, ...rest] = rec.calls('CreateJob');
    expect(rest).toEqual([]);
    expect(call.method).toBe('POST');
    expect(call.path).toBe('/v20180820/jobs');
    expect(call.region).toBe('eu-west-1');
    expect(call.service).toBe('s3');
    expect(call.headers['x-amz-account-id']).toBe(ACCOUNT);
    expect(call.headers.authorization).toContain('Credential=AKIDBACKFILL/');
    // The whole body, as the SDK serializes it (members in the order of the S3 Control model).
    expect(call.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><CreateJobRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">' +
        '<Operation><S3ReplicateObject/></Operation>' +
        '<Report><Enabled>true</Enabled><Bucket>arn:aws:s3:::app-reports</Bucket><Format>Report_CSV_20180820</Format><Prefix>backfill</Prefix><ReportScope>AllTasks</ReportScope></Report>' +
        `<Priority>10</Priority><RoleArn>${ROLE}</RoleArn><ConfirmationRequired>true</ConfirmationRequired>` +
        `<ClientRequestToken>${call.body.match(/<ClientRequestToken>([0-9a-f]{64})</)?.[1]}</ClientRequestToken>` +
        '<Description>cdk-s3-dr backfill s3://data-src/logs/ NONE,FAILED before 2026-06-01T00:00:00.000Z</Description>' +
        '<ManifestGenerator><S3JobManifestGenerator><SourceBucket>arn:aws:s3:::data-src</SourceBucket><EnableManifestOutput>true</EnableManifestOutput>' +
        '<ExpectedBucketOwner>123456789012</ExpectedBucketOwner>' +
        '<ManifestOutputLocation><Bucket>arn:aws:s3:::app-reports</Bucket><ManifestFormat>S3InventoryReport_CSV_20211130</ManifestFormat><ManifestPrefix>backfill/manifests</ManifestPrefix></ManifestOutputLocation>' +
        '<Filter><EligibleForReplication>true</EligibleForReplication><CreatedBefore>2026-06-01T00:00:00Z</CreatedBefore>' +
        '<ObjectReplicationStatuses><member>NONE</member><member>FAILED</member></ObjectReplicationStatuses>' +
        '<KeyNameConstraint><MatchAnyPrefix><member>logs/</member></MatchAnyPrefix></KeyNameConstraint></Filter>' +
        '</S3JobManifestGenerator></ManifestGenerator></CreateJobRequest>',
    );
    // The command then reads the job back: awaiting confirmation, with the command that starts it.
    expect(rec.calls('DescribeJob')).toHaveLength(1);
    expect(r.out).toMatch(/: awaiting confirmation/);
    expect(r.err).toMatch(
      /next: start it with: cdk-s3-dr backfill --start \S+ --account 123456789012 --source-region eu-west-1/,
    );
  });

  test('the same command twice returns the same job (idempotency token); --run-id makes another', async () => {
    const a = await runCli(create(['--run-id', 'twice']), {});
    const b = await runCli(create(['--run-id', 'twice']), {});
    const c = await runCli(create(['--run-id', 'other']), {});
    const id = (r: { err: string }) => /created Batch Replication job (\S+)/.exec(r.err)?.[1];
    expect([a.code, b.code, c.code]).toEqual([0, 0, 0]);
    expect(id(a)).toBeDefined();
    expect(id(b)).toBe(id(a));
    expect(id(c)).not.toBe(id(a));
    expect(rec.problems()).toEqual([]);
  });

  test('--confirm creates a job that runs at once', async () => {
    const r = await runCli(create(['--confirm', '--run-id', 'confirm', '--json']), {});
    expect(r.code).toBe(0);
    expect(rec.calls('CreateJob')[0].body).toContain('<ConfirmationRequired>false</ConfirmationRequired>');
    expect(JSON.parse(r.out)).toMatchObject({ created: true, status: 'Ready', phase: 'running' });
  });

  test('--dry-run prints the request and the role policy and sends nothing', async () => {
    const r = await runBuiltCli(create(['--dry-run', '--json']), env);
    expect(r.code).toBe(0);
    expect(rec.requests).toEqual([]);
    const out = JSON.parse(r.out);
    expect(out.request).toMatchObject({ AccountId: ACCOUNT, ConfirmationRequired: true, Priority: 10 });
    expect(out.rolePolicy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'InitiateReplication',
      'GenerateManifest',
      'ReadGeneratedManifest',
      'WriteManifestAndReport',
    ]);
  });
});

describe('following a job', () => {
  async function newJob(runId: string): Promise<string> {
    const r = await runCli(create(['--run-id', runId]), {});
    const id = /created Batch Replication job (\S+)/.exec(r.err)?.[1];
    if (!id) throw new Error(r.err);
    rec.requests.length = 0;
    return id;
  }

  test('--start sends UpdateJobStatus Ready on the job path with the account header', async () => {
    const id = await newJob('start');
    rec.setJob(id, { total: 7 });
    const r = await runBuiltCli(['backfill', '--start', id, ...where()], env);
    expect(r.code).toBe(0);
    expect(rec.problems()).toEqual([]);
    const [call] = rec.calls('UpdateJobStatus');
    expect(call.method).toBe('POST');
    expect(call.path).toBe(`/v20180820/jobs/${id}/status`);
    expect(call.headers['x-amz-account-id']).toBe(ACCOUNT);
    expect(rec.getJob(id)?.status).toBe('Ready');
    expect(rec.getJob(id)?.statusUpdateReason).toBe('confirmed with cdk-s3-dr backfill --start');
    expect(r.out).toContain(`job ${id}: ready: 0 of 7 replicated, 0 failed`);
  });

  test('--status --wait polls until the job completes and exits 0', async () => {
    const id = await newJob('wait-ok');
    rec.setJob(id, {
      status: 'Active',
      script: [
        { total: 3, succeeded: 1, failed: 0 },
        { total: 3, succeeded: 2, failed: 0 },
        { status: 'Complete', total: 3, succeeded: 3, failed: 0, elapsedSeconds: 12 },
      ],
    });
    const r = await runBuiltCli(['backfill', '--status', id, ...where(), '--wait', '--poll-seconds', '1'], env);
    expect(rec.calls('DescribeJob')).toHaveLength(3);
    expect(r.out).toContain(`job ${id}: complete: 3 of 3 replicated, 0 failed after 12 s active`);
    expect(r.out).toContain(`completion report: s3://app-reports/backfill/job-${id}/`);
    expect(r.code).toBe(0);
  });

  test('a job complete with failed tasks exits 1 and points at the report', async () => {
    const id = await newJob('wait-failed-tasks');
    rec.setJob(id, { status: 'Complete', total: 4, succeeded: 3, failed: 1 });
    const r = await runCli(['backfill', '--status', id, ...where()], {});
    expect(r.code).toBe(1);
    expect(r.out).toContain('complete with failures: 3 of 4 replicated, 1 failed');
    expect(r.err).toContain(`next: read the completion report under s3://app-reports/backfill/job-${id}/`);
  });

  test('a failed job exits 3 with the failure reasons S3 gave', async () => {
    const id = await newJob('failed');
    rec.setJob(id, {
      status: 'Failed',
      statusUpdateReason: 'Manifest generation failed',
      failureReasons: [{ code: 'AccessDenied', reason: 'the role cannot s3:PutInventoryConfiguration' }],
    });
    const r = await runCli(['backfill', '--status', id, ...where(), '--json'], {});
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out)).toMatchObject({
      phase: 'failed',
      reasons: ['AccessDenied: the role cannot s3:PutInventoryConfiguration'],
    });
  });

  test('--cancel sends UpdateJobStatus Cancelled', async () => {
    const id = await newJob('cancel');
    const r = await runCli(['backfill', '--cancel', id, ...where()], {});
    expect(r.code).toBe(0);
    expect(rec.calls('UpdateJobStatus')[0].path).toBe(`/v20180820/jobs/${id}/status`);
    expect(rec.getJob(id)?.status).toBe('Cancelled');
  });

  test('a job id unknown to the account and region is a configuration problem (exit 4)', async () => {
    const r = await runCli(['backfill', '--status', '11111111-2222-4333-8444-555555555555', ...where()], {});
    expect(r.err).toContain(
      'job 11111111-2222-4333-8444-555555555555 is not known in account 123456789012, region eu-west-1 (NotFoundException)',
    );
    expect(r.err).toContain('next: check --account and --source-region');
    expect(r.code).toBe(4);
  });

  test('access denied on CreateJob names s3:CreateJob and iam:PassRole (exit 4)', async () => {
    rec.fail({ service: 's3', operation: 'CreateJob', status: 403 });
    const r = await runCli(create(['--run-id', 'denied']), {});
    expect(r.code).toBe(4);
    expect(r.err).toContain(
      '(HTTP 403) for s3:CreateJob (and iam:PassRole on the job role) as access key AKIDBACKFILL',
    );
  });

  test('S3 Control unavailable: exit 3', async () => {
    rec.fail({ service: 's3', operation: 'DescribeJob', status: 503 });
    const r = await runCli(['backfill', '--status', '11111111-2222-4333-8444-555555555555', ...where()], {});
    expect(r.code).toBe(3);
    expect(r.err).toContain('a service was unreachable or failing');
  });
});
