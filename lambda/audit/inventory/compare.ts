/**
 * Compares the inventories of the source and the replica as a listing audit compares their
 * listings: each side's rows are reduced to the audited prefix and range, put in S3 key order by
 * an external merge sort (./order.ts), and fed to the audit's own engine (../core/engine.ts:
 * mergeListings, groupVersions or currentKeys, classify, the summary), so the records are the
 * ones a listing audit without HeadObject lookups gives for the same objects.
 *
 * An inventory is a snapshot taken at its creationTimestamp, and the two sides' snapshots are
 * not taken at the same moment: every key with a record is therefore handed to `recheck`, in key
 * order, for the caller to read live (list or HEAD both sides) before it reports anything. Keys
 * without a record matched in both snapshots.
 */
import { auditListings, EngineOptions } from '../core/engine';
import { currentKeys, groupVersions, inBatches } from '../core/merge';
import { keyInRange } from '../core/ranges';
import { AuditSummary, Counts, SideTotals } from '../core/summary';
import { AuditMode, AuditRecord, KeyRange, ListedVersion } from '../core/types';
import { CANARY_PREFIX } from '../../shared/reserved';
import { InventoryVersion } from './csv';
import { InventoryFormatError, InventoryManifest } from './manifest';
import { SortedInventory, sortInventory, SortOptions, SortStats } from './order';

export interface InventorySide {
  /** The side's inventory rows in any order (readInventory over its manifest). */
  readonly rows: AsyncIterable<InventoryVersion>;
  /** Its manifest: versions mode needs an all-versions report. */
  readonly manifest: Pick<InventoryManifest, 'sourceBucket' | 'allVersions' | 'creationTimestamp'>;
  /** The audited prefix: rows outside it are skipped, the others made relative to it. @default '' */
  readonly prefix?: string;
}

export interface InventoryCompareOptions extends Omit<EngineOptions, 'lookahead'> {
  /** Where the sort spills (a private subfolder, removed afterwards), run size and fan-in. */
  readonly sort: SortOptions;
}

export interface InventoryCompareDeps {
  readonly source: InventorySide;
  readonly replica: InventorySide;
  /** Every discrepancy and unverified object, in key order, as the listing audit's sink receives them. */
  readonly sink: (record: AuditRecord) => void | Promise<void>;
  /** Every key that differs between the snapshots (the key of each record), to be read again live. */
  readonly recheck?: (key: string, record: AuditRecord) => void | Promise<void>;
}

export interface InventoryCompareResult {
  readonly summary: AuditSummary;
  /** Keys handed to `recheck`. */
  readonly recheckKeys: number;
  /**
   * The summary of the keys that were not handed to `recheck` (they matched in both snapshots):
   * `summary` minus what the rechecked keys added to it. Add the live summaries of the rechecked
   * keys to it (`mergeSummaries`) for the run's summary. Its `maxObservedLagSeconds` is 0: a lag
   * is only observed on a key with a record.
   */
  readonly unchanged: AuditSummary;
  readonly sort: { readonly source: SortStats; readonly replica: SortStats };
}

/**
 * The reference time for ages when comparing two snapshots: the older snapshot's start, so a
 * source change younger than the lag window at that moment is pending, not a fault.
 */
export function inventoryReferenceTime(
  source: { creationTimestamp: number },
  replica: { creationTimestamp: number },
): number {
  return Math.min(source.creationTimestamp, replica.creationTimestamp);
}

/**
 * The rows of one side as the listing of `mode` would show them: within the prefix (made
 * relative) and the range, canary objects skipped; in current mode only each key's latest
 * version when it is an object, without a version id (as ListObjectsV2 lists it).
 */
export async function* asListing(
  rows: AsyncIterable<InventoryVersion>,
  mode: AuditMode,
  prefix: string,
  range: KeyRange,
): AsyncGenerator<InventoryVersion> {
  for await (const r of rows) {
    if (!r.key.startsWith(prefix) || r.key.startsWith(CANARY_PREFIX)) continue;
    if (mode === 'current' && (!r.isLatest || r.isDeleteMarker)) continue;
    const key = r.key.slice(prefix.length);
    if (!keyInRange(key, range)) continue;
    yield mode === 'current' ? { ...r, key, versionId: undefined } : { ...r, key };
  }
}

/** Current mode: one row per key (a report listing a key twice keeps the newest row, which sorts first). */
async function* firstPerKey(rows: AsyncIterable<InventoryVersion>): AsyncGenerator<ListedVersion> {
  let prev: string | undefined;
  for await (const r of rows) {
    if (r.key === prev) continue;
    prev = r.key;
    yield r;
  }
}

/** Compares two inventories; see the module comment. Not resumable: one call covers `range`. */
export async function compareInventories(
  opts: InventoryCompareOptions,
  deps: InventoryCompareDeps,
): Promise<InventoryCompareResult> {
  for (const [name, side] of [
    ['source', deps.source],
    ['replica', deps.replica],
  ] as const) {
    if (opts.mode === 'versions' && !side.manifest.allVersions) {
      throw new InventoryFormatError(
        `the ${name} inventory (bucket ${side.manifest.sourceBucket}) lists current versions only, but the audit mode is versions: configure the inventory with IncludedObjectVersions All, or audit in current mode`,
      );
    }
  }
  // One side at a time, so that only one batch of rows is in memory.
  const sorted: SortedInventory[] = [];
  try {
    for (const side of [deps.source, deps.replica]) {
      sorted.push(await sortInventory(asListing(side.rows, opts.mode, side.prefix ?? '', opts.range), opts.sort));
    }
    const [s, r] = sorted;
    const listing = (x: SortedInventory, name: string) =>
      opts.mode === 'versions'
        ? groupVersions(inBatches(x.rows()), name)
        : currentKeys(inBatches(firstPerKey(x.rows())), name);
    let recheckKeys = 0;
    let pendingDelta = false;
    // The engine calls the sink before it adds the key to its running summary, and onKey after:
    // the difference is what a rechecked key added, kept aside to leave the unchanged keys' summary.
    let working: AuditSummary | undefined;
    let before: AuditSummary | undefined;
    let rechecked: AuditSummary | undefined;
    const result = await auditListings(
      { ...opts, lookahead: 1 },
      {
        source: listing(s, 'source inventory'),
        replica: listing(r, 'replica inventory'),
        sink: async (record) => {
          await deps.sink(record);
          recheckKeys++;
          before = working ? structuredClone(working) : undefined;
          pendingDelta = true;
          await deps.recheck?.(record.key, record);
        },
        onKey: (sum) => {
          working = sum;
          if (!pendingDelta) return;
          pendingDelta = false;
          const delta = before ? subtractSummary(sum, before) : structuredClone(sum);
          rechecked = rechecked ? addSummary(rechecked, delta) : delta;
        },
      },
    );
    const unchanged = rechecked ? subtractSummary(result.summary, rechecked) : structuredClone(result.summary);
    unchanged.requests = result.summary.requests;
    unchanged.retries = result.summary.retries;
    unchanged.durationMs = result.summary.durationMs;
    unchanged.maxObservedLagSeconds = 0;
    return { summary: result.summary, recheckKeys, unchanged, sort: { source: s.stats, replica: r.stats } };
  } finally {
    await Promise.allSettled(sorted.map((x) => x.dispose()));
  }
}

type Sign = 1 | -1;

/** a + sign * b over the counters of two summaries of one audit (the other fields from a). */
function combine(a: AuditSummary, b: AuditSummary, sign: Sign): AuditSummary {
  const out = structuredClone(a);
  out.keys += sign * b.keys;
  for (const k of Object.keys(out.counts) as (keyof Counts)[]) out.counts[k] += sign * b.counts[k];
  out.discrepancies += sign * b.discrepancies;
  out.deletesNotReplicated += sign * b.deletesNotReplicated;
  out.comparison.byChecksum += sign * b.comparison.byChecksum;
  out.comparison.byEtag += sign * b.comparison.byEtag;
  out.comparison.bySizeOnly += sign * b.comparison.bySizeOnly;
  for (const side of ['source', 'replica'] as const) {
    for (const k of Object.keys(out[side]) as (keyof SideTotals)[]) out[side][k] += sign * b[side][k];
  }
  return out;
}

const subtractSummary = (a: AuditSummary, b: AuditSummary) => combine(a, b, -1);
const addSummary = (a: AuditSummary, b: AuditSummary) => combine(a, b, 1);
