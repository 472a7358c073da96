/** Bad input to `cdk-s3-dr repair`: refused before any request, with the option, the value and the fix. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadInputCase, runCli } from '../../../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'bad-repair-'));
const pair = ['--source', 's3://src-bucket', '--replica', 's3://dst-bucket'];
const ok = ['repair', ...pair];

const auditReport = (over: Record<string, unknown> = {}) => ({
  version: 1,
  status: 'complete',
  source: 's3://src-bucket',
  replica: 's3://dst-bucket',
  range: {},
  discrepancies: [],
  unverified: [],
  recordCap: 10000,
  truncated: false,
  ...over,
});
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
const good = file('audit.json', auditReport());
const partial = file('partial.json', auditReport({ status: 'partial' }));
const ranged = file('ranged.json', auditReport({ range: { startAfter: 'a' } }));
const truncated = file('truncated.json', auditReport({ truncated: true, jsonl: 'gone.jsonl' }));
const readAt = file(
  'read-at.json',
  auditReport({
    sides: { source: { region: 'eu-west-1' }, replica: { region: 'us-east-1', endpoint: 'http://127.0.0.1:7480' } },
  }),
);
const badSides = file('bad-sides.json', auditReport({ sides: { source: { region: 1 }, replica: {} } }));
const notJson = file('not.json', '{nope');
const otherJournal = file(
  'other.journal.jsonl',
  JSON.stringify({ journal: 1, source: 's3://x', replica: 's3://dst-bucket', to: 'replica', delete: false }) + '\n',
);

const cases: BadInputCase[] = [
  ['no source', ['repair', '--replica', 's3://dst-bucket'], 2, '--source is required: give the bucket as s3://'],
  ['source that is not an s3 URI', ['repair', '--source', 'src-bucket', '--replica', 's3://d'], 2, '--source'],
  ['unknown side for --to', [...ok, '--to', 'backup'], 2, '--to "backup" is not a side: use --to replica'],
  ['unknown copy mode', [...ok, '--copy', 'fast'], 2, '--copy "fast" is unknown: use auto, server-side or stream'],
  ['concurrency 0', [...ok, '--concurrency', '0'], 2, '--concurrency "0" must be a whole number from 1 to 64'],
  [
    'concurrency too high',
    [...ok, '--concurrency', '500'],
    2,
    '--concurrency "500" must be a whole number from 1 to 64',
  ],
  ['negative lag window', [...ok, '--lag-window', '-1'], 2, '--lag-window "-1" must be a whole number from 0'],
  ['page size 0', [...ok, '--page-size', '0'], 2, '--page-size "0" must be a whole number from 1 to 1000'],
  ['max attempts 0', [...ok, '--max-attempts', '0'], 2, '--max-attempts "0" must be a whole number from 1 to 100'],
  ['region with a space', [...ok, '--source-region', 'eu west'], 2, '--source-region "eu west" is not a region name'],
  [
    'endpoint that is not http',
    [...ok, '--replica-endpoint', 'ftp://x'],
    2,
    '--replica-endpoint "ftp://x" is not an http(s) endpoint',
  ],
  [
    'same bucket on both sides',
    ['repair', '--source', 's3://data-a', '--replica', 's3://data-a'],
    2,
    '--source and --replica name the same bucket "data-a"',
  ],
  [
    'journal without --apply',
    [...ok, '--journal', join(dir, 'j.jsonl')],
    2,
    'is used only with --apply: a dry run writes no journal',
  ],
  ['report in S3', [...ok, '--report', 's3://reports/r.json'], 2, 'must be a local file'],
  ['report is a directory', [...ok, '--report', dir], 2, `--report "${dir}" is a directory`],
  [
    'report in a missing directory',
    [...ok, '--report', '/nonexistent-dir/r.json'],
    2,
    'the directory "/nonexistent-dir" does not exist',
  ],
  [
    'report and journal in one file',
    [...ok, '--apply', '--report', join(dir, 'r.json'), '--journal', join(dir, 'r.json')],
    2,
    '--report and --journal are the same file',
  ],
  [
    'report over the audit report',
    ['repair', '--from-report', good, '--report', good],
    2,
    '--report and --from-report are the same file',
  ],
  [
    'audit report that does not exist',
    ['repair', '--from-report', join(dir, 'none.json')],
    2,
    'does not exist: give the JSON report',
  ],
  ['audit report that is not JSON', ['repair', '--from-report', notJson], 2, 'is not an audit report (invalid JSON'],
  [
    'JSON that is not an audit report',
    ['repair', '--from-report', file('x.json', { a: 1 })],
    2,
    'is not an audit report of this tool',
  ],
  ['partial audit report', ['repair', '--from-report', partial], 2, 'is a partial audit: finish it'],
  ['audit report of a key range', ['repair', '--from-report', ranged], 2, 'audited only a key range'],
  [
    'truncated audit report without its JSON Lines',
    ['repair', '--from-report', truncated],
    2,
    'its JSON Lines file "gone.jsonl" is not there',
  ],
  [
    'audit report of another pair',
    ['repair', '--from-report', good, '--source', 's3://other-bucket'],
    2,
    '--source "s3://other-bucket" is not the source of --from-report',
  ],
  [
    'a region other than where the audit read the side',
    ['repair', '--from-report', readAt, '--source-region', 'us-east-2'],
    2,
    '--source-region "us-east-2" is not where --from-report',
  ],
  [
    'an endpoint where the audit read the side on AWS',
    ['repair', '--from-report', readAt, '--source-endpoint', 'http://127.0.0.1:9000'],
    2,
    '--source-endpoint "http://127.0.0.1:9000" is not where --from-report',
  ],
  [
    'an endpoint other than where the audit read the side',
    ['repair', '--from-report', readAt, '--replica-endpoint', 'http://127.0.0.1:9000'],
    2,
    'read the replica (http://127.0.0.1:7480): leave --replica-endpoint out to repair there',
  ],
  [
    'audit report whose sides are malformed',
    ['repair', '--from-report', badSides],
    2,
    'is not an audit report of this tool',
  ],
  [
    'audit options with a report',
    ['repair', '--from-report', good, '--lag-window', '0'],
    2,
    '--from-report and --lag-window cannot be given together',
  ],
  [
    'journal of another repair',
    [...ok, '--apply', '--journal', otherJournal],
    2,
    'cannot resume this repair: it belongs to another repair (source "s3://x"',
  ],
  ['unknown option', [...ok, '--dryrun'], 2, "unknown option '--dryrun'"],
  ['a positional argument', [...ok, 'now'], 2, "unexpected argument 'now'"],
];

describe('cdk-s3-dr repair: bad input', () => {
  test.each(cases)('%s', async (_name, argv, code, message) => {
    const r = await runCli(argv, {});
    if (typeof message === 'string') expect(r.err).toContain(message);
    else expect(r.err).toMatch(message);
    expect(r.code).toBe(code);
  });

  test('--help names every option and the exit codes', async () => {
    const r = await runCli(['repair', '--help']);
    expect(r.code).toBe(0);
    for (const o of ['--to', '--apply', '--delete', '--from-report', '--report', '--journal', '--copy'])
      expect(r.out).toContain(o);
    expect(r.out).toMatch(/exit codes: 0/);
  });
});
