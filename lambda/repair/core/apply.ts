/**
 * The pure rules of carrying out a repair plan: what the written side must still hold before a
 * write (a stale audit or a concurrent writer must not be overwritten), what a copy carries over
 * (content type, user metadata, tags, checksums), the journal that makes a run resumable, and
 * the outcome's exit code. No I/O, no AWS SDK.
 */
import { SideEvidence } from '../../audit/core/types';
import { RepairAction, RepairActionKind, RepairPlan, RepairTarget } from './plan';

/** A write the plan asks for. */
export type WriteAction = Extract<RepairAction, { kind: 'copy' | 'delete' }>;

export const isWrite = (a: RepairAction): a is WriteAction => a.kind === 'copy' || a.kind === 'delete';

/** What a HEAD of the written side's current version showed just before the write. */
export interface CurrentState {
  /** False for no object (404) or a delete marker as the current version. */
  readonly exists: boolean;
  /** True when the current version is a delete marker (the HEAD's 404 said so). */
  readonly deleteMarker?: boolean;
  readonly size?: number;
  /** Without quotes. */
  readonly etag?: string;
  /** 'ALGORITHM:value' when the HEAD returned a flexible checksum. */
  readonly checksum?: string;
}

/**
 * The precondition a copy's write carries, from the HEAD just before it. Where that HEAD found
 * no object at all, `If-None-Match: *`: a write that lands between the HEAD and this one (the
 * last write of a killed run still carried out by the server, replication, a third party) makes
 * this one fail with 412 instead of adding a second version. None where the HEAD found an
 * object or a delete marker: a copy that replaces keeps to the HEAD's check.
 */
export function writeCondition(action: WriteAction, now: CurrentState): { IfNoneMatch?: '*' } {
  return action.kind === 'copy' && !now.exists && !now.deleteMarker ? { IfNoneMatch: '*' } : {};
}

/** write: the written side is as the audit saw it; already-done: it holds the result; changed: neither. */
export type Recheck = 'write' | 'already-done' | 'changed';

export const unquote = (etag: string | undefined): string | undefined => etag?.replace(/^"|"$/g, '');

function algorithm(checksum: string | undefined): string | undefined {
  return checksum?.split(':')[0];
}

/** Same bytes: a checksum of one algorithm on both, else size and ETag. */
export function sameObject(a: CurrentState | SideEvidence, b: CurrentState | SideEvidence): boolean {
  if (a.size !== b.size) return false;
  if (a.checksum && b.checksum && algorithm(a.checksum) === algorithm(b.checksum)) return a.checksum === b.checksum;
  return a.etag !== undefined && unquote(a.etag) === unquote(b.etag);
}

/**
 * Whether a planned write may go ahead, given the written side's current version now. A copy
 * goes ahead only onto what the audit saw there (nothing, or the version it replaces); a delete
 * only of the version the audit saw. A written side that already holds the copied object (or no
 * longer holds the deleted one) is done: an interrupted run's last write, or a third party's.
 */
export function recheck(action: WriteAction, now: CurrentState): Recheck {
  if (action.kind === 'copy') {
    if (now.exists && sameObject(now, action.from)) return 'already-done';
    if (action.replaces) return now.exists && sameObject(now, action.replaces) ? 'write' : 'changed';
    return now.exists ? 'changed' : 'write';
  }
  if (!now.exists) return 'already-done';
  return sameObject(now, action.current) ? 'write' : 'changed';
}

/** The HTTP headers of a HEAD or GET answer, as the SDK returns them (the fields a copy keeps). */
export interface ObjectHeaders {
  readonly ContentType?: string;
  readonly CacheControl?: string;
  readonly ContentDisposition?: string;
  readonly ContentEncoding?: string;
  readonly ContentLanguage?: string;
  readonly Metadata?: Record<string, string>;
  readonly ChecksumCRC32?: string;
  readonly ChecksumCRC32C?: string;
  readonly ChecksumCRC64NVME?: string;
  readonly ChecksumSHA1?: string;
  readonly ChecksumSHA256?: string;
}

export type ChecksumAlgorithmName = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';
const ALGORITHMS: readonly ChecksumAlgorithmName[] = ['CRC64NVME', 'CRC32', 'CRC32C', 'SHA1', 'SHA256'];

/** The object's full-object checksum, when the answer carried one ('SHA256' and its value). */
export function checksumOf(h: ObjectHeaders): { algorithm: ChecksumAlgorithmName; value: string } | undefined {
  for (const algorithm of ALGORITHMS) {
    const value = h[`Checksum${algorithm}`];
    // A multipart object's checksum of checksums ends in -N: it cannot be sent with a single PUT.
    if (value && !/-\d+$/.test(value)) return { algorithm, value };
  }
  return undefined;
}

/** Tags as the x-amz-tagging header (URL query encoding); undefined for none. */
export function taggingHeader(tags: readonly { Key?: string; Value?: string }[] | undefined): string | undefined {
  if (!tags || tags.length === 0) return undefined;
  return tags.map((t) => `${encodeURIComponent(t.Key ?? '')}=${encodeURIComponent(t.Value ?? '')}`).join('&');
}

/**
 * What a streamed copy (GET from one side, PUT to the other) sends besides the body: the
 * object's content headers, user metadata, tags and its checksum (S3 verifies and stores it).
 */
export function putFieldsFrom(h: ObjectHeaders, tags?: readonly { Key?: string; Value?: string }[]) {
  const checksum = checksumOf(h);
  return {
    ContentType: h.ContentType,
    CacheControl: h.CacheControl,
    ContentDisposition: h.ContentDisposition,
    ContentEncoding: h.ContentEncoding,
    ContentLanguage: h.ContentLanguage,
    Metadata: h.Metadata,
    Tagging: taggingHeader(tags),
    ...(checksum ? { [`Checksum${checksum.algorithm}`]: checksum.value } : {}),
  };
}

/** CopyObject's copy source: `bucket/key`, the key URL-encoded, pinned to a version when known. */
export function copySource(bucket: string, key: string, versionId?: string): string {
  return `${bucket}/${encodeURIComponent(key)}${versionId !== undefined ? `?versionId=${encodeURIComponent(versionId)}` : ''}`;
}

// ---- journal -------------------------------------------------------------------------------

/** What a journal belongs to: the pair, the direction and whether deletes were asked for. */
export interface JournalHeader {
  readonly journal: 1;
  readonly source: string;
  readonly replica: string;
  readonly to: RepairTarget;
  readonly delete: boolean;
  readonly startedAt: string;
}

/** One finished write (or one found already done), appended once it is certain. */
export interface JournalEntry {
  readonly id: string;
  readonly outcome: WriteOutcome;
  readonly at: string;
}

/**
 * A write about to be sent, appended before the request leaves. A journal that has it without
 * an outcome was killed with that write in flight: the server may still carry it out after the
 * run died, so the run that resumes checks it last and no sooner than IN_DOUBT_SETTLE_MS after
 * it was sent.
 */
export interface JournalSent {
  readonly id: string;
  readonly sent: string;
}

/** How long a write in flight when its run was killed is left to land before it is checked again. */
export const IN_DOUBT_SETTLE_MS = 10_000;

/** One write's identity: the key, the kind and the version it copies or deletes. */
export function actionId(a: WriteAction): string {
  const e = a.kind === 'copy' ? a.from : a.current;
  return JSON.stringify([a.kind, a.key, e.versionId ?? null, unquote(e.etag) ?? null, e.size]);
}

/**
 * The journal's finished writes, by action id, and the writes it sent without an outcome (in
 * doubt), with the time each was sent. Throws with the reason when it belongs to another repair.
 */
export function readJournal(
  text: string,
  expect: Omit<JournalHeader, 'journal' | 'startedAt'>,
): { header: JournalHeader; done: Map<string, JournalEntry>; inDoubt: Map<string, string> } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  let header: JournalHeader;
  try {
    header = JSON.parse(lines[0] ?? '') as JournalHeader;
  } catch {
    throw new Error('its first line is not a journal header');
  }
  if (header?.journal !== 1) throw new Error('it is not a repair journal (no header with journal 1)');
  for (const k of ['source', 'replica', 'to', 'delete'] as const) {
    if (header[k] !== expect[k]) {
      throw new Error(
        `it belongs to another repair (${k} ${JSON.stringify(header[k])}, this run: ${JSON.stringify(expect[k])})`,
      );
    }
  }
  const done = new Map<string, JournalEntry>();
  const sent = new Map<string, string>();
  for (const line of lines.slice(1)) {
    let entry: Partial<JournalEntry & JournalSent>;
    try {
      entry = JSON.parse(line) as Partial<JournalEntry & JournalSent>;
    } catch {
      continue; // a line cut short by a kill: its write is checked again (recheck finds it done)
    }
    if (typeof entry?.id !== 'string') continue;
    if (typeof entry.outcome === 'string') done.set(entry.id, entry as JournalEntry);
    else if (typeof entry.sent === 'string') sent.set(entry.id, entry.sent);
  }
  const inDoubt = new Map([...sent].filter(([id]) => !done.has(id)));
  return { header, done, inDoubt };
}

// ---- outcome -------------------------------------------------------------------------------

/** What happened to one planned write. */
export type WriteOutcome = 'copied' | 'deleted' | 'already-done' | 'changed' | 'too-large';

export interface RepairCounts {
  readonly planned: Readonly<Record<RepairActionKind, number>>;
  /** Writes made by this run (one CopyObject, PutObject or DeleteObject each). */
  readonly copied: number;
  readonly deleted: number;
  /** Found done: by the interrupted run this one resumed (journal) or on the written side itself. */
  readonly alreadyDone: number;
  /** Skipped: an object changed since the audit (on either side); audit again. */
  readonly changed: number;
  /** Skipped: larger than one copy request can carry. */
  readonly tooLarge: number;
  /** Planned writes not attempted (dry run, or a run stopped by its time budget). */
  readonly notAttempted: number;
}

/** Differences a run leaves behind: conflicts, kept keys, pending ones, and writes skipped or not attempted. */
export function remaining(c: RepairCounts): number {
  return c.planned.conflict + c.planned.kept + c.planned.pending + c.changed + c.tooLarge + c.notAttempted;
}

/**
 * The exit code of a finished run (failures to complete are errors, not codes): a dry run exits
 * 1 when it would write, 0 when it would not; an applied run 0 when no difference remains, 1 when
 * some do (conflicts, kept keys, pending or skipped writes).
 */
export function repairExitCode(plan: RepairPlan, counts: RepairCounts, dryRun: boolean): 0 | 1 {
  if (dryRun) return plan.counts.copy + plan.counts.delete > 0 ? 1 : 0;
  return remaining(counts) > 0 ? 1 : 0;
}

/** Largest object one CopyObject or PutObject may carry (5 GiB). */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;
