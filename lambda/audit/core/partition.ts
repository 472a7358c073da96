import { compareKeys } from './key-order';
import { keyInRange, planRanges } from './ranges';
import { KeyRange } from './types';

/**
 * Splitting a key space into ranges of about equal numbers of keys, without knowing its layout.
 *
 * A probe is one ListObjectsV2 request with `StartAfter`: it returns the next page of keys after
 * a point, and so proves that no other key lies between the point and the page's last key (the
 * page "covers" that interval exactly). Between covered intervals the number of keys is estimated
 * from the density of the neighbouring pages, measured on a scale built from the characters seen
 * (so that keys made of digits or hex spread over the whole scale, whatever their code points).
 * The sampler probes the middle of the gap holding the most estimated keys, a few at a time,
 * until its request budget is spent or every gap is known; a probe landing in empty space returns
 * the next keys after it, which proves the space between empty. Boundaries are then taken at the
 * quantiles of the estimated distribution: observed keys inside covered intervals, interpolated
 * keys inside gaps.
 */

/** What one probe returns: up to a page of keys after its start, in S3 order, relative to the prefix. */
export interface ProbePage {
  readonly keys: readonly string[];
  /** True when more keys follow the page. */
  readonly truncated: boolean;
}

/** Lists one page of keys after `startAfter` (undefined: from the first key). */
export type KeyProbe = (startAfter: string | undefined) => Promise<ProbePage>;

export interface SampleOptions {
  /** Restrict the sample (and the plan) to this range. */
  readonly within?: KeyRange;
  /**
   * List requests the sampling may send. 20 is 1% of the list requests of a two-sided audit of
   * 1,000,000 keys (1,000 pages per side). @default 20
   */
  readonly maxRequests?: number;
  /** Probes in flight at once. @default 4 */
  readonly concurrency?: number;
}

/** Default request budget of a sampling: 1% of the list requests of an audit of 1,000,000 keys. */
export const DEFAULT_SAMPLE_REQUESTS = 20;

/** An interval (after, last] in which every key was seen; `last` undefined: to the end of the space. */
interface Covered {
  readonly after?: string;
  readonly last?: string;
}

/** What the sampler learned: the keys seen and the intervals it saw completely. */
export interface KeySpaceSample {
  readonly within: KeyRange;
  /** Distinct keys seen, in S3 order. */
  readonly keys: readonly string[];
  /** Disjoint intervals in order, each seen completely. */
  readonly covered: readonly Covered[];
  /** List requests sent. */
  readonly requests: number;
}

/** One piece of the estimated distribution: seen keys, or a gap of estimated size. */
type Piece =
  | { readonly kind: 'keys'; readonly keys: readonly string[] }
  | {
      readonly kind: 'gap';
      readonly after: string | undefined;
      readonly end: string | undefined;
      readonly mass: number;
      /** The first key of the covered interval before the gap. */
      readonly from: string | undefined;
    };

/**
 * Samples the key space with at most `maxRequests` probes. The first probe lists from the start of
 * the range; when it is not truncated the sample is exact after one request.
 */
export async function sampleKeySpace(probe: KeyProbe, options: SampleOptions = {}): Promise<KeySpaceSample> {
  const within = options.within ?? {};
  const budget = options.maxRequests ?? DEFAULT_SAMPLE_REQUESTS;
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(budget) || budget < 1) throw new Error(`maxRequests must be a positive integer, got ${budget}`);
  let keys: string[] = [];
  let covered: Covered[] = [];
  let requests = 0;
  const unsplittable = new Set<string>();

  const record = (after: string | undefined, page: ProbePage) => {
    const inside = page.keys.filter((k) => keyInRange(k, within));
    const toEnd = !page.truncated || inside.length < page.keys.length || inside.length === 0;
    keys = mergeSorted(keys, inside);
    covered = addCovered(covered, { after, last: toEnd ? undefined : inside[inside.length - 1] });
  };

  requests++;
  record(within.startAfter, await probe(within.startAfter));
  while (requests < budget) {
    const scale = Scale.of(keys);
    const gaps = pieces({ within, keys, covered, requests }, scale)
      .filter((p): p is Extract<Piece, { kind: 'gap' }> => p.kind === 'gap')
      .filter((g) => !unsplittable.has(`${g.after}\u0000${g.end}`))
      .sort((a, b) => b.mass - a.mass);
    const starts: string[] = [];
    const room = Math.min(concurrency, budget - requests);
    for (const g of gaps) {
      if (starts.length >= room) break;
      const end = g.end ?? within.endAt;
      // Far from what is known, gallop: probe at a few times the distance already known, so that the
      // end of a dense run is found in a few probes; close to it, halve the gap.
      const reach = scale.span(keys[0], g.after);
      const whole = scale.span(g.after, end);
      let f = whole > 0 ? Math.min(0.5, (4 * reach) / whole) : 0.5;
      let any = false;
      while (starts.length < room) {
        const at = scale.between(g.after, end, f);
        if (at === undefined || starts.includes(at)) break;
        starts.push(at);
        any = true;
        if (f >= 0.5) break;
        f = Math.min(0.5, f * 5);
      }
      if (!any) unsplittable.add(`${g.after}\u0000${g.end}`);
    }
    if (starts.length === 0) break;
    // The probes of one round run together.
    requests += starts.length;
    const pages = await Promise.all(starts.map((s) => probe(s)));
    starts.forEach((s, i) => record(s, pages[i]));
  }
  return { within, keys, covered, requests };
}

/**
 * Boundaries for `count` ranges of about equal size, from a sample. Returns the ranges (covering
 * the sampled range, in order) and the number of keys each is estimated to hold.
 */
export function planFromSample(sample: KeySpaceSample, count: number): { ranges: KeyRange[]; estimates: number[] } {
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);
  const scale = Scale.of(sample.keys);
  const ps = pieces(sample, scale);
  const total = ps.reduce((n, p) => n + (p.kind === 'keys' ? p.keys.length : p.mass), 0);
  const bounds: string[] = [];
  let before = 0;
  let j = 1;
  for (const p of ps) {
    const size = p.kind === 'keys' ? p.keys.length : p.mass;
    while (j < count && before + size >= (j * total) / count && size > 0) {
      const inPiece = (j * total) / count - before;
      const b =
        p.kind === 'keys'
          ? p.keys[Math.max(0, Math.ceil(inPiece) - 1)]
          : (scale.between(p.after, p.end ?? sample.within.endAt, inPiece / size) ?? p.after);
      if (b !== undefined) bounds.push(b);
      j++;
    }
    before += size;
  }
  const ranges = planRanges({ boundaries: bounds, within: sample.within });
  return { ranges, estimates: ranges.map((r) => estimateIn(ps, scale, r)) };
}

/** Estimated keys of a range, from the pieces of a sample. */
function estimateIn(ps: readonly Piece[], scale: Scale, r: KeyRange): number {
  let n = 0;
  for (const p of ps) {
    if (p.kind === 'keys') n += p.keys.filter((k) => keyInRange(k, r)).length;
    else {
      // The part of the gap inside the range, in proportion to its span on the scale.
      const lo = maxKey(p.after, r.startAfter);
      const hi = minKey(p.end, r.endAt);
      if (hi !== undefined && lo !== undefined && compareKeys(lo, hi) >= 0) continue;
      const whole = scale.span(p.after, p.end);
      const part = scale.span(lo, hi);
      if (whole > 0) n += p.mass * Math.min(1, part / whole);
    }
  }
  return n;
}

/** The sample as an ordered list of seen keys and estimated gaps. */
function pieces(sample: KeySpaceSample, scale: Scale): Piece[] {
  const { keys, covered, within } = sample;
  const out: Piece[] = [];
  // Keys per unit of the scale at one end of a covered interval, over its last (or first) keys
  // there: the neighbourhood of the gap, not the interval's empty parts or a distant cluster.
  const density = (c: Covered, side: 'start' | 'end'): number | undefined => {
    const ks = keysIn(keys, c.after, c.last);
    const w = ks.slice(
      side === 'end' ? Math.max(0, ks.length - DENSITY_WINDOW) : 0,
      side === 'end' ? ks.length : DENSITY_WINDOW,
    );
    if (w.length < 2) return undefined;
    const span = scale.span(w[0], w[w.length - 1]);
    return span > 0 ? (w.length - 1) / span : undefined;
  };
  for (let i = 0; i < covered.length; i++) {
    const c = covered[i];
    const inC = keysIn(keys, c.after, c.last);
    out.push({ kind: 'keys', keys: inC });
    if (c.last === undefined) break;
    const next = covered[i + 1];
    const left = density(c, 'end');
    const right = next ? density(next, 'start') : undefined;
    const known = [left, right].filter((d): d is number => d !== undefined);
    const d = known.length ? known.reduce((x, y) => x + y, 0) / known.length : 0;
    const end = next?.after;
    out.push({ kind: 'gap', after: c.last, end, mass: d * scale.span(c.last, end ?? within.endAt), from: inC[0] });
  }
  return out;
}

/** Sorted distinct union of two key lists in S3 order. */
function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const c = i >= a.length ? 1 : j >= b.length ? -1 : compareKeys(a[i], b[j]);
    const k = c <= 0 ? a[i++] : b[j++];
    if (c === 0) j++;
    if (out.length === 0 || out[out.length - 1] !== k) out.push(k);
  }
  return out;
}

/** Adds an interval to a list of disjoint covered intervals, merging where they touch. */
function addCovered(list: readonly Covered[], c: Covered): Covered[] {
  const all = [...list, c].sort((x, y) => cmpStart(x.after, y.after));
  const out: Covered[] = [];
  for (const x of all) {
    const prev = out[out.length - 1];
    // (a, b] and (c, d] join when c <= b: nothing lies between them unseen.
    if (
      prev &&
      (prev.last === undefined ||
        (x.after !== undefined && compareKeys(x.after, prev.last) <= 0) ||
        x.after === undefined)
    ) {
      out[out.length - 1] = {
        after: prev.after,
        last: prev.last === undefined || x.last === undefined ? undefined : maxKey(prev.last, x.last),
      };
    } else out.push(x);
  }
  return out;
}

function cmpStart(a: string | undefined, b: string | undefined): number {
  if (a === undefined) return b === undefined ? 0 : -1;
  if (b === undefined) return 1;
  return compareKeys(a, b);
}

function maxKey(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareKeys(a, b) >= 0 ? a : b;
}

function minKey(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareKeys(a, b) <= 0 ? a : b;
}

/** Index of the first key after `after` (binary search). */
function firstAfter(keys: readonly string[], after: string | undefined): number {
  if (after === undefined) return 0;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (compareKeys(keys[m], after) <= 0) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function keysIn(keys: readonly string[], after: string | undefined, last: string | undefined): string[] {
  const from = firstAfter(keys, after);
  const to = last === undefined ? keys.length : firstAfter(keys, last);
  return keys.slice(from, to);
}

/** Keys at the end of a covered interval whose spacing gives the density next to it. */
const DENSITY_WINDOW = 200;

/** Digits of the scale kept after the common prefix of two keys. */
const PRECISION = 10;

/**
 * A numeric scale for keys: each character is a digit, its rank among the characters seen (0 ends
 * the key), so a key is a number in [0, 1) and S3 order is numeric order. Characters not seen fall
 * between the ranks of their neighbours. `undefined` as a start is the empty key (0); as an end,
 * the end of the space (1).
 */
export class Scale {
  static of(keys: readonly string[]): Scale {
    const cps = new Set<number>();
    for (const k of keys) for (const ch of k) cps.add(ch.codePointAt(0)!);
    return new Scale([...cps].sort((a, b) => a - b));
  }

  /** The base: the characters seen, the end of a key, and one digit past the last character. */
  private readonly base: number;

  private constructor(private readonly alphabet: readonly number[]) {
    this.base = alphabet.length + 2;
  }

  private digit(cp: number): number {
    let lo = 0;
    let hi = this.alphabet.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (this.alphabet[m] < cp) lo = m + 1;
      else hi = m;
    }
    return this.alphabet[lo] === cp ? lo + 1 : lo + 0.5;
  }

  private digits(key: string | undefined, end: boolean): number[] {
    if (key === undefined) return end ? [this.base - 1] : [];
    return Array.from(key, (ch) => this.digit(ch.codePointAt(0)!));
  }

  /** Length of the common prefix of two digit strings, and the value of each after it. */
  private split(a: number[], b: number[]): { at: number; va: number; vb: number } {
    let at = 0;
    while (at < a.length && at < b.length && a[at] === b[at]) at++;
    const value = (d: number[]) => {
      let v = 0;
      for (let i = Math.min(d.length, at + PRECISION) - 1; i >= at; i--) v = (v + d[i]) / this.base;
      return v;
    };
    return { at, va: value(a), vb: value(b) };
  }

  /** The distance from `a` to `b` on the scale (0 when b <= a). */
  span(a: string | undefined, b: string | undefined): number {
    const { at, va, vb } = this.split(this.digits(a, false), this.digits(b, true));
    return Math.max(0, vb - va) * Math.pow(this.base, -at);
  }

  /**
   * A key at `fraction` of the way from `a` to `b` on the scale, made of characters seen; undefined
   * when none lies strictly between them.
   */
  between(a: string | undefined, b: string | undefined, fraction: number): string | undefined {
    const da = this.digits(a, false);
    const { at, va, vb } = this.split(da, this.digits(b, true));
    // The step from a, in units of the digit at position `at`; placed at the digit where it starts
    // and added to a's digits, so that a long key keeps its precision.
    const step = Math.min(Math.max(fraction, 0), 1) * (vb - va);
    if (!(step > 0)) return undefined;
    const lead = Math.max(0, Math.floor(-Math.log(step) / Math.log(this.base)));
    const from = at + lead;
    const out = da.slice(0, from + PRECISION);
    while (out.length < from + PRECISION) out.push(0);
    let rest = step * Math.pow(this.base, lead);
    for (let i = from; i < from + PRECISION; i++) {
      rest *= this.base;
      const d = Math.floor(rest);
      rest -= d;
      out[i] += d;
    }
    for (let i = out.length - 1; i > 0; i--) {
      while (out[i] >= this.base) {
        out[i] -= this.base;
        out[i - 1] += 1;
      }
    }
    if (out[0] >= this.base) return undefined;
    while (out.length > 0 && out[out.length - 1] === 0) out.pop();
    // A digit 0 (end of key) inside a key cannot be written: the smallest character stands in.
    const key = String.fromCodePoint(...out.map((d) => this.char(Math.max(1, d))));
    if (key === '') return undefined;
    if (a !== undefined && compareKeys(key, a) <= 0) return undefined;
    if (b !== undefined && compareKeys(key, b) >= 0) return undefined;
    return key;
  }

  private char(d: number): number {
    if (d >= 1 && d <= this.alphabet.length) return this.alphabet[d - 1];
    // Past the last character seen: the next code point that is a character (not a surrogate).
    const last = this.alphabet[this.alphabet.length - 1] ?? 0x2f;
    const next = last + 1;
    if (next >= 0xd800 && next <= 0xdfff) return 0xe000;
    return Math.min(next, 0x10ffff);
  }
}
