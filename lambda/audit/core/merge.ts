import { compareKeys } from './key-order';
import { KeyPair, ListedKey, ListedVersion } from './types';

/**
 * A listing handed over in batches (a page, or part of one), in S3 key order. The audit's stages
 * pass batches, not single keys: a key handed from one async stage to the next costs promises and
 * a turn of the microtask queue, and at tens of thousands of keys a second that was a third of the
 * allocations and of the garbage collection of a run.
 */
export type Batches<T> = AsyncIterable<readonly T[]>;

/** Keys in one batch at most, wherever the audit's stages make batches (a listing, an inventory). */
export const BATCH_SIZE = 200;

/** Batches of `size` (the last one shorter) from a stream of single items. */
export async function* inBatches<T>(items: AsyncIterable<T>, size = BATCH_SIZE): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Current mode: each listed object is the key's latest version. Checks the order on the way.
 */
export async function* currentKeys(entries: Batches<ListedVersion>, side: string): AsyncGenerator<ListedKey[]> {
  let prev: string | undefined;
  for await (const batch of entries) {
    const out: ListedKey[] = [];
    for (const v of batch) {
      checkOrder(prev, v.key, side);
      prev = v.key;
      out.push({ key: v.key, latest: v, versionCount: 1 });
    }
    if (out.length > 0) yield out;
  }
}

/**
 * All-versions mode: groups consecutive versions and delete markers of one key (as
 * ListObjectVersions returns them, key by key) into one entry holding the latest version and
 * the count. Holds one key at a time, whatever the number of versions (a key's versions may span
 * batches).
 */
export async function* groupVersions(entries: Batches<ListedVersion>, side: string): AsyncGenerator<ListedKey[]> {
  let key: string | undefined;
  let latest: ListedVersion | undefined;
  let count = 0;
  for await (const batch of entries) {
    const out: ListedKey[] = [];
    for (const v of batch) {
      if (key !== undefined && v.key === key) {
        count++;
        if (!latest!.isLatest && (v.isLatest || v.lastModified > latest!.lastModified)) latest = v;
        continue;
      }
      checkOrder(key, v.key, side);
      if (key !== undefined) out.push({ key, latest: latest!, versionCount: count });
      key = v.key;
      latest = v;
      count = 1;
    }
    if (out.length > 0) yield out;
  }
  if (key !== undefined) yield [{ key, latest: latest!, versionCount: count }];
}

function checkOrder(prev: string | undefined, key: string, side: string): void {
  if (prev !== undefined && compareKeys(prev, key) >= 0) {
    throw new Error(`the ${side} listing is not in S3 key order: "${key}" came after "${prev}"`);
  }
}

/**
 * Streaming merge of two listings sorted in S3 byte order: one pair per key, in key order, in
 * batches. Holds one batch per side; a side's next batch is asked for as soon as its current one is
 * used up, both at once when both are.
 */
export async function* mergeListings(
  source: Batches<ListedKey>,
  replica: Batches<ListedKey>,
): AsyncGenerator<KeyPair[]> {
  const si = source[Symbol.asyncIterator]();
  const ri = replica[Symbol.asyncIterator]();
  let s: readonly ListedKey[] = [];
  let r: readonly ListedKey[] = [];
  let i = 0;
  let j = 0;
  let sDone = false;
  let rDone = false;
  let closed = false;
  try {
    for (;;) {
      // Refill the sides whose batch is used up: both at once, and both awaited together, so that a
      // failure of one never leaves the other's unhandled.
      const [sn, rn] = await Promise.all([
        !sDone && i >= s.length ? si.next() : undefined,
        !rDone && j >= r.length ? ri.next() : undefined,
      ]);
      if (sn) {
        if (sn.done) sDone = true;
        else [s, i] = [sn.value, 0];
      }
      if (rn) {
        if (rn.done) rDone = true;
        else [r, j] = [rn.value, 0];
      }
      const sHas = i < s.length;
      const rHas = j < r.length;
      if (!sHas && !rHas && sDone && rDone) break;
      // A side that is not done but whose batch is empty (an empty batch) is refilled first.
      if ((!sHas && !sDone) || (!rHas && !rDone)) continue;
      const out: KeyPair[] = [];
      // Until a side that may have more runs out of its batch.
      while ((i < s.length || sDone) && (j < r.length || rDone) && (i < s.length || j < r.length)) {
        const a = i < s.length ? s[i] : undefined;
        const b = j < r.length ? r[j] : undefined;
        const c = a === undefined ? 1 : b === undefined ? -1 : compareKeys(a.key, b.key);
        if (c < 0) {
          out.push({ key: a!.key, source: a });
          i++;
        } else if (c > 0) {
          out.push({ key: b!.key, replica: b });
          j++;
        } else {
          out.push({ key: a!.key, source: a, replica: b });
          i++;
          j++;
        }
      }
      if (out.length > 0) yield out;
    }
    closed = true;
  } finally {
    if (!closed) await Promise.allSettled([si.return?.(), ri.return?.()]);
  }
}
