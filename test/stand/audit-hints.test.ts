/**
 * Page-boundary hints (--hints): a repeated audit lists the ranges between the previous run's
 * page boundaries in parallel. It must give the same report as a plain run, with no more list
 * requests, also after the data changed in between.
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../lambda/cli/main';
import {
  createBucket,
  emptyAndDeleteBucket,
  putObjects,
  standClient,
  oneZonePairArgs,
  standSide,
  useStandCredentials,
} from '../support/stand';

jest.setTimeout(180_000);
useStandCredentials();
const za = standSide('za');
const dir = mkdtempSync(join(tmpdir(), 'audit-hints-'));
let src: string;
let rep: string;

const io = () => ({
  out: () => undefined,
  err: () => undefined,
  isTTY: false,
  env: { ...process.env, AWS_REGION: za.region },
});
const keys = Array.from({ length: 1200 }, (_, i) => `f${i % 7}/k${String(i).padStart(5, '0')}`);

async function audit(report: string, extra: string[] = []) {
  const code = await main(
    ['audit', ...oneZonePairArgs(za, src, rep), '--page-size', '100', '--report', report, ...extra],
    io(),
  );
  const r = JSON.parse(readFileSync(report, 'utf8'));
  return {
    code,
    r,
    discrepancies: r.discrepancies.map((d: { key: string; kind: string }) => `${d.kind} ${d.key}`),
    lists: r.requestsByOperation.ListObjectsV2Command as number,
  };
}

beforeAll(async () => {
  // Two buckets of one zone, the differences planted: nothing needs replicating.
  [src, rep] = await Promise.all([
    createBucket('za', { replicated: false }),
    createBucket('za', { replicated: false }),
  ]);
  const c = standClient('za');
  await putObjects(c, src, keys);
  await putObjects(
    c,
    rep,
    keys.filter((_, i) => i % 100 !== 7),
  ); // 12 missing
  await c.send(new PutObjectCommand({ Bucket: rep, Key: 'f3/zz-extra', Body: 'x' }));
});
afterAll(async () => {
  for (const b of [src, rep]) await emptyAndDeleteBucket('za', b).catch(() => undefined);
});

test("the second run uses the first run's boundaries: same report, no more list requests", async () => {
  const report = join(dir, 'same.json');
  const first = await audit(report, ['--hints']);
  expect(first.code).toBe(1);
  expect(existsSync(`${report}.hints.json`)).toBe(true);
  const hints = JSON.parse(readFileSync(`${report}.hints.json`, 'utf8'));
  expect(hints.source.boundaries.length).toBeGreaterThanOrEqual(12);
  const second = await audit(report, ['--hints']);
  expect(second.discrepancies).toEqual(first.discrepancies);
  expect(second.r.summary.counts).toEqual(first.r.summary.counts);
  expect(second.lists).toBeLessThanOrEqual(first.lists);
  expect(first.discrepancies).toHaveLength(13);
});

test('without --hints nothing is saved beside the report', async () => {
  const report = join(dir, 'nohints.json');
  const r = await audit(report);
  expect(r.code).toBe(1);
  expect(existsSync(`${report}.hints.json`)).toBe(false);
});

test('after the data changed, a hinted run still equals a plain run', async () => {
  const report = join(dir, 'changed.json');
  await audit(report, ['--hints']); // writes hints for the current data
  const c = standClient('za');
  // Grow one range a lot, empty another, and add a difference.
  await putObjects(
    c,
    src,
    Array.from({ length: 250 }, (_, i) => `f1/k00100-new${i}`),
  );
  for (let i = 0; i < 60; i++) await c.send(new DeleteObjectCommand({ Bucket: src, Key: keys[i * 7] }));
  const hinted = await audit(report, ['--hints']);
  const plain = await audit(join(dir, 'plain.json'));
  expect(hinted.discrepancies).toEqual(plain.discrepancies);
  expect(hinted.r.summary.counts).toEqual(plain.r.summary.counts);
  expect(hinted.discrepancies.length).toBeGreaterThan(13);
});
