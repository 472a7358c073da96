/** The pure core of `cdk-s3-dr backfill`: options, the CreateJob input, the role policy, DescribeJob read. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCreateJob, clientRequestToken } from '../../../lambda/backfill/core/create-job';
import { parseBackfillOptions, parseStatuses, RawBackfillOptions } from '../../../lambda/backfill/core/options';
import { backfillPolicy, backfillTrustPolicy } from '../../../lambda/backfill/core/policy';
import { completionMetrics, interpretJob } from '../../../lambda/backfill/core/status';

const NOW = new Date('2026-12-04T12:00:00Z');
const base: RawBackfillOptions = {
  source: 's3://data-src',
  account: '123456789012',
  roleArn: 'arn:aws:iam::123456789012:role/backfill',
  report: 's3://app-reports/backfill/',
};
const opts = (over: Partial<RawBackfillOptions> = {}) => parseBackfillOptions({ ...base, ...over }, NOW);

describe('options', () => {
  test('defaults: statuses NONE and FAILED, priority 10, all tasks reported, awaiting confirmation', () => {
    const o = opts();
    expect(o.statuses).toEqual(['NONE', 'FAILED']);
    expect(o.priority).toBe(10);
    expect(o.reportScope).toBe('AllTasks');
    expect(o.confirm).toBe(false);
    expect(o.partition).toBe('aws');
  });

  test('statuses are case-insensitive, in one order whatever order they were typed in', () => {
    expect(parseStatuses('failed,none')).toEqual(['NONE', 'FAILED']);
    expect(parseStatuses('REPLICA,completed')).toEqual(['COMPLETED', 'REPLICA']);
    expect(parseStatuses('COMPLETED')).toEqual(['COMPLETED']);
  });

  test('a date alone means midnight UTC', () => {
    expect(opts({ createdBefore: '2026-01-31' }).createdBefore?.toISOString()).toBe('2026-01-31T00:00:00.000Z');
  });

  test('the partition comes from the role ARN', () => {
    const o = opts({ roleArn: 'arn:aws-cn:iam::123456789012:role/x' });
    expect(buildCreateJob(o).ManifestGenerator.S3JobManifestGenerator.SourceBucket).toBe('arn:aws-cn:s3:::data-src');
  });
});

describe('CreateJob input', () => {
  test('a generated manifest of the eligible objects in NONE or FAILED, report and manifest under --report', () => {
    const input = buildCreateJob(
      opts({ source: 's3://data-src/logs/', createdAfter: '2026-01-01', createdBefore: '2026-06-01T00:00:00Z' }),
    );
    expect(input).toEqual({
      AccountId: '123456789012',
      ConfirmationRequired: true,
      Operation: { S3ReplicateObject: {} },
      Report: {
        Bucket: 'arn:aws:s3:::app-reports',
        Format: 'Report_CSV_20180820',
        Enabled: true,
        Prefix: 'backfill',
        ReportScope: 'AllTasks',
      },
      ClientRequestToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      Description:
        'cdk-s3-dr backfill s3://data-src/logs/ NONE,FAILED after 2026-01-01T00:00:00.000Z before 2026-06-01T00:00:00.000Z',
      Priority: 10,
      RoleArn: 'arn:aws:iam::123456789012:role/backfill',
      ManifestGenerator: {
        S3JobManifestGenerator: {
          ExpectedBucketOwner: '123456789012',
          SourceBucket: 'arn:aws:s3:::data-src',
          EnableManifestOutput: true,
          ManifestOutputLocation: {
            Bucket: 'arn:aws:s3:::app-reports',
            ManifestPrefix: 'backfill/manifests',
            ManifestFormat: 'S3InventoryReport_CSV_20211130',
          },
          Filter: {
            EligibleForReplication: true,
            ObjectReplicationStatuses: ['NONE', 'FAILED'],
            CreatedAfter: new Date('2026-01-01T00:00:00Z'),
            CreatedBefore: new Date('2026-06-01T00:00:00Z'),
            KeyNameConstraint: { MatchAnyPrefix: ['logs/'] },
          },
        },
      },
    });
  });

  test('no prefix and no dates: no key constraint and no date filter', () => {
    const f = buildCreateJob(opts()).ManifestGenerator.S3JobManifestGenerator.Filter;
    expect(f).toEqual({ EligibleForReplication: true, ObjectReplicationStatuses: ['NONE', 'FAILED'] });
  });

  test('--confirm creates the job ready to run', () => {
    expect(buildCreateJob(opts({ confirm: true })).ConfirmationRequired).toBe(false);
  });

  test('a report at the bucket root has no prefix and manifests under "manifests"', () => {
    const input = buildCreateJob(opts({ report: 's3://app-reports' }));
    expect(input.Report).not.toHaveProperty('Prefix');
    expect(input.ManifestGenerator.S3JobManifestGenerator.ManifestOutputLocation.ManifestPrefix).toBe('manifests');
  });

  test('the idempotency token is the same for the same options and changes with any of them', () => {
    const t = clientRequestToken(opts());
    expect(clientRequestToken(opts())).toBe(t);
    expect(buildCreateJob(opts({ statuses: 'FAILED,NONE' }))).toEqual(buildCreateJob(opts())); // the same set
    for (const over of [
      { statuses: 'FAILED' },
      { source: 's3://data-src/a/' },
      { createdAfter: '2026-01-01' },
      { priority: '11' },
      { confirm: true },
      { runId: 'second' },
      { report: 's3://app-reports/other/' },
    ]) {
      expect(clientRequestToken(opts(over))).not.toBe(t);
    }
  });
});

describe('role policy', () => {
  test('each action on its narrowest resource, no wildcard action', () => {
    const p = backfillPolicy(opts({ source: 's3://data-src/logs/' }));
    expect(p.Statement).toEqual([
      expect.objectContaining({ Action: ['s3:InitiateReplication'], Resource: ['arn:aws:s3:::data-src/logs/*'] }),
      expect.objectContaining({
        Action: ['s3:GetReplicationConfiguration', 's3:PutInventoryConfiguration'],
        Resource: ['arn:aws:s3:::data-src'],
      }),
      expect.objectContaining({
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: ['arn:aws:s3:::app-reports/backfill/manifests/*'],
      }),
      expect.objectContaining({ Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::app-reports/backfill/*'] }),
    ]);
    for (const s of p.Statement) for (const a of s.Action) expect(a).not.toContain('*');
  });

  test('KMS keys are used only through S3 in the source region', () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/abc';
    const p = backfillPolicy({ ...opts(), kmsKeyArns: [key], region: 'eu-west-1' });
    expect(p.Statement.at(-1)).toEqual({
      Sid: 'KmsThroughS3',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: [key],
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    });
  });

  test("docs/backfill.md's table of the role's permissions lists every action of the policy, and no other", () => {
    const section = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'backfill.md'), 'utf8');
    const table = section.slice(section.indexOf('| action'), section.indexOf('\n\n', section.indexOf('| action')));
    const documented = [...table.matchAll(/`((?:s3|kms):[A-Za-z]+)`/g)].map((m) => m[1]).sort();
    const p = backfillPolicy({ ...opts(), kmsKeyArns: ['arn:aws:kms:eu-west-1:123456789012:key/abc'] });
    expect(documented).toEqual(p.Statement.flatMap((st) => st.Action).sort());
  });

  test('the role trusts S3 Batch Operations only', () => {
    expect(JSON.stringify(backfillTrustPolicy())).toContain('"Service":"batchoperations.s3.amazonaws.com"');
  });
});

describe('DescribeJob read', () => {
  const report = { Bucket: 'arn:aws:s3:::app-reports', Prefix: 'backfill', Enabled: true };

  test.each([
    [
      'complete, nothing failed',
      {
        Status: 'Complete',
        ProgressSummary: { TotalNumberOfTasks: 5, NumberOfTasksSucceeded: 5, NumberOfTasksFailed: 0 },
      },
      'complete',
      0,
      'complete: 5 of 5 replicated, 0 failed',
    ],
    [
      'complete with failed tasks',
      {
        Status: 'Complete',
        ProgressSummary: { TotalNumberOfTasks: 5, NumberOfTasksSucceeded: 3, NumberOfTasksFailed: 2 },
      },
      'complete',
      1,
      'complete with failures: 3 of 5 replicated, 2 failed',
    ],
    [
      'failed job',
      {
        Status: 'Failed',
        FailureReasons: [{ FailureCode: 'AccessDenied', FailureReason: 'no s3:InitiateReplication' }],
      },
      'failed',
      3,
      'failed: object count not known yet',
    ],
    [
      'cancelled',
      {
        Status: 'Cancelled',
        ProgressSummary: { TotalNumberOfTasks: 5, NumberOfTasksSucceeded: 1, NumberOfTasksFailed: 0 },
      },
      'cancelled',
      3,
      'cancelled: 1 of 5 replicated',
    ],
    [
      'awaiting confirmation',
      { Status: 'Suspended', ConfirmationRequired: true, ProgressSummary: { TotalNumberOfTasks: 42 } },
      'awaiting-confirmation',
      3,
      'awaiting confirmation: 42 objects to replicate',
    ],
    [
      'still running',
      {
        Status: 'Active',
        ProgressSummary: { TotalNumberOfTasks: 9, NumberOfTasksSucceeded: 4, NumberOfTasksFailed: 0 },
      },
      'running',
      3,
      'active: 4 of 9 replicated',
    ],
    ['preparing the manifest', { Status: 'Preparing' }, 'running', 3, 'preparing: object count not known yet'],
  ] as const)('%s', (_name, job, phase, code, line) => {
    const r = interpretJob({ JobId: 'j-1', Report: report, ...job });
    expect(r.phase).toBe(phase);
    expect(r.exitCode).toBe(code);
    expect(r.line).toContain(line);
    expect(r.settled).toBe(phase !== 'running');
  });

  test('failure reasons, the report location and the next step', () => {
    const r = interpretJob(
      {
        JobId: 'j-1',
        Status: 'Failed',
        StatusUpdateReason: 'Manifest generation failed',
        FailureReasons: [{ FailureCode: 'AccessDenied', FailureReason: 'no s3:PutInventoryConfiguration' }],
        Report: report,
      },
      '--account 123456789012 --source-region eu-west-1',
    );
    expect(r.reasons).toEqual(['AccessDenied: no s3:PutInventoryConfiguration']);
    expect(r.reportUri).toBe('s3://app-reports/backfill/job-j-1/');
    expect(r.line).toContain('(Manifest generation failed)');
    expect(r.next).toMatch(/create a new job/);
    const waiting = interpretJob(
      { JobId: 'j-2', Status: 'Suspended' },
      '--account 123456789012 --source-region eu-west-1',
    );
    expect(waiting.next).toBe(
      'start it with: cdk-s3-dr backfill --start j-2 --account 123456789012 --source-region eu-west-1 (or cancel it with --cancel j-2 --account 123456789012 --source-region eu-west-1)',
    );
  });

  test('metrics only for a finished job', () => {
    expect(completionMetrics(interpretJob({ Status: 'Active' }), 'data-src')).toBeUndefined();
    const doc = completionMetrics(
      interpretJob({
        Status: 'Complete',
        ProgressSummary: { TotalNumberOfTasks: 3, NumberOfTasksSucceeded: 2, NumberOfTasksFailed: 1 },
      }),
      'data-src',
    )!.toEmf(0)!;
    expect(doc).toMatchObject({
      Bucket: 'data-src',
      BackfillTasksSucceeded: 2,
      BackfillTasksFailed: 1,
      BackfillJobFailed: 0,
    });
  });
});

test('the core imports no AWS SDK (directly or through a shared module that does)', () => {
  const dir = join(__dirname, '..', '..', '..', 'lambda', 'backfill', 'core');
  const imports = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]));
  expect(imports.length).toBeGreaterThan(0);
  for (const i of new Set(imports)) {
    expect(['node:crypto', '../../shared/errors', '../../shared/s3-uri', '../../shared/metrics']).toContain(
      i.startsWith('./') ? 'node:crypto' : i,
    );
  }
});
