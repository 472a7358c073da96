import type { ListObjectsV2CommandOutput, ListObjectVersionsCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { listObjectsV2Entries, peekListObjectsV2, RawListEntry } from './list-xml';
import type { ListV2Params, ListVersionsParams } from './raw-s3';
import { S3Access } from './s3-access';

/**
 * The one S3 listing of the handlers and the command line: ListObjectsV2 and ListObjectVersions
 * pages, as raw signed requests parsed by the positional parser when the client is one of ours,
 * through the SDK otherwise. Both paths give the same entries: full keys, ETags without quotes,
 * times in milliseconds, versions and delete markers in one list. The audit's lister builds its
 * prefetching and ranges on the page functions; the drill reads the generators.
 */

export type { RawListEntry as ListedEntry } from './list-xml';

/** One ListObjectsV2 page. */
export interface ObjectsPage {
  /** The page's entries, parsed when called (a waiting raw page holds bytes, not objects). */
  readonly entries: () => RawListEntry[];
  /** The continuation token of the next page; undefined on the last page. */
  readonly nextToken?: string;
  /** The full key of the page's last entry. */
  readonly lastKey?: string;
}

/** One ListObjectVersions page. */
export interface VersionsPage {
  /** Versions and delete markers. */
  readonly entries: RawListEntry[];
  /** The markers of the next page; undefined on the last page. */
  readonly next?: { readonly keyMarker: string; readonly versionIdMarker?: string };
}

/** Drops the quotes S3 puts around an ETag. */
function unquote(etag: string | undefined): string | undefined {
  return etag === undefined ? undefined : etag.replace(/^"|"$/g, '');
}

/** One ListObjectsV2 request. */
export async function listObjectsPage(client: S3Client | S3Access, p: ListV2Params): Promise<ObjectsPage> {
  const access = S3Access.from(client);
  if (access.raw) {
    // Only the page fields and the last key are read here, so the next request can go out at
    // once; the entries are parsed when the caller reaches the page.
    const body = await access.raw.listObjectsV2Body(p);
    const head = peekListObjectsV2(body);
    return {
      entries: () => listObjectsV2Entries(body),
      nextToken: head.isTruncated ? head.nextContinuationToken : undefined,
      lastKey: head.lastKey,
    };
  }
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const out: ListObjectsV2CommandOutput = await (
    await access.client()
  ).send(
    new ListObjectsV2Command({
      Bucket: p.bucket,
      Prefix: p.prefix || undefined,
      MaxKeys: p.maxKeys,
      ContinuationToken: p.continuationToken,
      StartAfter: p.startAfter,
    }),
  );
  const entries = (out.Contents ?? []).map((c) => ({
    key: c.Key ?? '',
    size: c.Size ?? 0,
    etag: unquote(c.ETag),
    lastModified: c.LastModified?.getTime() ?? 0,
    isDeleteMarker: false,
  }));
  return {
    entries: () => entries,
    nextToken: out.IsTruncated ? out.NextContinuationToken : undefined,
    lastKey: out.Contents?.length ? out.Contents[out.Contents.length - 1].Key : undefined,
  };
}

/** One ListObjectVersions request. */
export async function listVersionsPage(client: S3Client | S3Access, p: ListVersionsParams): Promise<VersionsPage> {
  const access = S3Access.from(client);
  if (access.raw) {
    const page = await access.raw.listObjectVersions(p);
    return {
      entries: page.entries,
      next:
        page.isTruncated && page.nextKeyMarker !== undefined
          ? { keyMarker: page.nextKeyMarker, versionIdMarker: page.nextVersionIdMarker }
          : undefined,
    };
  }
  const { ListObjectVersionsCommand } = await import('@aws-sdk/client-s3');
  const out: ListObjectVersionsCommandOutput = await (
    await access.client()
  ).send(
    new ListObjectVersionsCommand({
      Bucket: p.bucket,
      Prefix: p.prefix || undefined,
      MaxKeys: p.maxKeys,
      KeyMarker: p.keyMarker,
      VersionIdMarker: p.versionIdMarker,
    }),
  );
  return {
    entries: versionEntries(out),
    next:
      out.IsTruncated && out.NextKeyMarker !== undefined
        ? { keyMarker: out.NextKeyMarker, versionIdMarker: out.NextVersionIdMarker }
        : undefined,
  };
}

/** The SDK's ListObjectVersions output as the raw path's entries: versions, then delete markers. */
export function versionEntries(out: ListObjectVersionsCommandOutput): RawListEntry[] {
  return [
    ...(out.Versions ?? []).map((v) => ({
      key: v.Key ?? '',
      versionId: v.VersionId,
      isLatest: v.IsLatest,
      size: v.Size ?? 0,
      etag: unquote(v.ETag),
      lastModified: v.LastModified?.getTime() ?? 0,
      isDeleteMarker: false,
    })),
    ...(out.DeleteMarkers ?? []).map((d) => ({
      key: d.Key ?? '',
      versionId: d.VersionId,
      isLatest: d.IsLatest,
      size: 0,
      lastModified: d.LastModified?.getTime() ?? 0,
      isDeleteMarker: true,
    })),
  ];
}

export interface ListAllParams {
  readonly bucket: string;
  /** @default - the whole bucket */
  readonly prefix?: string;
  /** Keys per request. @default 1000 */
  readonly pageSize?: number;
}

/** Every current object under a prefix, page after page, in S3 order. */
export async function* listObjects(client: S3Client | S3Access, p: ListAllParams): AsyncGenerator<RawListEntry> {
  const access = S3Access.from(client);
  let token: string | undefined;
  do {
    const page = await listObjectsPage(access, {
      bucket: p.bucket,
      prefix: p.prefix || undefined,
      maxKeys: p.pageSize ?? 1000,
      continuationToken: token,
    });
    yield* page.entries();
    token = page.nextToken;
  } while (token);
}

/** Every version and delete marker under a prefix, one page at a time. */
export async function* listVersionPages(client: S3Client | S3Access, p: ListAllParams): AsyncGenerator<RawListEntry[]> {
  const access = S3Access.from(client);
  let next: VersionsPage['next'];
  do {
    const page = await listVersionsPage(access, {
      bucket: p.bucket,
      prefix: p.prefix || undefined,
      maxKeys: p.pageSize ?? 1000,
      keyMarker: next?.keyMarker,
      versionIdMarker: next?.versionIdMarker,
    });
    yield page.entries;
    next = page.next;
  } while (next);
}
