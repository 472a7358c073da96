import { compareKeys } from './key-order';
import { KeyPair, ListedKey, ListedVersion } from './types';

/**
 * Current mode: each listed object is the key's latest version. Checks the order on the way.
 */
export async function* currentKeys(entries: AsyncIterable<ListedVersion>, side: string): AsyncGenerator<ListedKey> {
  let prev: string | undefined;
  for await (const v of entries) {
    checkOrder(prev, v.key, side);
    prev = v.key;
    yield { key: v.key, latest: v, versionCount: 1 };
  }
}

/**
 * All-versions mode: groups consecutive versions and delete markers of one key (as
 * ListObjectVersions returns them, key by key) into one entry holding the latest version and
 * the count. Holds one key at a time, whatever the number of versions.
 */
export async function* groupVersions(entries: AsyncIterable<ListedVersion>, side: string): AsyncGenerator<ListedKey> {
  let key: string | undefined;
  let latest: ListedVersion | undefined;
  let count = 0;
  for await (const v of entries) {
    if (key !== undefined && v.key === key) {
      count++;
      if (!latest!.isLatest && (v.isLatest || v.lastModified > latest!.lastModified)) latest = v;
      continue;
    }
    checkOrder(key, v.key, side);
    if (key !== undefined) yield { key, latest: latest!, versionCount: count };
    key = v.key;
    latest = v;
    count = 1;
  }
  if (key !== undefined) yield { key, latest: latest!, versionCount: count };
}

function checkOrder(prev: string | undefined, key: string, side: string): void {
  if (prev !== undefined && compareKeys(prev, key) >= 0) {
    throw new Error(`the ${side} listing is not in S3 key order: "${key}" came after "${prev}"`);
  }
}

/**
 * Streaming merge of two listings sorted in S3 byte order: one pair per key, in key order.
 * Holds one entry per side; both sides are pulled concurrently.
 */
export async function* mergeListings(
  source: AsyncIterable<ListedKey>,
  replica: AsyncIterable<ListedKey>,
): AsyncGenerator<KeyPair> {
  const si = source[Symbol.asyncIterator]();
  const ri = replica[Symbol.asyncIterator]();
  let closed = false;
  try {
    let [s, r] = await Promise.all([si.next(), ri.next()]);
    while (!s.done || !r.done) {
      if (r.done || (!s.done && compareKeys(s.value.key, r.value.key) < 0)) {
        yield { key: s.value!.key, source: s.value };
        s = await si.next();
      } else if (s.done || compareKeys(s.value.key, r.value.key) > 0) {
        yield { key: r.value.key, replica: r.value };
        r = await ri.next();
      } else {
        yield { key: s.value.key, source: s.value, replica: r.value };
        [s, r] = await Promise.all([si.next(), ri.next()]);
      }
    }
    closed = true;
  } finally {
    if (!closed) await Promise.allSettled([si.return?.(), ri.return?.()]);
  }
}
