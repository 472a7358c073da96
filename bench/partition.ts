/**
 * Self-chosen audit ranges: partitioning overhead and range balance, on synthetic key sets probed
 * in memory the way ListObjectsV2 answers (1,000 keys after StartAfter, S3 byte order). Prints, per
 * layout and range count, the planning requests against the list requests of a two-sided audit
 * (one per 1,000 keys per side) and the largest range over the smallest, for a plan from a sample
 * and for a plan from the previous run's page boundaries. Asserts nothing.
 *
 *   npm run bench:partition -- [--keys 1000000] [--budget 20]
 */
import { compareKeys, planFromSample, planRanges, ProbePage, sampleKeySpace, KeyRange } from '../lambda/audit/core';
import { numberArg } from './args';

const n = numberArg('keys', 1_000_000);
const budget = numberArg('budget', 20);
const pad = (x: number, w: number) => String(x).padStart(w, '0');
const hash = (i: number) => ((i * 2654435761) % 4294967296).toString(16).padStart(8, '0');

const layouts: Record<string, () => string[]> = {
  'uniform numbered': () => Array.from({ length: n }, (_, i) => `obj/${pad(i, 7)}`),
  'one huge prefix (90%), many tiny': () => [
    ...Array.from({ length: n * 0.9 }, (_, i) => `huge/${pad(i, 7)}`),
    ...Array.from({ length: n / 100 }, (_, p) => Array.from({ length: 10 }, (_, i) => `t${pad(p, 5)}/f${i}`)).flat(),
  ],
  'many tiny, then a huge hashed prefix': () => [
    ...Array.from({ length: n / 50 }, (_, p) => Array.from({ length: 5 }, (_, i) => `a${pad(p, 6)}/f${i}`)).flat(),
    ...Array.from({ length: n * 0.9 }, (_, i) => `z/${hash(i)}`),
  ],
  'unicode scripts (70/10/10/7/3%)': () =>
    Array.from({ length: n }, (_, i) => {
      const scripts = ['\u65e5\u672c/', 'donn\u00e9es/\u00e9', 'emoji/\u{1F600}', 'ascii/', '\u03a9mega/'];
      const w = i % 100 < 70 ? 0 : i % 100 < 80 ? 1 : i % 100 < 90 ? 2 : i % 100 < 97 ? 3 : 4;
      return `${scripts[w]}${pad(i, 7)}`;
    }),
  'dated logs, later days busier': () =>
    Array.from({ length: n }, (_, i) => {
      const day = Math.floor((Math.sqrt(i / n) * 365) % 365);
      return `logs/2026/${pad(Math.floor(day / 31) + 1, 2)}/${pad((day % 31) + 1, 2)}/${pad(i, 7)}.gz`;
    }),
  'hashed names': () => Array.from({ length: n }, (_, i) => hash(i) + hash(i * 7 + 3)),
};

function firstAfter(keys: readonly string[], after: string | undefined): number {
  if (after === undefined) return 0;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (compareKeys(keys[m], after) <= 0) lo = m + 1;
    else hi = m;
  }
  return lo;
}
const balance = (keys: readonly string[], ranges: readonly KeyRange[]) => {
  const s = ranges.map(
    (r) => (r.endAt === undefined ? keys.length : firstAfter(keys, r.endAt)) - firstAfter(keys, r.startAfter),
  );
  return Math.max(...s) / Math.max(1, Math.min(...s));
};

async function main() {
  console.log(`self-chosen ranges on ${n} keys; sample budget ${budget} list requests`);
  console.log(
    '| layout | ranges | sample: requests / listing | sample: largest / smallest | page boundaries: largest / smallest |',
  );
  console.log('|---|---|---|---|---|');
  for (const [name, gen] of Object.entries(layouts)) {
    const keys = [...new Set(gen())].sort(compareKeys);
    const listing = 2 * Math.ceil(keys.length / 1000);
    const pageEnds = keys.filter((_, i) => i % 1000 === 999 || i === keys.length - 1);
    for (const count of [4, 16]) {
      const probe = async (after: string | undefined): Promise<ProbePage> => {
        const i = firstAfter(keys, after);
        return { keys: keys.slice(i, i + 1000), truncated: i + 1000 < keys.length };
      };
      const sample = await sampleKeySpace(probe, { maxRequests: budget });
      const fromSample = balance(keys, planFromSample(sample, count).ranges);
      const fromPages = balance(keys, planRanges({ count, sampleKeys: pageEnds }));
      const pct = ((100 * sample.requests) / listing).toFixed(2);
      console.log(
        `| ${name} | ${count} | ${sample.requests} / ${listing} = ${pct}% | ${fromSample.toFixed(2)}x | ${fromPages.toFixed(2)}x (0 requests) |`,
      );
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
