/** Bad input to `cdk-s3-dr audit`: refused before any request, with the option, the value and the fix. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadInputCase, runCli } from '../../../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'bad-audit-'));
const ok = ['audit', '--source', 's3://src-bucket', '--replica', 's3://dst-bucket', '--report', join(dir, 'r.json')];
const ep = 'http://127.0.0.1:7480';
const inventories = [
  '--source-inventory',
  's3://inv-a/src-bucket/daily/',
  '--replica-inventory',
  's3://inv-b/dst-bucket/daily/',
];

const cases: BadInputCase[] = [
  [
    'same bucket as source and replica',
    ['audit', '--source', 's3://data-a', '--replica', 's3://data-a'],
    2,
    '--source and --replica name the same bucket "data-a"',
  ],
  [
    'same bucket, other prefix',
    ['audit', '--source', 's3://data-a/x/', '--replica', 's3://data-a/y/'],
    2,
    'same bucket "data-a" at the same endpoint',
  ],
  [
    'same bucket at the same endpoint',
    ['audit', '--source', 's3://data-a', '--replica', 's3://data-a', '--source-endpoint', ep, '--replica-endpoint', ep],
    2,
    'give the replica bucket',
  ],
  [
    'range start after its end',
    [...ok, '--range-start-after', 'b', '--range-end-at', 'a'],
    2,
    '--range-start-after "b" is not before --range-end-at "a"',
  ],
  [
    'empty range (start equals end)',
    [...ok, '--range-start-after', 'k', '--range-end-at', 'k'],
    2,
    'the range is empty: swap them or widen the range',
  ],
  ['region with a space', [...ok, '--source-region', 'US East'], 2, '--source-region "US East" is not a region name'],
  [
    'region in upper case',
    [...ok, '--replica-region', 'EU_WEST_1'],
    2,
    '--replica-region "EU_WEST_1" is not a region name',
  ],
  [
    'report region with a space',
    [...ok, '--report-region', 'eu west'],
    2,
    '--report-region "eu west" is not a region name',
  ],
  [
    'report endpoint that is not http',
    [...ok, '--report-endpoint', 'ftp://x'],
    2,
    '--report-endpoint "ftp://x" is not an http(s) endpoint',
  ],
  [
    'negative lag window (no "ambiguous" text)',
    [...ok, '--lag-window', '-5'],
    2,
    '--lag-window "-5" must be a whole number from 0',
  ],
  ['negative page size', [...ok, '--page-size', '-1'], 2, '--page-size "-1" must be a whole number from 1 to 1000'],
  [
    'negative max attempts',
    [...ok, '--max-attempts', '-3'],
    2,
    '--max-attempts "-3" must be a whole number from 1 to 100',
  ],
  ['report is a directory', [...ok.slice(0, 5), '--report', dir], 2, `--report "${dir}" is a directory`],
  ['report is empty', [...ok.slice(0, 5), '--report', ''], 2, '--report "" is empty'],
  ['jsonl under a file', [...ok, '--jsonl', '/etc/hostname/x.jsonl'], 2, '"/etc/hostname" is not a directory'],
  [
    'checkpoint in a missing directory',
    [...ok, '--checkpoint', '/nonexistent-dir/cp.json'],
    2,
    'the directory "/nonexistent-dir" does not exist',
  ],
  [
    'request timeout 0',
    [...ok, '--request-timeout', '0'],
    2,
    '--request-timeout "0" must be a whole number of seconds from 1 to 900',
  ],
  ['request timeout without a value', [...ok, '--request-timeout'], 2, '--request-timeout needs a number of seconds'],
  [
    'deadline that is not a number',
    [...ok, '--deadline', 'soon'],
    2,
    '--deadline "soon" must be a whole number of seconds',
  ],
  ['negative deadline', [...ok, '--deadline', '-10'], 2, '--deadline "-10" must be a whole number of seconds'],
  [
    'report and JSON Lines in one file',
    [...ok, '--jsonl', join(dir, 'r.json')],
    2,
    '--report and --jsonl are the same file',
  ],
  [
    'report and checkpoint in one file',
    [...ok, '--checkpoint', join(dir, 'r.json')],
    2,
    '--report and --checkpoint are the same file',
  ],
  [
    'an option value that starts with a dash',
    [...ok, '--jsonl', '-x'],
    2,
    '--jsonl needs a value, and the word after it starts with "-"',
  ],
  [
    'source inventory without the replica inventory',
    [...ok, '--source-inventory', 's3://inv-a/src-bucket/daily/'],
    2,
    '--source-inventory is given without --replica-inventory',
  ],
  [
    'failed manifest without inventories',
    [...ok, '--failed-manifest', join(dir, 'failed.csv')],
    2,
    '--failed-manifest is read from the source inventory',
  ],
  [
    'inventory audit with --parallel',
    [...ok, ...inventories, '--parallel', '4'],
    2,
    '--parallel does not apply to an inventory audit',
  ],
  [
    'inventory audit with a range',
    [...ok, ...inventories, '--range-end-at', 'm'],
    2,
    '--range-end-at does not apply to an inventory audit',
  ],
  [
    'failed manifest to a bucket without a key',
    [...ok, ...inventories, '--failed-manifest', 's3://reports-bucket/'],
    2,
    '--failed-manifest "s3://reports-bucket/" needs an object key',
  ],
  [
    'failed manifest into the report file',
    [...ok, ...inventories, '--failed-manifest', join(dir, 'r.json')],
    2,
    '--report and --failed-manifest are the same file',
  ],
];

describe('cdk-s3-dr audit: bad input', () => {
  test.each(cases)('%s', async (_name, argv, code, message) => {
    const r = await runCli(argv, {});
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
