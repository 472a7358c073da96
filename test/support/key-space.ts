/**
 * Synthetic key spaces for the planner of self-chosen audit ranges, and an in-memory listing of
 * them that answers the way ListObjectsV2 does: up to 1,000 entries after StartAfter in S3 byte
 * order; with a Delimiter, the keys holding it rolled up into CommonPrefixes, each prefix counted
 * once toward the 1,000. Used by the partition tests and `bench/partition.ts`.
 */
import { compareKeys, firstAfter, KeyProbe, KeyRange } from '../../lambda/audit/core';

const pad = (x: number, w: number) => String(x).padStart(w, '0');
const hash = (i: number) => ((i * 2654435761) % 4294967296).toString(16).padStart(8, '0');

/** The layouts of the benchmark, of about `n` keys each (unsorted). */
export function keyLayouts(n: number): Record<string, () => string[]> {
  return {
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
    // The same days, each numbered afresh from zero (no counter runs from one day into the next).
    'dated logs, numbered afresh each day': () => {
      const seen = new Map<number, number>();
      return Array.from({ length: n }, (_, i) => {
        const day = Math.floor((Math.sqrt(i / n) * 365) % 365);
        const nth = seen.get(day) ?? 0;
        seen.set(day, nth + 1);
        return `logs/2026/${pad(Math.floor(day / 31) + 1, 2)}/${pad((day % 31) + 1, 2)}/${pad(nth, 6)}.gz`;
      });
    },
    // One level of dated folders (Hive-style partitions), each of parts numbered afresh, later ones busier.
    'partitions of parts numbered afresh, later ones busier': () => {
      const seen = new Map<number, number>();
      return Array.from({ length: n }, (_, i) => {
        const day = Math.floor(Math.sqrt(i / n) * 200);
        const nth = seen.get(day) ?? 0;
        seen.set(day, nth + 1);
        return `dt=2026-${pad(Math.floor(day / 28) + 1, 2)}-${pad((day % 28) + 1, 2)}/part-${pad(nth, 5)}.parquet`;
      });
    },
    // CloudTrail's layout: one folder per day under a fixed account/service/region path, names hashed.
    'dated folders of hashed names (CloudTrail-like), later days busier': () =>
      Array.from({ length: n }, (_, i) => {
        const day = Math.floor((Math.sqrt(i / n) * 365) % 365);
        const date = `${pad(Math.floor(day / 31) + 1, 2)}/${pad((day % 31) + 1, 2)}`;
        return `AWSLogs/123456789012/CloudTrail/us-east-1/2026/${date}/${hash(i)}${hash(i * 7 + 3)}.json.gz`;
      }),
    // The audit benchmark's layout: keys numbered across 97 folders (one in 97 in each).
    'numbered across 97 folders': () => Array.from({ length: n }, (_, i) => `d${pad(i % 97, 2)}/obj-${pad(i, 7)}`),
    'hashed names': () => Array.from({ length: n }, (_, i) => hash(i) + hash(i * 7 + 3)),
    // A few folders, each numbered afresh by a counter of its own, of unlike sizes (3 : 60 : 37).
    'three folders, each its own counter (3/60/37%)': () => [
      ...Array.from({ length: Math.round(n * 0.03) }, (_, i) => `photos/${pad(i, 7)}`),
      ...Array.from({ length: Math.round(n * 0.6) }, (_, i) => `scans/${pad(i, 7)}`),
      ...Array.from({ length: Math.round(n * 0.37) }, (_, i) => `videos/${pad(i, 7)}`),
    ],
    // The same ids under two folders (an original and its thumbnail), with a suffix after the number.
    'ids repeated under originals/ and thumbs/': () =>
      ['originals', 'thumbs'].flatMap((f) => Array.from({ length: n / 2 }, (_, i) => `${f}/${pad(i, 8)}.jpg`)),
    // Forty folders, each numbered afresh, each about a fifth larger than the one before: the last
    // holds 1,600 times as many keys as the first (a store whose intake grew by that much).
    'folders growing 1,600-fold, each numbered afresh': () => {
      const ratio = 1600 ** (1 / 39);
      const first = n / Array.from({ length: 40 }, (_, k) => ratio ** k).reduce((a, b) => a + b, 0);
      return Array.from({ length: 40 }, (_, k) =>
        Array.from({ length: Math.max(1, Math.round(first * ratio ** k)) }, (_, i) => `g${pad(k, 2)}/${pad(i, 7)}`),
      ).flat();
    },
    // The layout `bench/scale.ts` plants on the stand (its `scaleKeys`, restated here: importing that
    // script would run it).
    'half in one folder, half over 1,000': () =>
      Array.from({ length: n }, (_, i) =>
        i % 2 === 0 ? `big/obj-${pad(i, 8)}` : `f${pad((i >> 1) % 1000, 4)}/obj-${pad(i, 8)}`,
      ),
  };
}

/**
 * The distinct keys of a layout in S3 order. JavaScript's own sort compares UTF-16 code units,
 * which orders keys as their UTF-8 bytes do unless one of them holds a character from U+E000 to
 * U+FFFF (UTF-16 puts those below the surrogates, UTF-8 above): only then is `compareKeys` needed,
 * at two to three times the cost on a million keys.
 */
export function sortedKeys(gen: () => string[]): string[] {
  const keys = [...new Set(gen())];
  return keys.some((k) => /[\ue000-\uffff]/.test(k)) ? keys.sort(compareKeys) : keys.sort();
}

/**
 * A probe listing `keys` (sorted) in memory, and the number of requests it answered. With a
 * `prefix`, only the keys that start with it are listed (from the first of them when `after` lies
 * before it), and prefixes roll up at the first delimiter after it, as with ListObjectsV2's Prefix.
 */
export function listingOf(keys: readonly string[], pageSize = 1000): { probe: KeyProbe; requests: () => number } {
  let requests = 0;
  const probe: KeyProbe = async (after, delimiter, prefix = '') => {
    requests++;
    // The keys under the prefix are contiguous in S3 order: [from, to).
    const at = firstAfter(keys, prefix);
    const from = at > 0 && keys[at - 1] === prefix ? at - 1 : at;
    const to = endOfRun(keys, from, keys.length, prefix);
    let i = Math.max(from, firstAfter(keys, after));
    if (!delimiter) return { keys: keys.slice(i, Math.min(to, i + pageSize)), truncated: i + pageSize < to };
    const page: string[] = [];
    const prefixes: string[] = [];
    while (i < to && page.length + prefixes.length < pageSize) {
      const k = keys[i];
      const d = k.indexOf(delimiter, prefix.length);
      if (d < 0) {
        page.push(k);
        i++;
        continue;
      }
      // Every key under the prefix is rolled up into it: skip past them (they are contiguous).
      const p = k.slice(0, d + delimiter.length);
      prefixes.push(p);
      i = endOfRun(keys, i, to, p);
    }
    return { keys: page, prefixes, truncated: i < to };
  };
  return { probe, requests: () => requests };
}

/** The end of the run of `keys[from..hi)` that start with `prefix` (sorted: the run is contiguous). */
function endOfRun(keys: readonly string[], from: number, hi: number, prefix: string): number {
  let i = from;
  while (i < hi) {
    const m = (i + hi) >> 1;
    if (keys[m].startsWith(prefix)) i = m + 1;
    else hi = m;
  }
  return i;
}

/** Keys in each range. */
export function rangeSizes(keys: readonly string[], ranges: readonly KeyRange[]): number[] {
  return ranges.map(
    (r) => (r.endAt === undefined ? keys.length : firstAfter(keys, r.endAt)) - firstAfter(keys, r.startAfter),
  );
}

/** The largest range over the smallest (the smallest counted as at least one key). */
export function balanceOf(keys: readonly string[], ranges: readonly KeyRange[]): number {
  const s = rangeSizes(keys, ranges);
  return Math.max(...s) / Math.max(1, Math.min(...s));
}

/**
 * The largest range over the mean: how much longer ranges listed side by side take than even ones
 * would (an empty range costs nothing; the largest sets the wall time).
 */
export function overMean(keys: readonly string[], ranges: readonly KeyRange[]): number {
  const s = rangeSizes(keys, ranges);
  return (Math.max(...s) * s.length) / Math.max(1, keys.length);
}
