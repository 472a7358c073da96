import type { S3Client } from '@aws-sdk/client-s3';
import { CANARY_PREFIX } from '../shared/reserved';
import { S3Access } from '../shared/s3-access';
import { AuditMode, BATCH_SIZE, compareKeys, HeadInfo, ListedVersion, normEtag } from './core';
import { RawListEntry } from '../shared/list-xml';
import { listObjectsPage, listVersionsPage } from '../shared/listing';

/** Which side a failed request was for, so the error can name the bucket. */
export class SideError extends Error {
  constructor(
    readonly side: 'source' | 'replica',
    readonly bucket: string,
    options: { cause: unknown },
  ) {
    super(`${side} bucket "${bucket}"`, options);
    this.name = 'SideError';
  }
}

export interface ListSideOptions {
  readonly side: 'source' | 'replica';
  readonly client: S3Client | S3Access;
  readonly bucket: string;
  /** Key prefix; listed keys are yielded relative to it. */
  readonly prefix: string;
  readonly mode: AuditMode;
  /** Relative key to start after (exclusive). */
  readonly startAfter?: string;
  /** Relative key to end at (inclusive): no page is requested past it. */
  readonly endAt?: string;
  /** @default 1000 */
  readonly pageSize?: number;
  /**
   * Page boundary keys (relative, in S3 order) from a previous listing of this side. In current
   * mode the ranges between them are listed in parallel: when the data has not changed much, each
   * range is one request, so the request count stays one per page while the wall time shrinks.
   * @default - list page after page
   */
  readonly hints?: readonly string[];
  /** Called with the last key (relative) of every page received: the next run's hints. */
  readonly onPageEnd?: (lastKey: string) => void;
}

/** Ranges listed at once when hints are given. */
export const HINTED_RANGES_IN_FLIGHT = 4;

/** Pages of one listing requested or waiting unread at most: about 1,000 keys each. */
export const PAGES_AHEAD = 4;

/**
 * Lists one side page by page (one request per `pageSize` keys), requesting the next page as
 * soon as the current one arrives so that listing overlaps with the caller's work. Yields keys
 * relative to the prefix in S3 order, in batches of at most BATCH_SIZE; skips the probe's canary
 * objects.
 */
export async function* listSide(o: ListSideOptions): AsyncGenerator<ListedVersion[]> {
  const pageSize = o.pageSize ?? 1000;
  /** A page received: its entries are parsed when the caller reaches them (`items`), not before. */
  type Page = { items: () => ListedVersion[]; next?: () => Promise<Page>; nextToken?: string; lastKey?: string };
  const wrap = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (err) {
      throw new SideError(o.side, o.bucket, { cause: err });
    }
  };
  const wrapSync = <T>(f: () => T): T => {
    try {
      return f();
    } catch (err) {
      throw new SideError(o.side, o.bucket, { cause: err });
    }
  };
  // A ListObjectsV2 page lists each key once: a page ending at the range's end key completes the
  // range. A version page may end inside a key's versions, so it completes the range only past it.
  const reached = (lastKey: string | undefined) =>
    o.endAt !== undefined && lastKey !== undefined && compareKeys(lastKey, o.endAt) >= 0;
  const pastEnd = (lastKey: string | undefined) =>
    o.endAt !== undefined && lastKey !== undefined && compareKeys(lastKey, o.endAt) > 0;

  const access = S3Access.from(o.client);
  const skip = (key: string) => key.startsWith(CANARY_PREFIX);
  const toItems = (entries: RawListEntry[]): ListedVersion[] => {
    const items: ListedVersion[] = [];
    for (const c of entries) {
      if (skip(c.key)) continue;
      items.push({
        key: c.key.slice(o.prefix.length),
        isDeleteMarker: false,
        isLatest: true,
        size: c.size,
        etag: normEtag(c.etag),
        lastModified: c.lastModified,
      });
    }
    return items;
  };

  const fetchV2 = async (token?: string, from: string | undefined = o.startAfter): Promise<Page> => {
    const startAfter = token === undefined && from !== undefined ? o.prefix + from : undefined;
    const page = await wrap(
      listObjectsPage(access, {
        bucket: o.bucket,
        prefix: o.prefix || undefined,
        maxKeys: pageSize,
        continuationToken: token,
        startAfter,
      }),
    );
    const items = () => wrapSync(() => toItems(page.entries()));
    const nextToken = page.nextToken;
    const relLast = page.lastKey?.slice(o.prefix.length);
    if (relLast !== undefined) o.onPageEnd?.(relLast);
    return {
      items,
      next: nextToken && !reached(relLast) ? () => fetchV2(nextToken) : undefined,
      nextToken,
      lastKey: relLast,
    };
  };

  const fetchVersions = async (keyMarker?: string, versionIdMarker?: string): Promise<Page> => {
    const { entries, next: more } = await wrap(
      listVersionsPage(access, {
        bucket: o.bucket,
        prefix: o.prefix || undefined,
        maxKeys: pageSize,
        keyMarker,
        versionIdMarker,
      }),
    );
    const items: ListedVersion[] = [];
    for (const v of entries) {
      if (skip(v.key)) continue;
      items.push({
        key: v.key.slice(o.prefix.length),
        versionId: v.versionId ?? 'null',
        isDeleteMarker: v.isDeleteMarker,
        isLatest: v.isLatest ?? false,
        size: v.size,
        etag: v.isDeleteMarker ? undefined : normEtag(v.etag),
        lastModified: v.lastModified,
      });
    }
    // Versions and delete markers may come in two lists: interleave them by key, newest first.
    items.sort((a, b) => compareKeys(a.key, b.key) || b.lastModified - a.lastModified);
    return {
      items: () => items,
      next:
        more && !pastEnd(items[items.length - 1]?.key)
          ? () => fetchVersions(more.keyMarker, more.versionIdMarker)
          : undefined,
    };
  };

  if (o.mode === 'current' && o.hints && o.hints.length > 0) {
    // Ranges between the hinted boundaries, inside (startAfter, endAt], listed a few at a time
    // and yielded in order: memory stays bounded by the ranges in flight.
    const inside = (k: string) =>
      (o.startAfter === undefined || compareKeys(k, o.startAfter) > 0) &&
      (o.endAt === undefined || compareKeys(k, o.endAt) < 0);
    const bounds = [...new Set(o.hints)].filter(inside).sort(compareKeys);
    // The last boundary was the end of the previous listing: the last range stays open so that one
    // request covers both the last page and any key added after it.
    bounds.pop();
    const ranges: [string | undefined, string | undefined][] = [];
    let prev = o.startAfter;
    for (const b of bounds) {
      ranges.push([prev, b]);
      prev = b;
    }
    ranges.push([prev, o.endAt]);
    // A range keeps its pages unparsed until the caller reaches it: waiting ranges hold bytes,
    // not thousands of small objects that would outlive young-generation collections.
    type Range = { start?: string; end?: string; pages: Page[] };
    const listRange = async ([start, end]: [string | undefined, string | undefined]): Promise<Range> => {
      const pages: Page[] = [];
      let page = await fetchV2(undefined, start);
      for (;;) {
        pages.push(page);
        // The range is complete when the page reached its end key: no request past it.
        if (!page.nextToken || (end !== undefined && page.lastKey !== undefined && compareKeys(page.lastKey, end) >= 0))
          return { start, end, pages };
        page = await fetchV2(page.nextToken);
      }
    };
    const inflight: Promise<Range>[] = [];
    let next = 0;
    const launch = () => {
      while (inflight.length < HINTED_RANGES_IN_FLIGHT && next < ranges.length) {
        const p = listRange(ranges[next++]);
        p.catch(() => undefined); // surfaced when awaited
        inflight.push(p);
      }
    };
    launch();
    while (inflight.length > 0) {
      const { start, end, pages } = await inflight.shift()!;
      launch();
      for (const page of pages) {
        const items = page
          .items()
          .filter(
            (it) =>
              (start === undefined || compareKeys(it.key, start) > 0) &&
              (end === undefined || compareKeys(it.key, end) <= 0),
          );
        yield* chunks(items, 0);
      }
    }
    return;
  }

  // Pages are requested back to back at the server's pace, not the caller's: the next request
  // goes out as soon as a page arrives, as long as fewer than PAGES_AHEAD pages wait unread.
  const first = o.startAfter !== undefined ? o.prefix + o.startAfter : undefined;
  const queue: Promise<Page>[] = [];
  let held: (() => Promise<Page>) | undefined; // the next request, held while the queue is full
  let stopped = false;
  const request = (make: () => Promise<Page>) => {
    const p = make();
    queue.push(p);
    p.then(
      (page) => {
        if (!page.next || stopped) return;
        if (queue.length < PAGES_AHEAD) request(page.next);
        else held = page.next;
      },
      () => undefined, // surfaced when the caller reaches this page
    );
  };
  request(o.mode === 'current' ? () => fetchV2() : () => fetchVersions(first));
  try {
    while (queue.length > 0) {
      const page = await queue.shift()!;
      if (held) {
        const next = held;
        held = undefined;
        request(next);
      }
      const items = page.items();
      const from = o.startAfter === undefined ? 0 : items.findIndex((i) => compareKeys(i.key, o.startAfter!) > 0);
      if (from >= 0) yield* chunks(items, from);
    }
  } finally {
    stopped = true; // a caller that stops early (a checkpoint, an error) ends the chain
  }
}

/**
 * `items` from `from` on, in batches of BATCH_SIZE with a turn of the event loop between two:
 * pages already received would otherwise be consumed in one run of microtasks while the next
 * response waits unread.
 */
async function* chunks(items: ListedVersion[], from: number): AsyncGenerator<ListedVersion[]> {
  for (let i = from; i < items.length; i += BATCH_SIZE) {
    if (i > from) await breather();
    yield items.slice(i, i + BATCH_SIZE);
  }
}

/** A turn of the event loop. */
function breather(): Promise<void> {
  return new Promise<void>((r) => setImmediate(r));
}

/** Checksum response headers by algorithm, as HeadObject returns them with checksum mode on. */
const CHECKSUM_HEADERS: [string, string][] = [
  ['CRC32', 'x-amz-checksum-crc32'],
  ['CRC32C', 'x-amz-checksum-crc32c'],
  ['CRC64NVME', 'x-amz-checksum-crc64nvme'],
  ['SHA1', 'x-amz-checksum-sha1'],
  ['SHA256', 'x-amz-checksum-sha256'],
];

/** HeadObject with checksums, for equal-size objects whose ETags differ. */
export async function headInfo(
  side: 'source' | 'replica',
  client: S3Client | S3Access,
  bucket: string,
  key: string,
  versionId: string | undefined,
): Promise<HeadInfo> {
  const access = S3Access.from(client);
  const version = versionId && versionId !== 'null' ? versionId : undefined;
  let etag: string | undefined;
  let sse: string | undefined;
  const all: [string, string | undefined][] = [];
  try {
    if (access.raw) {
      const h = await access.raw.headObject(bucket, key, version);
      etag = h.etag;
      sse = h['x-amz-server-side-encryption-customer-algorithm'] ? 'SSE-C' : h['x-amz-server-side-encryption'];
      for (const [algo, header] of CHECKSUM_HEADERS) all.push([algo, h[header]]);
    } else {
      const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
      const h = await (
        await access.client()
      ).send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: version, ChecksumMode: 'ENABLED' }));
      etag = h.ETag;
      sse = h.SSECustomerAlgorithm ? 'SSE-C' : h.ServerSideEncryption;
      all.push(
        ['CRC32', h.ChecksumCRC32],
        ['CRC32C', h.ChecksumCRC32C],
        ['CRC64NVME', h.ChecksumCRC64NVME],
        ['SHA1', h.ChecksumSHA1],
        ['SHA256', h.ChecksumSHA256],
      );
    }
  } catch (err) {
    throw new SideError(side, bucket, { cause: err });
  }
  const checksums: Record<string, string> = {};
  // Composite (per-part) checksums depend on the part layout: not comparable across sides.
  for (const [algo, value] of all) if (value && !/-\d+$/.test(value)) checksums[algo] = value;
  return { etag: normEtag(etag), sse, checksums };
}

/**
 * The latest version (or delete marker) of exactly `key`, with one ListObjectVersions request:
 * the key's own entries come first, newest first. Undefined when the key has none.
 */
export async function latestVersion(
  side: 'source' | 'replica',
  client: S3Client | S3Access,
  bucket: string,
  prefix: string,
  relKey: string,
): Promise<ListedVersion | undefined> {
  const access = S3Access.from(client);
  const full = prefix + relKey;
  let entries: RawListEntry[];
  try {
    entries = (await listVersionsPage(access, { bucket, prefix: full, maxKeys: 1 })).entries;
  } catch (err) {
    throw new SideError(side, bucket, { cause: err });
  }
  const v = entries.find((x) => x.key === full && !x.isDeleteMarker);
  const d = entries.find((x) => x.key === full && x.isDeleteMarker);
  if (d && (!v || d.lastModified >= v.lastModified)) {
    return {
      key: relKey,
      versionId: d.versionId,
      isDeleteMarker: true,
      isLatest: true,
      size: 0,
      lastModified: d.lastModified,
    };
  }
  if (v) {
    return {
      key: relKey,
      versionId: v.versionId,
      isDeleteMarker: false,
      isLatest: true,
      size: v.size,
      etag: normEtag(v.etag),
      lastModified: v.lastModified,
    };
  }
  return undefined;
}
