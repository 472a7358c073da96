import { inBatches, ListedKey, ListedVersion } from '../../lambda/audit/core';

export const NOW = Date.parse('2030-01-01T00:00:00Z');
/** A time well outside the default 900 s lag window. */
export const OLD = NOW - 3600_000;

export function obj(key: string, over: Partial<ListedVersion> = {}): ListedVersion {
  return {
    key,
    isDeleteMarker: false,
    isLatest: true,
    size: 10,
    etag: 'd41d8cd98f00b204e9800998ecf8427e',
    lastModified: OLD,
    ...over,
  };
}

export function dm(key: string, over: Partial<ListedVersion> = {}): ListedVersion {
  return { key, isDeleteMarker: true, isLatest: true, size: 0, lastModified: OLD, versionId: 'dm1', ...over };
}

export function listed(v: ListedVersion, versionCount = 1): ListedKey {
  return { key: v.key, latest: v, versionCount };
}

export async function* iter<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const i of items) yield i;
}

/**
 * `items` in batches of `size` (the audit's stages pass batches): a small size makes tests cross
 * batch boundaries.
 */
export function batches<T>(items: Iterable<T>, size = 3): AsyncGenerator<T[]> {
  return inBatches(iter(items), size);
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Every item of a stream of batches, in order. */
export async function collectBatches<T>(it: AsyncIterable<readonly T[]>): Promise<T[]> {
  return (await collect(it)).flat() as T[];
}
