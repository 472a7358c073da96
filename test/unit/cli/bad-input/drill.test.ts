/** Bad input to `cdk-s3-dr drill`: refused before any request, with the option, the value and the fix. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadInputCase, runCli } from '../../../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'bad-drill-'));
const ok = ['drill', '--source', 's3://data', '--replica', 's3://data-replica', '--restore-to', 's3://scratch'];
const env = { AWS_REGION: 'eu-west-1' };

const cases: BadInputCase[] = [
  [
    'same bucket as source and replica',
    ['drill', '--source', 's3://data', '--replica', 's3://data', '--restore-to', 's3://scratch'],
    2,
    '--source and --replica name the same bucket "data"',
  ],
  [
    'source region with a space',
    [...ok, '--source-region', 'US East'],
    2,
    '--source-region "US East" is not a region name',
  ],
  [
    'replica region in upper case',
    [...ok, '--replica-region', 'EU-WEST-1'],
    2,
    '--replica-region "EU-WEST-1" is not a region name',
  ],
  [
    'restore region with an underscore',
    [...ok, '--restore-region', 'eu_west_1'],
    2,
    '--restore-region "eu_west_1" is not a region name',
  ],
  ['report is a directory', [...ok, '--report', dir], 2, `--report "${dir}" is a directory`],
  [
    'report in a missing directory',
    [...ok, '--report', '/nonexistent-dir/r.json'],
    2,
    'the directory "/nonexistent-dir" does not exist',
  ],
  ['report under a file', [...ok, '--report', '/etc/hostname/r.json'], 2, '"/etc/hostname" is not a directory'],
  ['report is empty', [...ok, '--report', ''], 2, '--report "" is empty'],
  ['negative concurrency (no "ambiguous" text)', [...ok, '--concurrency', '-3'], 2, '--concurrency "-3"'],
  ['negative sample', [...ok, '--sample', '-1'], 2, '--sample "-1"'],
  [
    'request timeout over the maximum',
    [...ok, '--request-timeout', '99999'],
    2,
    '--request-timeout "99999" must be a whole number of seconds from 1 to 900',
  ],
  ['deadline 0', [...ok, '--deadline', '0'], 2, '--deadline "0" must be a whole number of seconds'],
  [
    'restore target is the replica at its endpoint',
    ['drill', '--source', 's3://data', '--replica', 's3://data-replica', '--restore-to', 's3://data-replica/x/'],
    2,
    'is the replica bucket',
  ],
  [
    'a point in time in the future',
    [...ok, '--as-of', '2999-01-01T00:00:00Z'],
    2,
    '--as-of "2999-01-01T00:00:00Z" is in the future',
  ],
  ['--report followed by another option', [...ok, '--report', '--sample', '3'], 2, '--report needs a value'],
];

describe('cdk-s3-dr drill: bad input', () => {
  test.each(cases)('%s', async (_name, argv, code, message) => {
    const r = await runCli(argv, env);
    if (typeof message === 'string') expect(r.err).toContain(message);
    else expect(r.err).toMatch(message);
    expect(r.code).toBe(code);
  });

  test('AWS_REGION that is not a region name', async () => {
    const r = await runCli(ok, { AWS_REGION: 'US East' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('AWS_REGION "US East" is not a region name');
  });
});
