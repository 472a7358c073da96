import { MatchedBy, Outcome } from './classify';
import { AuditMode, KeyPair } from './types';

export interface SideTotals {
  /** Keys listed (in versions mode including keys whose latest version is a delete marker). */
  keys: number;
  /** Keys whose latest version is an object. */
  objects: number;
  /** Bytes of those latest versions. */
  bytes: number;
  /** Versions and delete markers listed (equals keys in current mode). */
  versions: number;
}

export interface Counts {
  matched: number;
  missing: number;
  extra: number;
  sizeMismatch: number;
  contentMismatch: number;
  versionMismatch: number;
  deleteMarkerMismatch: number;
  pending: number;
}

export interface AuditSummary {
  mode: AuditMode;
  /** Reference time for ages (ISO 8601): the start of the first part of the run. */
  startedAt: string;
  lagWindowSeconds: number;
  deleteMarkerReplication: boolean;
  versionIdsPreserved: boolean;
  headCheck: boolean;
  /** Keys seen on either side. */
  keys: number;
  counts: Counts;
  /** Discrepancies, pending excluded. */
  discrepancies: number;
  /** Source deletes (latest version a delete marker) still present in the replica, expected without delete marker replication. */
  deletesNotReplicated: number;
  /** How matched objects were proven equal. bySizeOnly objects are listed as unverified. */
  comparison: { byChecksum: number; byEtag: number; bySizeOnly: number };
  source: SideTotals;
  replica: SideTotals;
  requests: number;
  retries: number;
  /** Sum of the running time of every part. */
  durationMs: number;
  /** Age of the oldest source change not yet on the replica: a lower bound of the current RPO. */
  maxObservedLagSeconds: number;
}

const KIND_COUNT = {
  missing: 'missing',
  extra: 'extra',
  'size-mismatch': 'sizeMismatch',
  'content-mismatch': 'contentMismatch',
  'version-mismatch': 'versionMismatch',
  'delete-marker-mismatch': 'deleteMarkerMismatch',
  pending: 'pending',
} as const;

export interface SummaryOptions {
  mode: AuditMode;
  now: number;
  lagWindowSeconds: number;
  deleteMarkerReplication: boolean;
  versionIdsPreserved: boolean;
  headCheck: boolean;
}

export function emptySummary(o: SummaryOptions): AuditSummary {
  const side = (): SideTotals => ({ keys: 0, objects: 0, bytes: 0, versions: 0 });
  return {
    mode: o.mode,
    startedAt: new Date(o.now).toISOString(),
    lagWindowSeconds: o.lagWindowSeconds,
    deleteMarkerReplication: o.deleteMarkerReplication,
    versionIdsPreserved: o.versionIdsPreserved,
    headCheck: o.headCheck,
    keys: 0,
    counts: {
      matched: 0,
      missing: 0,
      extra: 0,
      sizeMismatch: 0,
      contentMismatch: 0,
      versionMismatch: 0,
      deleteMarkerMismatch: 0,
      pending: 0,
    },
    discrepancies: 0,
    deletesNotReplicated: 0,
    comparison: { byChecksum: 0, byEtag: 0, bySizeOnly: 0 },
    source: side(),
    replica: side(),
    requests: 0,
    retries: 0,
    durationMs: 0,
    maxObservedLagSeconds: 0,
  };
}

/** Adds one classified key to a summary (mutates it). */
export function addToSummary(sum: AuditSummary, pair: KeyPair, outcome: Outcome): void {
  sum.keys++;
  for (const [side, listed] of [
    [sum.source, pair.source],
    [sum.replica, pair.replica],
  ] as const) {
    if (!listed) continue;
    side.keys++;
    side.versions += listed.versionCount;
    if (!listed.latest.isDeleteMarker) {
      side.objects++;
      side.bytes += listed.latest.size;
    }
  }
  switch (outcome.type) {
    case 'matched':
      sum.counts.matched++;
      countMatch(sum, outcome.by);
      break;
    case 'delete-not-replicated':
      sum.deletesNotReplicated++;
      break;
    case 'discrepancy': {
      const d = outcome.discrepancy;
      sum.counts[KIND_COUNT[d.kind]]++;
      if (d.kind !== 'pending') sum.discrepancies++;
      if (outcome.lagSeconds !== undefined) {
        sum.maxObservedLagSeconds = Math.max(sum.maxObservedLagSeconds, outcome.lagSeconds);
      }
      break;
    }
  }
}

function countMatch(sum: AuditSummary, by: MatchedBy): void {
  if (by === 'checksum') sum.comparison.byChecksum++;
  else if (by === 'etag') sum.comparison.byEtag++;
  else if (by === 'size-only') sum.comparison.bySizeOnly++;
}

/** Adds summaries of disjoint ranges (or successive parts) into one. */
export function mergeSummaries(parts: readonly AuditSummary[]): AuditSummary {
  if (parts.length === 0) throw new Error('mergeSummaries needs at least one summary');
  const out = structuredClone(parts[0]);
  for (const p of parts.slice(1)) {
    if (p.mode !== out.mode || p.lagWindowSeconds !== out.lagWindowSeconds) {
      throw new Error(`cannot merge summaries of different audits (mode ${p.mode} vs ${out.mode})`);
    }
    if (p.startedAt < out.startedAt) out.startedAt = p.startedAt;
    out.keys += p.keys;
    for (const k of Object.keys(out.counts) as (keyof Counts)[]) out.counts[k] += p.counts[k];
    out.discrepancies += p.discrepancies;
    out.deletesNotReplicated += p.deletesNotReplicated;
    out.comparison.byChecksum += p.comparison.byChecksum;
    out.comparison.byEtag += p.comparison.byEtag;
    out.comparison.bySizeOnly += p.comparison.bySizeOnly;
    for (const side of ['source', 'replica'] as const) {
      for (const k of Object.keys(out[side]) as (keyof SideTotals)[]) out[side][k] += p[side][k];
    }
    out.requests += p.requests;
    out.retries += p.retries;
    out.durationMs += p.durationMs;
    out.maxObservedLagSeconds = Math.max(out.maxObservedLagSeconds, p.maxObservedLagSeconds);
  }
  return out;
}

/** One sentence on what was compared, for reports and the CLI. */
export function describeComparison(sum: AuditSummary): string {
  const c = sum.comparison;
  const parts = [
    `${c.byEtag} by size and ETag`,
    `${c.byChecksum} by size and checksum (HeadObject)`,
    `${c.bySizeOnly} by size only (ETags not comparable: multipart or SSE-KMS, and no common checksum; listed as unverified)`,
  ];
  const versions = sum.versionIdsPreserved ? 'latest version ids compared' : 'version ids not compared';
  return `matched objects: ${parts.join(', ')}; ${versions}; ${sum.mode === 'versions' ? 'all versions listed' : 'current versions listed'}`;
}
