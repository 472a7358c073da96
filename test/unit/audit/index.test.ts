import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv, emitMetrics, parseEvent } from '../../../lambda/audit/index';
import { emptySummary } from '../../../lambda/audit/core';
import { main } from '../../../lambda/cli/main';
import { UsageError } from '../../../lambda/shared/errors';

const env = { SOURCE_BUCKET: 'src-bucket', REPLICA_BUCKET: 'dst-bucket', REPORTS_BUCKET: 'reports-bucket' };

describe('configFromEnv', () => {
  test('applies the defaults', () => {
    const cfg = configFromEnv({ ...env, AWS_REGION: 'eu-west-1', REPLICA_REGION: 'eu-central-1' });
    expect(cfg).toMatchObject({
      name: 'src-bucket',
      source: { bucket: 'src-bucket', prefix: '', region: 'eu-west-1' },
      replica: { bucket: 'dst-bucket', region: 'eu-central-1' },
      lagWindowSeconds: 900,
      mode: 'current',
      deleteMarkerReplication: false,
    });
  });

  test('fails naming every bad variable and its value', () => {
    const bad = () =>
      configFromEnv({
        SOURCE_BUCKET: 'Bad_Bucket',
        REPORTS_BUCKET: 'r-b-1',
        LAG_WINDOW_SECONDS: 'ten',
        MODE: 'all',
        DELETE_MARKER_REPLICATION: 'yes',
        SOURCE_ENDPOINT: 'localhost',
      });
    expect(bad).toThrow(UsageError);
    expect(bad).toThrow(/environment variable SOURCE_BUCKET="Bad_Bucket" is not a valid bucket name/);
    expect(bad).toThrow(/environment variable REPLICA_BUCKET is not set/);
    expect(bad).toThrow(
      /LAG_WINDOW_SECONDS="ten" is not a whole number of seconds from 0 to 604800: give a whole number/,
    );
    expect(bad).toThrow(/MODE="all" is not a known value: use one of current, versions/);
    expect(bad).toThrow(/DELETE_MARKER_REPLICATION="yes" is not a boolean: write true or false/);
    expect(bad).toThrow(/SOURCE_ENDPOINT="localhost" is not an http\(s\) endpoint/);
  });
});

describe('parseEvent', () => {
  test('accepts an empty event and the known fields', () => {
    expect(parseEvent(undefined)).toEqual({});
    expect(parseEvent({ range: { startAfter: 'a', endAt: 'm' }, lagWindowSeconds: 60, mode: 'versions' })).toEqual({
      range: { startAfter: 'a', endAt: 'm' },
      lagWindowSeconds: 60,
      mode: 'versions',
    });
    const merge = { merge: { runId: 'f3a1c2d4-run', ranges: [{ endAt: 'm' }, { startAfter: 'm' }] } };
    expect(parseEvent(merge)).toEqual(merge);
    expect(parseEvent({ range: {}, runId: 'exec-1', emitMetrics: false })).toEqual({
      range: {},
      runId: 'exec-1',
      emitMetrics: false,
    });
  });

  test.each([
    [[1], /the event must be an object/],
    [{ rnage: {} }, /event field "rnage" is not known/],
    [{ range: { start: 'a' } }, /range.start is not known/],
    [{ range: { endAt: 5 } }, /range.endAt must be a string key, got 5/],
    [{ lagWindowSeconds: -1 }, /lagWindowSeconds=-1 must be a whole number/],
    [{ mode: 'all' }, /mode="all" must be "current" or "versions"/],
    [{ checkpoint: { version: 9 } }, /checkpoint must be the checkpoint a previous invocation returned/],
    [{ runId: 'a/b' }, /runId="a\/b" must be 1-80 characters without spaces or slashes/],
    [{ emitMetrics: 'no' }, /emitMetrics="no" must be true or false/],
    [{ merge: { runId: 'x', ranges: [] } }, /merge.ranges must be the non-empty list/],
    [{ merge: { runId: 'x', ranges: [{ from: 'a' }] } }, /merge.ranges\[0\].from is not known/],
    [{ merge: { runId: 'x', ranges: [{}] }, range: {} }, /a merge event takes no other fields: remove range/],
  ])('rejects %j', (event, message) => {
    expect(() => parseEvent(event)).toThrow(message);
  });
});

describe('emitMetrics', () => {
  test('one EMF line with a metric per kind, the total and the lag, dimension Audit', () => {
    const s = emptySummary({
      mode: 'current',
      now: 0,
      lagWindowSeconds: 900,
      deleteMarkerReplication: false,
      versionIdsPreserved: true,
      headCheck: true,
    });
    s.counts.missing = 2;
    s.counts.pending = 1;
    s.discrepancies = 2;
    s.keys = 10;
    s.maxObservedLagSeconds = 1200;
    const lines: string[] = [];
    emitMetrics('orders', s, (l) => lines.push(l));
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0]);
    expect(doc.Audit).toBe('orders');
    expect(doc._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Audit']]);
    expect(doc._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name).sort()).toEqual(
      [
        'ContentMismatch',
        'DeleteMarkerMismatch',
        'Discrepancies',
        'Extra',
        'MaxObservedLagSeconds',
        'Missing',
        'ObjectsAudited',
        'Pending',
        'SizeMismatch',
        'VersionMismatch',
      ].sort(),
    );
    expect([doc.Missing, doc.Pending, doc.Discrepancies, doc.ObjectsAudited, doc.MaxObservedLagSeconds]).toEqual([
      2, 1, 2, 10, 1200,
    ]);
  });
});

describe('cdk-s3-dr audit usage errors (exit 2, nothing listed)', () => {
  const run = async (args: string[]) => {
    const err: string[] = [];
    const out: string[] = [];
    const code = await main(['audit', ...args], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      isTTY: false,
      env: {},
    });
    return { code, err: err.join('\n'), out: out.join('\n') };
  };
  const ok = ['--source', 's3://src-bucket', '--replica', 's3://dst-bucket'];

  test.each([
    [['--replica', 's3://dst-bucket'], /--source is required/],
    [['--source', 'src-bucket', '--replica', 's3://dst-bucket'], /--source "src-bucket" is not an S3 URI/],
    [['--source', 's3://Src', '--replica', 's3://dst-bucket'], /invalid bucket "Src"/],
    [[...ok, '--lag-window=-5'], /--lag-window "-5" must be a whole number from 0/],
    [[...ok, '--lag-window', 'ten'], /--lag-window "ten" must be a whole number from 0/],
    [[...ok, '--max-attempts', '0'], /--max-attempts "0" must be a whole number from 1 to 100/],
    [[...ok, '--page-size', '5000'], /--page-size "5000" must be a whole number from 1 to 1000/],
    [[...ok, '--source-endpoint', 'localhost:7480'], /--source-endpoint "localhost:7480" is not an http\(s\) endpoint/],
    [[...ok, '--frobnicate'], /unknown option '--frobnicate'/],
    [[...ok, '--resume', '/nonexistent/cp.json'], /--resume "\/nonexistent\/cp.json" does not exist/],
    [[...ok, '--report', 's3://src-bucket/r.json'], /--report "s3:\/\/src-bucket\/r.json" is in an audited bucket/],
    [[...ok, '--report', '/nonexistent-dir/r.json'], /the directory "\/nonexistent-dir" does not exist/],
  ])('%j', async (args, message) => {
    const r = await run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  test('a resume file that is not a checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-'));
    writeFileSync(join(dir, 'bad.json'), '{"version": 7}');
    writeFileSync(join(dir, 'broken.json'), '{');
    expect((await run([...ok, '--resume', join(dir, 'bad.json')])).err).toMatch(/is not a checkpoint of this tool/);
    expect((await run([...ok, '--resume', join(dir, 'broken.json')])).err).toMatch(
      /is not a checkpoint \(invalid JSON/,
    );
  });

  test('--help prints the options and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--lag-window SECONDS/);
  });
});
