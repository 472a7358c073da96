import { classify, ClassifyOptions, Enrichment, needs } from './classify';
import { compareKeys } from './key-order';
import { Batches, mergeListings } from './merge';
import { keyInRange } from './ranges';
import { AuditSummary, addToSummary, emptySummary } from './summary';
import { AuditCheckpoint, AuditMode, AuditRecord, KeyPair, KeyRange, ListedKey } from './types';

export interface EngineOptions extends ClassifyOptions {
  readonly mode: AuditMode;
  readonly range: KeyRange;
  /** Identifies the audit (buckets, prefixes, options); stored in and checked against checkpoints. */
  readonly fingerprint: string;
  /**
   * Keys held while their lookups run (HEADs, a source version lookup), so that lookups overlap
   * with listing and with each other. @default 64
   */
  readonly lookahead?: number;
}

/** Keys held at most while their lookups run. */
export const DEFAULT_LOOKAHEAD = 64;

export interface EngineDeps {
  /**
   * Listings of both sides in S3 key order, starting after `resumeAfter(range, checkpoint)`;
   * keys past the range end are ignored, so a lister may overshoot by a page.
   */
  readonly source: Batches<ListedKey>;
  readonly replica: Batches<ListedKey>;
  /** Fetches what `needs` asks for (HeadObject on both sides, a source version lookup). */
  readonly enrich?: (pair: KeyPair, need: ReturnType<typeof needs>) => Promise<Enrichment>;
  /** Receives every discrepancy and unverified object, in key order. */
  readonly sink: (record: AuditRecord) => void | Promise<void>;
  /** Asked after each key: true stops the run at that key boundary with a checkpoint. */
  readonly shouldStop?: () => boolean;
  /** Requests, retries and running time of this part so far, added to the summary. */
  readonly partStats?: () => { requests: number; retries: number; durationMs: number };
  readonly onKey?: (summary: AuditSummary) => void;
}

export interface EngineResult {
  readonly status: 'complete' | 'partial';
  readonly summary: AuditSummary;
  /** The state after the last key: resume from it when partial. */
  readonly checkpoint: AuditCheckpoint;
}

/** Thrown when a listing or lookup fails mid-run; carries the checkpoint of the last finished key. */
export class AuditInterruptedError extends Error {
  constructor(
    readonly checkpoint: AuditCheckpoint,
    options: { cause: unknown },
  ) {
    super(`audit interrupted after ${checkpoint.summarySoFar.keys} keys`, options);
    this.name = 'AuditInterruptedError';
  }
}

/** Where listing must start: after the range start or after the checkpoint's last key. */
export function resumeAfter(range: KeyRange, checkpoint?: AuditCheckpoint): string | undefined {
  const last = checkpoint?.lastKey;
  if (last === undefined) return range.startAfter;
  if (range.startAfter === undefined) return last;
  return compareKeys(last, range.startAfter) > 0 ? last : range.startAfter;
}

/** Validates that a checkpoint belongs to this audit; returns a message or undefined. */
export function checkpointProblem(cp: unknown, opts: Pick<EngineOptions, 'fingerprint' | 'range'>): string | undefined {
  if (typeof cp !== 'object' || cp === null) return 'the checkpoint is not an object';
  const c = cp as Partial<AuditCheckpoint>;
  if (c.version !== 1) return `the checkpoint version is ${JSON.stringify(c.version)}, expected 1`;
  if (typeof c.summarySoFar !== 'object' || c.summarySoFar === null) return 'the checkpoint has no summarySoFar';
  if (c.lastKey !== undefined && typeof c.lastKey !== 'string') return 'the checkpoint lastKey is not a string';
  if (c.fingerprint !== opts.fingerprint) {
    return 'the checkpoint belongs to another audit (different buckets, prefixes, mode or options): resume with the same options as the interrupted run';
  }
  if (JSON.stringify(c.range ?? {}) !== JSON.stringify(opts.range)) {
    return `the checkpoint is for range ${JSON.stringify(c.range)}, not ${JSON.stringify(opts.range)}`;
  }
  return undefined;
}

/**
 * The audit loop, free of any SDK: merges both listings, classifies every key of the range,
 * streams records to the sink and accumulates the summary. Resuming from a checkpoint over
 * listings that start after its last key gives the same summary and records as one pass.
 */
export async function auditListings(
  opts: EngineOptions,
  deps: EngineDeps,
  checkpoint?: AuditCheckpoint,
): Promise<EngineResult> {
  if (checkpoint) {
    const problem = checkpointProblem(checkpoint, opts);
    if (problem) throw new Error(problem);
  }
  const base: AuditSummary = checkpoint ? structuredClone(checkpoint.summarySoFar) : emptySummary(opts);
  const working = structuredClone(base);
  const after = resumeAfter(opts.range, checkpoint);
  let lastKey = checkpoint?.lastKey;
  const part = (checkpoint?.part ?? 0) + 1;

  const snapshot = (): AuditSummary => {
    const s = structuredClone(working);
    const st = deps.partStats?.();
    if (st) {
      s.requests = base.requests + st.requests;
      s.retries = base.retries + st.retries;
      s.durationMs = base.durationMs + st.durationMs;
    }
    return s;
  };
  const makeCheckpoint = (summary: AuditSummary): AuditCheckpoint => ({
    version: 1,
    range: opts.range,
    lastKey,
    summarySoFar: summary,
    fingerprint: opts.fingerprint,
    part,
    ...(checkpoint?.extra ? { extra: checkpoint.extra } : {}),
  });

  // Keys wait in a bounded window while their lookups (HEADs, a source version lookup) run, so
  // one slow lookup does not stall listing; they leave it in key order, which keeps the records
  // sorted and the checkpoint (the last key that left) exact.
  type Slot = { pair: KeyPair; extra?: Enrichment; pending?: Promise<Enrichment> };
  const window: Slot[] = [];
  const lookahead = Math.max(1, opts.lookahead ?? DEFAULT_LOOKAHEAD);
  /**
   * Classifies the oldest key; true when the run must stop at it. Synchronous for a key with no
   * lookup pending and no record to write (nearly every key), a promise otherwise.
   */
  const finish = (): boolean | Promise<boolean> => {
    const slot = window.shift()!;
    if (slot.pending) return slot.pending.then((extra) => settle(slot.pair, extra));
    return settle(slot.pair, slot.extra ?? {});
  };
  const settle = (pair: KeyPair, extra: Enrichment): boolean | Promise<boolean> => {
    const outcome = classify(pair, opts, extra);
    const record =
      outcome.type === 'discrepancy'
        ? outcome.discrepancy
        : outcome.type === 'matched'
          ? outcome.unverified
          : undefined;
    const written = record ? deps.sink(record) : undefined;
    const done = (): boolean => {
      addToSummary(working, pair, outcome);
      lastKey = pair.key;
      deps.onKey?.(working);
      return deps.shouldStop?.() ?? false;
    };
    return isPromiseLike(written) ? Promise.resolve(written).then(done) : done();
  };
  const partial = (): EngineResult => {
    const summary = snapshot();
    return { status: 'partial', summary, checkpoint: makeCheckpoint(summary) };
  };

  const pairs = mergeListings(deps.source, deps.replica);
  try {
    listing: for await (const batch of pairs) {
      for (const pair of batch) {
        if (after !== undefined && compareKeys(pair.key, after) <= 0) continue;
        if (!keyInRange(pair.key, opts.range)) break listing; // past the end: listings are sorted
        const need = needs(pair, opts);
        const slot: Slot = { pair };
        if ((need.heads || need.sourceLookup) && deps.enrich) {
          slot.pending = deps.enrich(pair, need).then((e) => {
            slot.extra = e;
            slot.pending = undefined;
            return e;
          });
          slot.pending.catch(() => undefined); // a failure surfaces when its key leaves the window
        }
        window.push(slot);
        while (window.length > 0 && (window.length >= lookahead || window[0].pending === undefined)) {
          let stop = finish();
          if (typeof stop !== 'boolean') stop = await stop;
          if (stop) return partial();
        }
      }
    }
    while (window.length > 0) {
      if (await finish()) return partial();
    }
  } catch (err) {
    throw new AuditInterruptedError(makeCheckpoint(snapshot()), { cause: err });
  }
  const summary = snapshot();
  return { status: 'complete', summary, checkpoint: makeCheckpoint(summary) };
}

function isPromiseLike(x: unknown): x is PromiseLike<unknown> {
  return typeof (x as PromiseLike<unknown> | undefined)?.then === 'function';
}
