import { compareKeys } from './key-order';
import { AuditRecord, KeyRange } from './types';
import { AuditSummary, mergeSummaries } from './summary';

/** True when `key` lies in `range` (exclusive start, inclusive end, S3 byte order). */
export function keyInRange(key: string, range: KeyRange): boolean {
  if (range.startAfter !== undefined && compareKeys(key, range.startAfter) <= 0) return false;
  if (range.endAt !== undefined && compareKeys(key, range.endAt) > 0) return false;
  return true;
}

/** True when `key` is past the end of `range`: listing can stop. */
export function pastRangeEnd(key: string, range: KeyRange): boolean {
  return range.endAt !== undefined && compareKeys(key, range.endAt) > 0;
}

export interface PlanRangesInput {
  /** How many ranges to aim for (the result may have fewer when there are too few distinct keys). */
  readonly count?: number;
  /** A sample of keys (any order, duplicates allowed): boundaries are taken at its quantiles. */
  readonly sampleKeys?: Iterable<string>;
  /** Explicit boundary keys: each ends one range (inclusive) and starts the next (exclusive). */
  readonly boundaries?: Iterable<string>;
  /** Restrict the plan to this range. */
  readonly within?: KeyRange;
}

/**
 * Splits a key space into contiguous, disjoint ranges that together cover it (the first has no
 * start and the last no end, unless `within` bounds them), for a Distributed Map to audit in
 * parallel. Give either boundary keys or a key sample plus a count.
 */
export function planRanges(input: PlanRangesInput): KeyRange[] {
  const within = input.within ?? {};
  let bounds: string[];
  if (input.boundaries !== undefined) {
    bounds = [...input.boundaries];
  } else {
    const count = input.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);
    const sample = [...new Set(input.sampleKeys ?? [])].sort(compareKeys);
    bounds = [];
    for (let i = 1; i < count; i++) {
      const idx = Math.floor((i * sample.length) / count) - 1;
      if (idx >= 0) bounds.push(sample[idx]);
    }
  }
  bounds = [...new Set(bounds)].sort(compareKeys).filter((b) => keyInRange(b, within) && b !== within.endAt);
  const ranges: KeyRange[] = [];
  let start = within.startAfter;
  for (const b of bounds) {
    ranges.push(clean({ startAfter: start, endAt: b }));
    start = b;
  }
  ranges.push(clean({ startAfter: start, endAt: within.endAt }));
  return ranges;
}

function clean(r: KeyRange): KeyRange {
  const out: { startAfter?: string; endAt?: string } = {};
  if (r.startAfter !== undefined) out.startAfter = r.startAfter;
  if (r.endAt !== undefined) out.endAt = r.endAt;
  return out;
}

/** What one range (or one whole run) reports. */
export interface RangeReport {
  readonly range: KeyRange;
  readonly summary: AuditSummary;
  /** Discrepancies and unverified objects in key order (possibly capped). */
  readonly records: readonly AuditRecord[];
  /** True when `records` was cut at a cap. */
  readonly truncated?: boolean;
}

/**
 * Combines the reports of disjoint ranges into one: summaries added, records in key order and
 * capped at `cap`. Ranges must not overlap.
 */
export function mergeReports(reports: readonly RangeReport[], cap = Infinity): RangeReport {
  const sorted = [...reports].sort((a, b) => compareStart(a.range, b.range));
  for (let i = 1; i < sorted.length; i++) {
    const prevEnd = sorted[i - 1].range.endAt;
    const start = sorted[i].range.startAfter;
    if (prevEnd === undefined || start === undefined || compareKeys(start, prevEnd) < 0) {
      throw new Error(`ranges overlap: ${JSON.stringify(sorted[i - 1].range)} and ${JSON.stringify(sorted[i].range)}`);
    }
  }
  const records: AuditRecord[] = [];
  let truncated = false;
  for (const r of sorted) {
    truncated ||= Boolean(r.truncated);
    for (const rec of r.records) {
      if (records.length < cap) records.push(rec);
      else truncated = true;
    }
  }
  return {
    range: clean({ startAfter: sorted[0]?.range.startAfter, endAt: sorted[sorted.length - 1]?.range.endAt }),
    summary: mergeSummaries(sorted.map((r) => r.summary)),
    records,
    truncated,
  };
}

function compareStart(a: KeyRange, b: KeyRange): number {
  if (a.startAfter === undefined) return b.startAfter === undefined ? 0 : -1;
  if (b.startAfter === undefined) return 1;
  return compareKeys(a.startAfter, b.startAfter);
}

/** How evenly the ranges of a run shared its keys (keys seen on either side, per range). */
export interface RangeBalance {
  readonly ranges: number;
  readonly smallest: number;
  readonly largest: number;
  readonly mean: number;
}

/** The balance of ranges that held `keys` each (in range order). */
export function rangeBalance(keys: readonly number[]): RangeBalance {
  if (keys.length === 0) throw new Error('rangeBalance: no range');
  const total = keys.reduce((a, b) => a + b, 0);
  return { ranges: keys.length, smallest: Math.min(...keys), largest: Math.max(...keys), mean: total / keys.length };
}

/**
 * One sentence on the balance, for the CLI and the report of a distributed run: "4 ranges held 5,486
 * to 9,000 keys each (the largest 1.64x the smallest, 1.20x the mean)". The largest over the mean
 * is what the wall time of ranges listed side by side follows.
 */
export function describeBalance(b: RangeBalance): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const times = (x: number, y: number) => `${(x / y).toFixed(2)}x`;
  if (b.ranges === 1) return `1 range held ${n(b.largest)} keys`;
  const held = `${b.ranges} ranges held ${n(b.smallest)} to ${n(b.largest)} keys each`;
  if (b.largest === 0) return `${held} (none held a key)`;
  if (b.smallest === 0) return `${held} (the largest ${times(b.largest, b.mean)} the mean; at least one held none)`;
  return `${held} (the largest ${times(b.largest, b.smallest)} the smallest, ${times(b.largest, b.mean)} the mean)`;
}
