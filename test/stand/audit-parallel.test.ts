/**
 * `cdk-s3-dr audit --parallel N`: the key space split by the audit itself into N ranges listed at
 * once, on a skewed layout (one large prefix, many tiny ones, unicode keys that sort differently in
 * UTF-16 and UTF-8). The report must be the one a single-range run writes: the same records in the
 * same order, the same summary, the same JSON Lines.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditSummary } from '../../lambda/audit/core';
import { runCli } from '../support/cli';
import {
  createBucket,
  emptyAndDeleteBucket,
  putObjects,
  standClient,
  oneZonePairArgs,
  standSide,
  useStandCredentials,
} from '../support/stand';

jest.setTimeout(300_000);
useStandCredentials();
const za = standSide('za');
const dir = mkdtempSync(join(tmpdir(), 'audit-parallel-'));
let src: string;
let rep: string;

const pad = (n: number, w: number) => String(n).padStart(w, '0');
/** 2,400 keys: one prefix of 1,800, 150 prefixes of 3, unicode keys (BMP above U+E000 and astral). */
const keys = [
  ...Array.from({ length: 1800 }, (_, i) => `big/${pad(i, 5)}`),
  ...Array.from({ length: 150 }, (_, p) => [0, 1, 2].map((i) => `t${pad(p, 3)}/f${i}`)).flat(),
  ...Array.from({ length: 50 }, (_, i) => `\u00e9t\u00e9/${pad(i, 3)}`),
  ...Array.from({ length: 50 }, (_, i) => `\u{1F600}/${pad(i, 3)}`),
  ...Array.from({ length: 50 }, (_, i) => `\uE000/${pad(i, 3)}`),
];
/** Differences spread over the layout, each kind in several ranges. */
const missing = ['big/00007', 'big/01234', 't042/f1', '\u{1F600}/010', '\uE000/049'];
const sizeChanged = ['big/00500', 't100/f2', '\u00e9t\u00e9/020'];
const contentChanged = ['big/01700', 't149/f0', '\uE000/001'];
const extra = ['big/01234x', 'm-extra', '\u{1F600}/zz'];

function args(report: string, extra: string[] = []): string[] {
  return ['audit', ...oneZonePairArgs(za, src, rep), '--report', report, ...extra];
}

async function audit(name: string, extra: string[] = []) {
  const report = join(dir, `${name}.json`);
  const run = await runCli(args(report, extra), { ...process.env, AWS_REGION: za.region });
  const r = JSON.parse(readFileSync(report, 'utf8'));
  return { run, r, jsonl: readFileSync(join(dir, `${name}.jsonl`), 'utf8') };
}

/** The summary minus what differs between two runs made at different times. */
function comparable(s: AuditSummary) {
  const { requests: _r, retries: _t, durationMs: _d, startedAt: _s, maxObservedLagSeconds: _l, ...rest } = s;
  return rest;
}

beforeAll(async () => {
  [src, rep] = await Promise.all([
    createBucket('za', { replicated: false }),
    createBucket('za', { replicated: false }),
  ]);
  const c = standClient('za');
  await putObjects(c, src, keys);
  await putObjects(
    c,
    rep,
    keys.filter((k) => !missing.includes(k)),
  );
  for (const k of sizeChanged) await c.send(new PutObjectCommand({ Bucket: rep, Key: k, Body: `${k} longer` }));
  for (const k of contentChanged)
    await c.send(new PutObjectCommand({ Bucket: rep, Key: k, Body: k.replace(/./u, '#') }));
  for (const k of extra) await c.send(new PutObjectCommand({ Bucket: rep, Key: k, Body: 'x' }));
});

afterAll(async () => {
  for (const b of [src, rep]) if (b) await emptyAndDeleteBucket('za', b).catch(() => undefined);
});

test('--parallel 4 writes the report of a single-range run: same records in the same order, same summary', async () => {
  const single = await audit('single');
  const parallel = await audit('parallel', ['--parallel', '4']);
  expect(single.run.code).toBe(1);
  expect(parallel.run.code).toBe(1);
  expect(single.r.discrepancies).toHaveLength(
    missing.length + sizeChanged.length + contentChanged.length + extra.length,
  );
  expect(parallel.r.discrepancies).toEqual(single.r.discrepancies);
  expect(parallel.r.unverified).toEqual(single.r.unverified);
  expect(comparable(parallel.r.summary)).toEqual(comparable(single.r.summary));
  expect(parallel.r.summary.keys).toBe(keys.length + extra.length);
  expect(parallel.r.range).toEqual(single.r.range);
  expect(parallel.jsonl).toBe(single.jsonl);
  // The split came from a sample of the source, within the sampling budget.
  const planned = /audit: (\d+) ranges from a sample of the source \((\d+) list requests\)/.exec(parallel.run.err);
  expect(planned).not.toBeNull();
  expect(Number(planned![1])).toBe(4);
  expect(Number(planned![2])).toBeGreaterThanOrEqual(2);
  expect(Number(planned![2])).toBeLessThanOrEqual(20);
  // At the end it says how evenly the ranges shared the keys: every key in one range, none twice.
  const held =
    /audit: 4 ranges held ([\d,]+) to ([\d,]+) keys each \(the largest ([\d.]+)x the smallest, ([\d.]+)x the mean\)/.exec(
      parallel.run.err,
    );
  expect(held).not.toBeNull();
  const [smallest, largest] = [held![1], held![2]].map((x) => Number(x.replace(/,/g, '')));
  const total = parallel.r.summary.keys;
  expect(smallest).toBeGreaterThan(0);
  expect(4 * smallest).toBeLessThanOrEqual(total);
  expect(4 * largest).toBeGreaterThanOrEqual(total);
  expect(Number(held![3])).toBeCloseTo(largest / smallest, 2);
  expect(Number(held![4])).toBeCloseTo(largest / (total / 4), 2);
  expect(single.run.err).not.toMatch(/ranges held/);
  // The report counts every request: the listing of both sides and the planning probes.
  expect(parallel.r.requestsByOperation.ListObjectsV2Command).toBeGreaterThan(
    single.r.requestsByOperation.ListObjectsV2Command,
  );
});

test('--parallel inside --range-start-after/--range-end-at audits only that range, as a single-range run does', async () => {
  const within = ['--range-start-after', 'big/00999', '--range-end-at', 't120/f1'];
  const single = await audit('single-range', within);
  const parallel = await audit('parallel-range', [...within, '--parallel', '3']);
  expect(parallel.r.discrepancies).toEqual(single.r.discrepancies);
  expect(comparable(parallel.r.summary)).toEqual(comparable(single.r.summary));
  expect(parallel.r.discrepancies.map((d: { key: string }) => d.key)).toEqual([
    'big/01234',
    'big/01234x',
    'big/01700',
    'm-extra',
    't042/f1',
    't100/f2',
  ]);
});

test('a range that ends at the last key of a page sends no request past it', async () => {
  // The 200th source key in S3 order closes the first page of 200: that page completes the range.
  const run = await audit('page-end', ['--range-end-at', 'big/00199', '--page-size', '200']);
  expect(run.r.summary.keys).toBe(200);
  // One page a side (the replica's first page, short of big/00007, runs past the end).
  expect(run.r.requestsByOperation.ListObjectsV2Command).toBe(2);
});

test('with --hints, --parallel plans from the page boundaries the previous run saved, with no request', async () => {
  const first = await audit('hinted', ['--hints', '--page-size', '200']);
  const second = await audit('hinted', ['--hints', '--parallel', '4']);
  expect(second.run.err).toMatch(/audit: 4 ranges from the previous run's page boundaries \(0 list requests\)/);
  expect(second.r.discrepancies).toEqual(first.r.discrepancies);
  expect(comparable(second.r.summary)).toEqual(comparable(first.r.summary));
});

test.each([
  ['0', /--parallel "0" must be a whole number from 1 to 64/],
  ['65', /--parallel "65" must be a whole number from 1 to 64/],
  ['two', /--parallel "two" must be a whole number from 1 to 64/],
])('--parallel %s is refused with exit 2', async (value, message) => {
  const run = await runCli(args(join(dir, 'bad.json'), ['--parallel', value]), { ...process.env });
  expect(run.code).toBe(2);
  expect(run.err).toMatch(message);
});

test('--parallel with --resume is refused: one range cannot resume the others', async () => {
  const run = await runCli(args(join(dir, 'bad.json'), ['--parallel', '4', '--resume', join(dir, 'x.json')]), {
    ...process.env,
  });
  expect(run.code).toBe(2);
  expect(run.err).toMatch(/--parallel 4 cannot resume a checkpoint: resume with the same options without --parallel/);
});
