import { AuditSummary } from './summary';

/** current: the latest version of each key (ListObjectsV2); versions: ListObjectVersions. */
export type { AuditMode } from '../contract';

/** One listed object version or delete marker. Keys are relative to the side's prefix. */
export interface ListedVersion {
  readonly key: string;
  /** Absent in current mode (ListObjectsV2 returns no version ids); 'null' for unversioned objects. */
  readonly versionId?: string;
  readonly isDeleteMarker: boolean;
  /** True for the key's current version (ListObjectVersions IsLatest); always true in current mode. */
  readonly isLatest: boolean;
  /** Bytes; 0 for delete markers. */
  readonly size: number;
  /** ETag without quotes; absent for delete markers. */
  readonly etag?: string;
  /** Epoch milliseconds. */
  readonly lastModified: number;
}

/** One key of one side: its latest version (or delete marker) and how many versions were listed. */
export interface ListedKey {
  readonly key: string;
  readonly latest: ListedVersion;
  /** Versions and delete markers listed for the key (1 in current mode). */
  readonly versionCount: number;
}

/** A key present on at least one side. */
export interface KeyPair {
  readonly key: string;
  readonly source?: ListedKey;
  readonly replica?: ListedKey;
}

/** What HeadObject (ChecksumMode ENABLED) tells about an object beyond the listing. */
export interface HeadInfo {
  readonly etag?: string;
  /** x-amz-server-side-encryption: 'AES256', 'aws:kms', 'aws:kms:dsse'; 'SSE-C' when customer keys are used. */
  readonly sse?: string;
  /** Flexible checksums by algorithm (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), as returned. */
  readonly checksums: Readonly<Record<string, string>>;
}

/**
 * The source's latest version looked up for a key listed only on the replica in current mode
 * (ListObjectsV2 hides keys whose latest version is a delete marker).
 */
export type SourceLookup = ListedVersion | undefined;

/** A key range in S3 byte order: exclusive start, inclusive end; both relative to the prefix. */
export interface KeyRange {
  readonly startAfter?: string;
  readonly endAt?: string;
}

export type DiscrepancyKind =
  | 'missing'
  | 'extra'
  | 'size-mismatch'
  | 'content-mismatch'
  | 'version-mismatch'
  | 'delete-marker-mismatch'
  | 'pending';

/** What one side had for a key, as evidence. */
export interface SideEvidence {
  readonly size: number;
  readonly etag?: string;
  /** 'ALGORITHM:value' when HeadObject returned a checksum. */
  readonly checksum?: string;
  readonly versionId?: string;
  /** ISO 8601. */
  readonly lastModified: string;
  readonly isDeleteMarker: boolean;
  readonly sse?: string;
}

export interface Discrepancy {
  readonly key: string;
  readonly kind: DiscrepancyKind;
  /** For pending: the kind the difference would be once the lag window has passed. */
  readonly pendingKind?: Exclude<DiscrepancyKind, 'pending'>;
  /** For pending: seconds since the source change, at the audit's reference time. */
  readonly ageSeconds?: number;
  readonly source?: SideEvidence;
  readonly replica?: SideEvidence;
  /** One sentence: what differs. */
  readonly detail: string;
}

/** An object matched by size only: neither checksums nor ETags could prove its content. */
export interface Unverified {
  readonly key: string;
  readonly kind: 'unverified';
  readonly source: SideEvidence;
  readonly replica: SideEvidence;
  readonly detail: string;
}

export type AuditRecord = Discrepancy | Unverified;

/** Resume state of one range: small and JSON-serialisable (no discrepancy lists). */
export interface AuditCheckpoint {
  readonly version: 1;
  readonly range: KeyRange;
  /** The last key fully classified (relative); resuming lists both sides after it. */
  readonly lastKey?: string;
  readonly summarySoFar: AuditSummary;
  /** Identifies the audited pair and options; a checkpoint of another audit is refused. */
  readonly fingerprint: string;
  /** How many invocations produced this checkpoint (1 after the first). */
  readonly part: number;
  /** Free-form state of the caller (for example the run id or the JSON Lines file). */
  readonly extra?: Readonly<Record<string, string | number>>;
}
