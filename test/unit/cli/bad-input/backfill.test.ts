/** Bad input to `cdk-s3-dr backfill`: refused with exit 2 before any request, naming the option, the value and the fix. */
import { BadInputCase, runCli } from '../../../support/cli';

const create = [
  '--source',
  's3://data-src',
  '--source-region',
  'eu-west-1',
  '--account',
  '123456789012',
  '--role-arn',
  'arn:aws:iam::123456789012:role/backfill',
  '--report',
  's3://app-reports/backfill/',
];
const JOB = '6a5b4c3d-1e2f-4a5b-8c9d-0e1f2a3b4c5d';
/** `create` with one option replaced (or removed when value is undefined). */
function withOption(name: string, value: string | undefined): string[] {
  const i = create.indexOf(name);
  const out = [...create];
  if (value === undefined) out.splice(i, 2);
  else out[i + 1] = value;
  return out;
}

const cases: BadInputCase[] = [
  ['no --source', withOption('--source', undefined), 2, '--source is required'],
  ['--source not an S3 URI', withOption('--source', 'data-src'), 2, '--source "data-src" is not an S3 URI'],
  ['no --account', withOption('--account', undefined), 2, '--account is required'],
  ['--account not 12 digits', withOption('--account', '12345'), 2, '--account "12345" is not an account id'],
  ['no --role-arn', withOption('--role-arn', undefined), 2, '--role-arn is required'],
  [
    '--role-arn is a user, not a role',
    withOption('--role-arn', 'arn:aws:iam::123456789012:user/alice'),
    2,
    'is not an IAM role ARN',
  ],
  [
    '--role-arn in another account',
    withOption('--role-arn', 'arn:aws:iam::210987654321:role/backfill'),
    2,
    'is in account 210987654321, not --account 123456789012',
  ],
  ['no --report', withOption('--report', undefined), 2, '--report is required'],
  [
    '--report inside the source',
    withOption('--report', 's3://data-src/reports/'),
    2,
    'is inside --source "s3://data-src"',
  ],
  [
    'unknown status',
    [...create, '--statuses', 'NONE,PENDING'],
    2,
    'unknown replication status "PENDING": use NONE, FAILED, COMPLETED, REPLICA',
  ],
  ['a status twice', [...create, '--statuses', 'FAILED,failed'], 2, 'names FAILED twice'],
  ['an empty status', [...create, '--statuses', 'NONE,'], 2, 'has an empty item'],
  [
    '--created-after not a date',
    [...create, '--created-after', 'yesterday'],
    2,
    '--created-after "yesterday" is not a date',
  ],
  ['--created-after in the future', [...create, '--created-after', '2999-01-01'], 2, 'is in the future'],
  [
    '--created-after not before --created-before',
    [...create, '--created-after', '2026-05-01', '--created-before', '2026-04-01'],
    2,
    'is not before --created-before',
  ],
  ['--priority negative', [...create, '--priority', '-1'], 2, '--priority "-1" must be a whole number from 0'],
  ['--report-scope unknown', [...create, '--report-scope', 'some'], 2, '--report-scope "some" must be all or failed'],
  ['--run-id with a space', [...create, '--run-id', 'a b'], 2, '--run-id "a b" must be 1-32 letters'],
  [
    '--start not a job id',
    ['--start', 'job-1', '--account', '123456789012'],
    2,
    '--start "job-1" is not a Batch Operations job id',
  ],
  [
    '--start without --account',
    ['--start', JOB, '--source-region', 'eu-west-1'],
    2,
    '--account is required with --start',
  ],
  [
    '--status with a create option',
    ['--status', JOB, '--account', '123456789012', '--statuses', 'NONE'],
    2,
    '--statuses is used only when creating a job, not with --status',
  ],
  [
    '--start and --cancel together',
    ['--start', JOB, '--cancel', JOB, '--account', '123456789012'],
    2,
    '--start and --cancel cannot be given together',
  ],
  ['--wait with --dry-run', [...create, '--dry-run', '--wait'], 2, '--wait and --dry-run cannot be given together'],
  [
    '--poll-seconds without --wait',
    ['--status', JOB, '--account', '123456789012', '--poll-seconds', '5'],
    2,
    'is used only with --wait',
  ],
  [
    'no region to run the job in',
    withOption('--source-region', undefined),
    2,
    '--source-region is required (or set AWS_REGION)',
  ],
  [
    '--control-endpoint not http',
    [...create, '--control-endpoint', 'ftp://x'],
    2,
    '--control-endpoint "ftp://x" is not an http(s) endpoint',
  ],
  ['an unknown option', [...create, '--statuss', 'NONE'], 2, "unknown option '--statuss'"],
];

describe('cdk-s3-dr backfill: bad input', () => {
  test.each(cases)('%s', async (_name, argv, code, message) => {
    const r = await runCli(['backfill', ...argv], {});
    if (typeof message === 'string') expect(r.err).toContain(message);
    else expect(r.err).toMatch(message);
    expect(r.code).toBe(code);
    expect(r.out).toBe('');
  });
});
