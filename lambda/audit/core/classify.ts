import { DEFAULTS } from '../contract';
import {
  Discrepancy,
  DiscrepancyKind,
  HeadInfo,
  KeyPair,
  ListedVersion,
  SideEvidence,
  SourceLookup,
  Unverified,
} from './types';

export interface ClassifyOptions {
  /** Differences whose source change is younger than this are pending, not faults. @default 900 */
  readonly lagWindowSeconds: number;
  /** Whether delete markers are replicated (the library's default is not to). @default false */
  readonly deleteMarkerReplication: boolean;
  /** Whether the replica keeps the source's version ids (S3 CRR does). @default true */
  readonly versionIdsPreserved: boolean;
  /**
   * Whether equal-size objects with different ETags are checked with HeadObject. When false,
   * two plain (non-multipart) ETags are assumed to be MD5s, that is no SSE-KMS on either side.
   * @default true
   */
  readonly headCheck: boolean;
  /** The reference time for ages (epoch ms): the audit's start, kept across resumes. */
  readonly now: number;
}

/** The lag window the audit contract defaults to. */
export const DEFAULT_LAG_WINDOW_SECONDS = DEFAULTS.lagWindowSeconds;

/** How a matched pair was proven equal. */
export type MatchedBy = 'checksum' | 'etag' | 'size-only' | 'deleted';

export type Outcome =
  | { readonly type: 'matched'; readonly by: MatchedBy; readonly unverified?: Unverified }
  | { readonly type: 'delete-not-replicated' }
  | { readonly type: 'discrepancy'; readonly discrepancy: Discrepancy; readonly lagSeconds?: number };

/** Extra facts the runner fetched because `needs` asked for them. */
export interface Enrichment {
  readonly sourceHead?: HeadInfo;
  readonly replicaHead?: HeadInfo;
  /** Set (possibly to undefined: no such key) when `needs(...).sourceLookup` was true. */
  readonly sourceLookup?: SourceLookup;
  readonly sourceLookedUp?: boolean;
}

/** What the runner must fetch before `classify` can decide a pair. */
export function needs(pair: KeyPair, opts: ClassifyOptions): { heads: boolean; sourceLookup: boolean } {
  const s = pair.source?.latest;
  const r = pair.replica?.latest;
  const heads =
    opts.headCheck &&
    s !== undefined &&
    r !== undefined &&
    !s.isDeleteMarker &&
    !r.isDeleteMarker &&
    s.size === r.size &&
    normEtag(s.etag) !== normEtag(r.etag);
  // In current mode a key missing from the source listing may be hidden by a delete marker.
  const sourceLookup = s === undefined && r !== undefined && !r.isDeleteMarker && r.versionId === undefined;
  return { heads, sourceLookup };
}

/** The ETag of a multipart upload ends with -<parts>: it is not an MD5 of the content. */
export function isMultipartEtag(etag: string | undefined): boolean {
  return etag !== undefined && /-\d+$/.test(normEtag(etag)!);
}

/** SSE-KMS (and SSE-C) ETags are not MD5s of the content. */
export function isOpaqueSse(sse: string | undefined): boolean {
  return sse !== undefined && (sse.startsWith('aws:kms') || sse === 'SSE-C');
}

export function normEtag(etag: string | undefined): string | undefined {
  return etag === undefined ? undefined : etag.replace(/^"|"$/g, '');
}

/**
 * Classifies one key. Precedence for two present objects: size-mismatch, content-mismatch,
 * version-mismatch. A difference whose source change is younger than the lag window is pending.
 */
export function classify(pair: KeyPair, opts: ClassifyOptions, extra: Enrichment = {}): Outcome {
  let s: ListedVersion | undefined = pair.source?.latest;
  const r = pair.replica?.latest;
  if (s === undefined && extra.sourceLookedUp) s = extra.sourceLookup;
  const sPresent = s !== undefined && !s.isDeleteMarker;
  const rPresent = r !== undefined && !r.isDeleteMarker;

  if (!sPresent && !rPresent) {
    if (r !== undefined && s === undefined) {
      return fault(
        pair.key,
        'delete-marker-mismatch',
        s,
        r,
        opts,
        'the replica has a delete marker for a key the source does not have',
      );
    }
    return { type: 'matched', by: 'deleted' };
  }
  if (!rPresent) {
    // s is present.
    if (r === undefined) return fault(pair.key, 'missing', s, r, opts, 'the object is not in the replica', extra);
    return fault(
      pair.key,
      'delete-marker-mismatch',
      s,
      r,
      opts,
      'the replica has a delete marker where the source has an object',
      extra,
    );
  }
  if (!sPresent) {
    if (s === undefined) return fault(pair.key, 'extra', s, r, opts, 'the object is in the replica only');
    // The source's latest version is a delete marker and the replica still has the object.
    if (!opts.deleteMarkerReplication) return { type: 'delete-not-replicated' };
    return fault(
      pair.key,
      'delete-marker-mismatch',
      s,
      r,
      opts,
      'the source deleted the object (delete marker) but the replica still has it',
    );
  }
  // Both present.
  const sv = s!;
  const rv = r!;
  if (sv.size !== rv.size) {
    return fault(
      pair.key,
      'size-mismatch',
      sv,
      rv,
      opts,
      `sizes differ: source ${sv.size} bytes, replica ${rv.size} bytes`,
      extra,
    );
  }
  const versionDiffers =
    opts.versionIdsPreserved &&
    sv.versionId !== undefined &&
    rv.versionId !== undefined &&
    sv.versionId !== rv.versionId;
  const versionFault = (by: MatchedBy): Outcome =>
    versionDiffers
      ? fault(
          pair.key,
          'version-mismatch',
          sv,
          rv,
          opts,
          `same content, latest version ids differ: source ${sv.versionId}, replica ${rv.versionId}`,
          extra,
        )
      : { type: 'matched', by };
  const se = normEtag(sv.etag);
  const re = normEtag(rv.etag);
  if (se !== undefined && se === re) return versionFault('etag');

  const sh = extra.sourceHead;
  const rh = extra.replicaHead;
  if (sh && rh) {
    for (const algo of Object.keys(sh.checksums).sort()) {
      const a = sh.checksums[algo];
      const b = rh.checksums[algo];
      if (b === undefined) continue;
      if (a === b) return versionFault('checksum');
      return fault(pair.key, 'content-mismatch', sv, rv, opts, `same size, ${algo} checksums differ`, extra);
    }
  }
  const plain = se !== undefined && re !== undefined && !isMultipartEtag(se) && !isMultipartEtag(re);
  const opaque = isOpaqueSse(sh?.sse) || isOpaqueSse(rh?.sse);
  const headKnown = (sh !== undefined && rh !== undefined) || !opts.headCheck;
  if (plain && !opaque && headKnown) {
    return fault(pair.key, 'content-mismatch', sv, rv, opts, 'same size, MD5 ETags differ', extra);
  }
  const why = !plain ? 'multipart ETag' : opaque ? 'SSE-KMS or SSE-C ETag' : 'no HeadObject data';
  if (versionDiffers) return versionFault('size-only');
  return {
    type: 'matched',
    by: 'size-only',
    unverified: {
      key: pair.key,
      kind: 'unverified',
      source: evidence(sv, sh),
      replica: evidence(rv, rh),
      detail: `same size; ETags differ but are not comparable (${why}) and no common checksum: content not verified`,
    },
  };
}

function fault(
  key: string,
  kind: Exclude<DiscrepancyKind, 'pending'>,
  s: ListedVersion | undefined,
  r: ListedVersion | undefined,
  opts: ClassifyOptions,
  detail: string,
  extra: Enrichment = {},
): Outcome {
  const source = s && evidence(s, extra.sourceHead);
  const replica = r && evidence(r, extra.replicaHead);
  // A source change not (yet) on the replica: the source is newer than what the replica has.
  const sourceChange = s !== undefined && kind !== 'extra' && (r === undefined || s.lastModified >= r.lastModified);
  const ageSeconds = sourceChange ? Math.max(0, Math.floor((opts.now - s!.lastModified) / 1000)) : undefined;
  if (ageSeconds !== undefined && ageSeconds < opts.lagWindowSeconds) {
    return {
      type: 'discrepancy',
      lagSeconds: ageSeconds,
      discrepancy: {
        key,
        kind: 'pending',
        pendingKind: kind,
        ageSeconds,
        source,
        replica,
        detail: `${detail}; the source change is ${ageSeconds} s old, within the ${opts.lagWindowSeconds} s lag window`,
      },
    };
  }
  return { type: 'discrepancy', lagSeconds: ageSeconds, discrepancy: { key, kind, source, replica, detail } };
}

export function evidence(v: ListedVersion, head?: HeadInfo): SideEvidence {
  const algo = head && Object.keys(head.checksums).sort()[0];
  return {
    size: v.size,
    etag: normEtag(v.etag),
    checksum: algo ? `${algo}:${head!.checksums[algo]}` : undefined,
    versionId: v.versionId,
    lastModified: new Date(v.lastModified).toISOString(),
    isDeleteMarker: v.isDeleteMarker,
    sse: head?.sse,
  };
}
