/**
 * Point-in-time resolution: given every version under a prefix (as ListObjectVersions returns
 * them: grouped by key, newest first within a key) and a time T, pick per key the newest
 * version with LastModified <= T. Keys whose version at T was a delete marker, or that did not
 * exist yet at T, are skipped; keys deleted or overwritten since T are restored as they were.
 * Memory: one key's candidates at a time.
 */

import { compareKeys } from '../../audit/core/key-order';

/** One entry of a version listing: an object version or a delete marker. */
export interface VersionEntry {
  readonly key: string;
  readonly versionId: string;
  readonly lastModified: Date;
  readonly isDeleteMarker: boolean;
  readonly isLatest?: boolean;
  /** Object versions only. */
  readonly size?: number;
  readonly etag?: string;
}

/** The version of one key at T. */
export interface ResolvedVersion {
  readonly key: string;
  readonly versionId: string;
  readonly lastModified: Date;
  readonly size: number;
  readonly etag?: string;
  /** What happened to the key after T. */
  readonly since: 'unchanged' | 'overwritten' | 'deleted';
}

export interface PointInTimeStats {
  /** Distinct keys seen in the version listing. */
  keys: number;
  /** Versions and delete markers seen. */
  entries: number;
  /** Keys that existed at T (each yields one resolved version). */
  resolved: number;
  /** Keys whose version at T was a delete marker: skipped. */
  deletedAtT: number;
  /** Keys first written after T: skipped. */
  createdAfterT: number;
  /** Keys overwritten since T: restored with their version at T. */
  overwrittenSince: number;
  /** Keys deleted since T (now a delete marker): restored with their version at T. */
  deletedSince: number;
}

export function emptyPointInTimeStats(): PointInTimeStats {
  return { keys: 0, entries: 0, resolved: 0, deletedAtT: 0, createdAfterT: 0, overwrittenSince: 0, deletedSince: 0 };
}

interface Group {
  key: string;
  /** The newest entry overall (the key's current state). */
  latest: VersionEntry;
  /** The newest entry with lastModified <= T, first in listing order on ties. */
  atT?: VersionEntry;
}

function newer(a: VersionEntry, b: VersionEntry): boolean {
  const d = a.lastModified.getTime() - b.lastModified.getTime();
  // On equal times, the listing's own order (newest first) decides, then IsLatest.
  return d > 0 || (d === 0 && a.isLatest === true && b.isLatest !== true);
}

function finish(g: Group, stats: PointInTimeStats): ResolvedVersion | undefined {
  stats.keys++;
  if (!g.atT) {
    stats.createdAfterT++;
    return undefined;
  }
  if (g.atT.isDeleteMarker) {
    stats.deletedAtT++;
    return undefined;
  }
  stats.resolved++;
  let since: ResolvedVersion['since'] = 'unchanged';
  if (g.latest !== g.atT) {
    since = g.latest.isDeleteMarker ? 'deleted' : 'overwritten';
    if (since === 'deleted') stats.deletedSince++;
    else stats.overwrittenSince++;
  }
  return {
    key: g.key,
    versionId: g.atT.versionId,
    lastModified: g.atT.lastModified,
    size: g.atT.size ?? 0,
    etag: g.atT.etag,
    since,
  };
}

/**
 * Streams the version of each key at `asOf`. The input must list each key's entries
 * contiguously (ListObjectVersions does; use mergeVersionPage for each page).
 */
export async function* resolveAsOf(
  entries: AsyncIterable<VersionEntry> | Iterable<VersionEntry>,
  asOf: Date,
  stats: PointInTimeStats = emptyPointInTimeStats(),
): AsyncGenerator<ResolvedVersion> {
  const t = asOf.getTime();
  let g: Group | undefined;
  for await (const e of entries) {
    stats.entries++;
    if (!g || g.key !== e.key) {
      if (g) {
        const r = finish(g, stats);
        if (r) yield r;
      }
      g = { key: e.key, latest: e };
    } else if (newer(e, g.latest)) {
      g.latest = e;
    }
    if (e.lastModified.getTime() <= t && (!g.atT || newer(e, g.atT))) g.atT = e;
  }
  if (g) {
    const r = finish(g, stats);
    if (r) yield r;
  }
}

/**
 * One ListObjectVersions page comes back as two lists (versions, delete markers), each in
 * listing order; merges them into one stream grouped by key, newest first within a key.
 */
export function mergeVersionPage(versions: VersionEntry[], markers: VersionEntry[]): VersionEntry[] {
  if (markers.length === 0) return versions;
  if (versions.length === 0) return markers;
  const out: VersionEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < versions.length || j < markers.length) {
    if (j >= markers.length) out.push(versions[i++]);
    else if (i >= versions.length) out.push(markers[j++]);
    else {
      const c = compareKeys(versions[i].key, markers[j].key);
      if (c < 0 || (c === 0 && !newer(markers[j], versions[i]))) out.push(versions[i++]);
      else out.push(markers[j++]);
    }
  }
  return out;
}
