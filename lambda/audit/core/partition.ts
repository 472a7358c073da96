import { compareKeys, firstAfter } from './key-order';
import { keyInRange, planRanges } from './ranges';
import { KeyRange } from './types';

/**
 * Splitting a key space into ranges of about equal numbers of keys, without knowing its layout.
 *
 * After the first page, one listing with a delimiter ('/') shows the top-level prefixes (S3
 * CommonPrefixes) in one request (more when a server ends the page short of a full one while more
 * follow); when they are few, the start of each is probed, so that families
 * far apart (different scripts, a tiny prefix beside a huge one) are each seen before the gaps
 * between them are estimated, and the end of the last one bounds the space.
 *
 * A probe is one ListObjectsV2 request with `StartAfter`: it returns the next page of keys after
 * a point, and so proves that no other key lies between the point and the page's last key (the
 * page "covers" that interval exactly). Keys are placed on a numeric scale built from the
 * characters seen at each position (digits counted as all ten as soon as one is seen), so that
 * numbered or hashed names spread evenly over it. Between covered intervals the density of keys is
 * taken to vary linearly from the density at the end of the page before to the density at the
 * start of the page after (measured over the whole subtrees, folders say, that each page holds
 * completely, where it holds any: keys numbered within each folder fill a small part of the names
 * the folder could hold), each gap on a scale built from the keys of those two pages only (a
 * numbered family is not measured with the alphabet of a hashed one elsewhere); a page whose first
 * key lies far after its start point shows that the space just before that key is empty, and gives
 * density 0 there. A gap that spans top-level prefixes whole (the listing by delimiter named them),
 * named like prefixes that a page beside it holds whole, is taken to hold as many keys per prefix
 * as those: a folder's size says more about its siblings than the spacing of its keys does.
 *
 * Folders of folders (logs/2026/MM/DD/...) are followed down: while the listing shows one folder,
 * the level below it is listed (the folder as Prefix), until a level of like-named folders shows
 * (the months). The start of the last of them is probed, then the starts of the others (evenly
 * spaced ones when they are more than the budget allows); the first and last are listed by
 * delimiter (their days), the other months taken to hold the same day names, and the start of the
 * last day is probed. The keys are then sized folder by folder (days): a folder seen whole holds
 * what it shows; a folder of hashed names seen in part, the keys seen over the share of its names
 * seen; where one counter numbers the keys across the folders (seen running on from a folder into
 * the next inside a page), the keys between two pages are the difference of their counters; other
 * folders are taken linearly between the nearest folders sized on either side. Folders whose keys
 * are numbered afresh (000000.gz, 000001.gz, ... in each) show only their first page at their start:
 * the last folder, and the first that the first page saw in part, are sized by probes at their own
 * numbers (`sizeAfresh`), which gives the two ends of the line the others are taken on. The size of
 * a folder says nothing of where inside it a boundary falls: a counted folder is cut at the counter
 * values its share covers, a folder numbered afresh at the numbers it is estimated to hold, a folder
 * of folders not seen at the names of the nearest seen whole.
 *
 * The sampler then probes, one page at a time, where the estimate is least certain as the pages so
 * far leave it: a gap whose two ends disagree (a dense region ends somewhere inside it) is halved,
 * except that a run of decimal numbers ending inside it is probed where one of its digits rolls over
 * (zero-padded counters end there: "obj/0:" after "obj/0999999"); a gap open to the end of the space
 * is probed at a few times the distance already known (so the end of a dense run is found in a few
 * probes); a folder of the level being sized that no page has shown is probed at its start; and a
 * gap whose ends agree gets a probe at its middle once the others are settled. Boundaries are then
 * taken at the quantiles of the estimated distribution: observed keys inside covered intervals,
 * interpolated keys inside gaps.
 */

/** What one probe returns: up to a page of keys after its start, in S3 order, relative to the prefix. */
export interface ProbePage {
  readonly keys: readonly string[];
  /** True when more keys (or prefixes) follow the page. */
  readonly truncated: boolean;
  /**
   * With a delimiter: the names up to and including the first delimiter of the keys that hold one
   * (S3 CommonPrefixes), in order. Each counts as one entry of the page, and `keys` then holds only
   * the keys without a delimiter. Undefined: the probe does not list by delimiter.
   */
  readonly prefixes?: readonly string[];
}

/**
 * Lists one page of keys after `startAfter` (undefined: from the first key); with `delimiter`, rolls
 * the keys that hold it up into `prefixes`, the way ListObjectsV2 does with `Delimiter`; with
 * `prefix` (relative, like the keys), lists only the keys under it, the way ListObjectsV2 does with
 * `Prefix` (from its first key when `startAfter` lies before it; prefixes roll up at the first
 * delimiter after it). Keys and prefixes come back whole, not relative to `prefix`.
 */
export type KeyProbe = (startAfter: string | undefined, delimiter?: string, prefix?: string) => Promise<ProbePage>;

export interface SampleOptions {
  /** Restrict the sample (and the plan) to this range. */
  readonly within?: KeyRange;
  /**
   * List requests the sampling may send. 20 is 1% of the list requests of a two-sided audit of
   * 1,000,000 keys (1,000 pages per side). @default 20
   */
  readonly maxRequests?: number;
  /**
   * Probes in flight at once where several are chosen together (the starts of the folders a listing
   * by delimiter named). The probes that size the gaps go one at a time: each is placed by what the
   * one before it showed. @default 4
   */
  readonly concurrency?: number;
  /**
   * Delimiter of the top-level prefixes: one listing by it shows where each starts, so that prefixes
   * far apart on the scale are each probed. Undefined: no listing by delimiter. @default '/'
   */
  readonly delimiter?: string;
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
  /**
   * The top-level entries a listing by delimiter showed, in order (all of them when `complete`),
   * and the delimiter. Undefined: no such listing.
   */
  readonly tops?: { readonly entries: readonly TopEntry[]; readonly complete: boolean; readonly delimiter: string };
  /**
   * Like-named folders that hold every key from the first of them on, in order (the days of each
   * month, say, as listed by delimiter level by level), by which the keys are sized folder by folder.
   * Undefined: the key space was not seen as such folders.
   */
  readonly folders?: readonly string[];
}

/** A top-level entry of a listing by delimiter: a prefix (S3 CommonPrefix), or a key without the delimiter. */
export interface TopEntry {
  readonly name: string;
  /** Just past every key under it: the prefix with its last character raised; a key itself. */
  readonly end: string;
  readonly prefix: boolean;
}

/**
 * A stretch of a gap (fractions of its span) over which the density goes linearly from `d0` to `d1`
 * keys per unit of the scale.
 */
interface Segment {
  readonly t0: number;
  readonly t1: number;
  readonly d0: number;
  readonly d1: number;
  /** True when the ends of the gap disagree about this stretch. */
  readonly unsure: boolean;
}

/** A gap between two covered intervals, with the densities measured at its two ends. */
interface Gap {
  readonly kind: 'gap';
  readonly after: string | undefined;
  /** The start of the next covered interval; undefined: the end of the sampled range. */
  readonly end: string | undefined;
  /** Its length on the scale. */
  readonly span: number;
  /**
   * The rest of the subtree of the key before the gap (at the density there), the names between
   * the two subtrees, and the start of the subtree of the key after it (at the density there).
   */
  readonly segments: readonly Segment[];
  /** Estimated keys. */
  readonly mass: number;
  /** True when the gap runs to the end of the sampled range with nothing seen after it. */
  readonly open: boolean;
  /** The first key of the covered interval before the gap. */
  readonly from: string | undefined;
  /** The scale of the keys on both sides of the gap, on which its span and densities are measured. */
  readonly scale: Scale;
  /**
   * True when its mass is only a bound from below: the folders it lies in are sized by the keys
   * seen in them, no folder's whole size being known yet.
   */
  readonly bound?: boolean;
  /**
   * Where its keys are taken to lie, in order, when a folder seen whole stands for it (its keys under
   * the gap's own folder): the gap's boundaries are cut at their quantiles, not on the scale.
   */
  readonly like?: readonly string[];
}

/** One piece of the estimated distribution: seen keys, or a gap of estimated size. */
type Piece = { readonly kind: 'keys'; readonly keys: readonly string[] } | Gap;

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
  let tops: KeySpaceSample['tops'];
  const unsplittable = new Set<string>();

  const record = (after: string | undefined, page: ProbePage) => {
    const inside = page.keys.filter((k) => keyInRange(k, within));
    const toEnd = !page.truncated || inside.length < page.keys.length || inside.length === 0;
    keys = mergeSorted(keys, inside);
    covered = addCovered(covered, { after, last: toEnd ? undefined : inside[inside.length - 1] });
  };

  requests++;
  const first = await probe(within.startAfter);
  record(within.startAfter, first);
  // Keys per list page, as the first page shows when more follow.
  const pageSize = first.truncated && first.keys.length > 0 ? first.keys.length : DEFAULT_PAGE_SIZE;
  const delimiter = 'delimiter' in options ? options.delimiter : '/';
  let folders: string[] | undefined;
  // One listing by delimiter (counted in `requests` by the caller). A page that is truncated short of
  // a full page (S3's API allows it; Ceph answers 544 prefixes of 1,001 in one) is followed from past
  // its last entry while the budget allows, as one listing: folders it left out would be taken as
  // unseen, and sized by guess.
  const byDelimiter = async (sub?: string): Promise<ProbePage> => {
    let page = await probe(within.startAfter, delimiter, sub);
    while (page.truncated && page.keys.length + (page.prefixes?.length ?? 0) < pageSize && requests < budget) {
      const last = [...page.keys, ...(page.prefixes ?? []).map(afterSubtree)].reduce<string | undefined>(
        maxKey,
        undefined,
      );
      if (last === undefined) break;
      requests++;
      const more = await probe(last, delimiter, sub);
      page = {
        keys: [...page.keys, ...more.keys],
        prefixes: [...(page.prefixes ?? []), ...(more.prefixes ?? [])],
        truncated: more.truncated,
      };
    }
    return page;
  };
  const reaches = (name: string) => subtreeReaches(name, within);
  // Keys of the first page that lie below a folder of `name` (a delimiter after it).
  const deeper = (name: string) =>
    delimiter !== undefined && first.keys.some((k) => k.startsWith(name) && k.includes(delimiter, name.length));
  // The gaps of the sample as it now stands, and the keys it estimates (those seen and the gaps').
  const gapsNow = () =>
    pieces({ within, keys, covered, requests, tops, folders }).filter((p): p is Gap => p.kind === 'gap');
  const totalOf = (gaps: readonly Gap[]) => gaps.reduce((n, g) => n + g.mass, keys.length);
  // The requests the sample may send: the budget, or less when the end of the key space is found and
  // the estimate is small (a small key space is not sampled with the budget of a large one). (While
  // the end is not found, or a total is bounded from below only, it says nothing of how large the
  // key space may be: the whole budget.)
  const capOf = (gaps: readonly Gap[], total: number): number =>
    covered[covered.length - 1].last !== undefined || gaps.some((g) => g.bound)
      ? budget
      : Math.min(budget, sampleBudget(total, pageSize));
  const cap = () => {
    const gaps = gapsNow();
    return capOf(gaps, totalOf(gaps));
  };
  const probeAll = async (starts: readonly string[]) => {
    for (let i = 0; i < starts.length; i += concurrency) {
      const round = starts.slice(i, i + concurrency);
      requests += round.length;
      const pages = await Promise.all(round.map((s) => probe(s)));
      round.forEach((s, j) => record(s, pages[j]));
    }
  };
  if (first.truncated && delimiter && first.keys.some((k) => k.includes(delimiter)) && requests < budget) {
    // One listing by delimiter shows the top-level prefixes: the start of each is probed (when there
    // are few: at most half the budget goes there), and past the last there is nothing. (Not sent
    // when the first page shows no delimiter: flat names, hashed ones say, have no prefixes.)
    requests++;
    const top = await byDelimiter();
    let listed = topLevel(top, within);
    tops = { entries: listed.entries, complete: !top.truncated, delimiter };
    if (listed.end !== undefined) covered = addCovered(covered, { after: listed.end });
    // A level of one folder with folders below it (logs/ holding logs/2026/) says nothing of where
    // the keys lie: the level below is listed instead (with the folder as Prefix), and so on down.
    // (Within the whole budget: an estimate made from such a level is no measure of the key space,
    // and whether the audit's prefix ends above or below a single folder must not change the plan.)
    let complete = !top.truncated;
    while (
      complete &&
      listed.entries.length === 1 &&
      listed.entries[0].prefix &&
      deeper(listed.entries[0].name) &&
      requests < budget
    ) {
      requests++;
      const below = await byDelimiter(listed.entries[0].name);
      listed = topLevel(below, within);
      complete = !below.truncated;
    }
    const level = listed.entries.filter((e) => reaches(e.name));
    // Like-named folders (months, days, d00/ to d96/) listed whole: the keys are sized folder by folder.
    const alike =
      complete &&
      level.length >= MIN_ALIKE_FOLDERS &&
      level.every((e) => e.prefix && shapeOf(e.name) === shapeOf(level[0].name));
    if (alike) {
      // (Sized by the folders of this level while it is sampled.)
      folders = level.map((e) => e.name);
      folders = await sampleFolders(folders);
    } else {
      const seeds = listed.starts.filter((s) => !covered.some((c) => keyInCovered(s, c)));
      if (seeds.length <= Math.floor(budget / 2) - requests) await probeAll(seeds);
    }
  }

  /**
   * Samples a level of like-named folders: the start of each is probed (of evenly spaced ones when
   * they are more than the budget allows); when they hold folders, the first and the last are listed
   * by delimiter (the days of a month: the other months are taken to hold the same names), and the
   * start of the last folder of the last is probed, so that the end of the key space is sized from
   * a page of its own. Returns the folders the keys are sized by: the deepest level named.
   */
  async function sampleFolders(names: readonly string[]): Promise<string[]> {
    const nested = deeper(names[0]);
    // The start of the last folder is always probed: sizes taken from the folders of the first page
    // alone would say nothing of later ones (busier days, a counter's end), and might cut the budget.
    const lastStart = afterSubtree(names[names.length - 2]);
    const probed = new Set<string>();
    if (requests < budget && !covered.some((c) => keyInCovered(lastStart, c))) {
      probed.add(lastStart);
      await probeAll([lastStart]);
    }
    // When that page is one folder's keys numbered afresh (000000.gz, 000001.gz, ... past the page),
    // the last folder is sized by probes at its numbers: they are kept for it.
    const lastPage = keys.slice(firstAfter(keys, lastStart), firstAfter(keys, lastStart) + pageSize);
    const fresh = lastPage.length >= pageSize && afreshRun(lastPage) !== undefined;
    const reserve = (nested ? 3 : 0) + (fresh ? 2 * AFRESH_PROBES : 0);
    const seeds = names
      .slice(1)
      .map((_, i) => afterSubtree(names[i]))
      .filter((s) => !probed.has(s) && !covered.some((c) => keyInCovered(s, c)));
    const room = Math.max(0, cap() - requests - reserve);
    await probeAll(evenly(seeds, room));
    if (!nested) {
      await sizeEnds(names);
      return [...names];
    }
    // (The folders below, and the start of the last, within the whole budget: until they are seen,
    // the estimate, and so the cap it sets, says little of the key space.)
    const children = async (name: string): Promise<string[] | undefined> => {
      if (requests >= budget) return undefined;
      requests++;
      const page = await byDelimiter(name);
      if (page.truncated || page.keys.length > 0 || !page.prefixes || page.prefixes.length === 0) return undefined;
      return page.prefixes.map((p) => p.slice(name.length));
    };
    const last = await children(names[names.length - 1]);
    const head = names.length > 1 ? await children(names[0]) : last;
    if (last === undefined || head === undefined) return [...names];
    const union = [...new Set([...head, ...last])].sort(compareKeys);
    const leaves = names
      .flatMap((n, i) => (i === 0 ? head : i === names.length - 1 ? last : union).map((c) => n + c))
      .filter(reaches);
    folders = leaves;
    // The start of the last folder: past the one before it.
    if (leaves.length >= 2 && requests < budget) {
      const start = afterSubtree(leaves[leaves.length - 2]);
      if (!covered.some((c) => keyInCovered(start, c))) await probeAll([start]);
      await sizeEnds(leaves);
    }
    return leaves;
  }

  /**
   * Sizes the last folder and the first one the first page saw in part, when numbered afresh: the two
   * ends of the trend the other folders are taken on.
   */
  async function sizeEnds(names: readonly string[]): Promise<void> {
    await sizeAfresh(names[names.length - 1]);
    if (first.truncated && first.keys.length > 0) {
      const j = firstAfter(names, first.keys[first.keys.length - 1]) - 1;
      if (j >= 0 && j < names.length - 1) await sizeAfresh(names[j]);
    }
  }

  /**
   * Sizes a folder whose keys are numbered afresh (from 0 or 1, one by one) and seen in part, by
   * probes at its numbers: at twice, then four times, the last number seen while every probe finds
   * more, then midway (geometrically) between the last number seen and the lowest one found past the
   * end, until a page shows its last key or `AFRESH_PROBES` are spent. (Its start page alone bounds
   * it from below only: a busier day of logs looks like a quieter one.)
   */
  async function sizeAfresh(name: string): Promise<void> {
    // (Within the whole budget, like the folders' listing: until the ends are sized, the estimate,
    // and so the cap it sets, may be off by any factor.)
    for (let n = 0; n < AFRESH_PROBES && requests < budget; n++) {
      const start = afreshProbe(name, n === 0);
      if (start === undefined) return;
      requests++;
      record(start, await probe(start));
    }
  }

  /**
   * The next probe at the numbers of a folder numbered afresh, seen from its start and not to its
   * end: at twice (the first), then four times, the last number seen while every probe finds more,
   * then midway (geometrically) between the last number seen and the lowest one found past the
   * end. Undefined for any other folder, or when the numbers' width is spent; with `own`, also for
   * one not numbered one by one (`oneByOne`).
   */
  function afreshProbe(name: string, first: boolean, own = false): string | undefined {
    const held = folderKeys(keys, name);
    const run = afreshRun(held);
    if (!run || !seenFromStart(held[0], name, covered)) return undefined;
    if (own && !oneByOne(run, held, covered)) return undefined;
    const { exact, past } = afreshEnd(run, covered, afterSubtree(name));
    if (exact) return undefined;
    // (Twice, then four times: a folder a few pages long is found in two probes, a long one bounded;
    // within a page of the end, a probe at the next number shows it.)
    const next = run.last + 1;
    const at = past === undefined ? (first ? 2 : 4) * next : past - next <= pageSize ? next : midway(next, past);
    if (String(at).length > run.width) return undefined;
    return run.stem + String(at).padStart(run.width, '0');
  }

  // The folder of the level sized (or a top-level folder of its own counter, `ownCounters`) that a
  // gap starts in, when its keys are numbered afresh: the gap is sized by a probe at the folder's
  // numbers, not by halving names (`g38/5129`, past numbers of seven digits that run to 0195531,
  // finds the next folder, and takes seven probes to get there).
  const afreshFolderProbe = (g: Gap): string | undefined => {
    const names = folders ?? ownCounters(tops);
    if (!names || g.after === undefined) return undefined;
    const j = firstAfter(names, g.after) - 1;
    if (j < 0 || !g.after.startsWith(names[j])) return undefined;
    const at = afreshProbe(names[j], false, !folders);
    return at !== undefined && !covered.some((c) => keyInCovered(at, c)) ? at : undefined;
  };

  // A gap that starts at a folder of the level sized, with no key of the folder seen and no probe
  // sent there yet: its start is probed (its first page), as the starts of the others were, instead
  // of halving names no key has shown.
  const unseenFolder = (g: Gap): g is Gap & { after: string } => {
    const name = g.after;
    if (name === undefined || !folders?.includes(name) || covered.some((c) => c.after === name)) return false;
    return !keys[firstAfter(keys, name)]?.startsWith(name);
  };
  // Then one probe at a time, at the gap that could move the estimate most: each page changes the
  // estimate, and so which gap that is. (Rounds of four probes spent three of every four on gaps
  // ranked before the first one's page was read: on counters ending at other than a round number,
  // the walk to a counter's end got one probe a round and the rest went inside runs already
  // sized. See bench/RESULTS.md, "Probes one at a time".)
  while (requests < budget) {
    const all = gapsNow();
    const total = totalOf(all);
    // Spend in proportion to the listing as now estimated.
    if (requests >= capOf(all, total)) break;
    // The gaps in order of how much of the estimate they could move (stable: ties keep key order).
    const ranked = all
      .filter((g) => !unsplittable.has(`${g.after}\u0000${g.end}`))
      .map((g) => ({ g, doubt: doubt(g) }))
      .sort((a, b) => b.doubt - a.doubt);
    let at: string | undefined;
    for (const { g, doubt: d } of ranked) {
      // A gap holding a negligible part of the estimate is not worth a request.
      if (d < total * NEGLIGIBLE) break;
      at = unseenFolder(g) ? g.after : (afreshFolderProbe(g) ?? probePoint(g, keys[0], within.endAt));
      if (at !== undefined) break;
      unsplittable.add(`${g.after}\u0000${g.end}`);
    }
    if (at === undefined) break;
    requests++;
    record(at, await probe(at));
  }
  return { within, keys, covered, requests, tops, folders };
}

/** Up to `n` of `items`, evenly spaced (all of them when they are no more than `n`). */
function evenly<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  if (n <= 0) return [];
  return Array.from({ length: n }, (_, i) => items[Math.floor(((i + 0.5) * items.length) / n)]);
}

/** Fewest folders of one level, named alike, that are sized folder by folder. */
const MIN_ALIKE_FOLDERS = 3;

/**
 * What a listing by delimiter shows: where each prefix after the first starts (the end of the entry
 * before it: nothing lies between), and, when the listing is complete, the end of its last entry
 * (nothing lies after it).
 */
function topLevel(page: ProbePage, within: KeyRange): { starts: string[]; end?: string; entries: TopEntry[] } {
  if (page.prefixes === undefined) return { starts: [], entries: [] };
  const entries: TopEntry[] = [
    ...page.keys.map((k) => ({ name: k, end: k, prefix: false })),
    ...page.prefixes.map((p) => ({ name: p, end: afterSubtree(p), prefix: true })),
  ].sort((a, b) => compareKeys(a.name, b.name));
  const starts: string[] = [];
  for (let i = 1; i < entries.length; i++) {
    const s = entries[i - 1].end;
    if (entries[i].name !== entries[i].end && keyInRange(s, within) && s !== within.endAt) starts.push(s);
  }
  const last = entries[entries.length - 1];
  const end = !page.truncated && last && keyInRange(last.end, within) ? last.end : undefined;
  return { starts, end, entries };
}

/** True when some key under the folder `prefix` can lie in `range`. */
function subtreeReaches(prefix: string, range: KeyRange): boolean {
  return (
    (range.startAfter === undefined || compareKeys(afterSubtree(prefix), range.startAfter) > 0) &&
    (range.endAt === undefined || compareKeys(prefix, range.endAt) <= 0)
  );
}

/**
 * The name just past every key under `prefix` (which ends with the delimiter): the prefix with its
 * last character raised by one code point. No key lies at it, or it would be listed among the entries.
 */
function afterSubtree(prefix: string): string {
  const cps = Array.from(prefix, (ch) => ch.codePointAt(0)!);
  const cp = cps.pop()! + 1;
  return String.fromCodePoint(...cps, cp >= 0xd800 && cp <= 0xdfff ? 0xe000 : cp);
}

function keyInCovered(k: string, c: Covered): boolean {
  return keyInRange(k, { startAfter: c.after, endAt: c.last });
}

/** Keys per list page when the first page does not show it (ListObjectsV2 returns up to 1,000). */
const DEFAULT_PAGE_SIZE = 1000;

/** Requests a sample may always spend: the first page, and one probe after it. */
export const MIN_SAMPLE_REQUESTS = 2;

/**
 * Pages of one side's listing per request a sample may spend: the sample takes at most one round
 * trip per five pages that one range would list one after another (fewer where the starts of
 * folders are probed four at a time).
 */
const PAGES_PER_SAMPLE_REQUEST = 5;

/**
 * Requests a sample of a key space of about `keys` keys may spend: one per PAGES_PER_SAMPLE_REQUEST
 * pages of one side's listing, and never fewer than two. The caller caps it (at 20 by default, 1%
 * of a two-sided listing of 1,000,000 keys). A budget of 1% of the listing below that left 2 to 6
 * requests between 100,000 and 300,000 keys, too few to find where a run of numbers or one large
 * folder ends: whole ranges came out empty.
 */
export function sampleBudget(keys: number, pageSize = DEFAULT_PAGE_SIZE): number {
  return Math.max(MIN_SAMPLE_REQUESTS, Math.floor(Math.ceil(keys / pageSize) / PAGES_PER_SAMPLE_REQUEST));
}

/** Part of the estimate below which a gap gets no probe. */
const NEGLIGIBLE = 0.002;

/** Weight of a stretch both ends agree on: what it could hide that neither end shows. */
const HIDDEN = 0.1;

const segMass = (g: Gap, s: Segment) => (g.span * (s.t1 - s.t0) * (s.d0 + s.d1)) / 2;

/**
 * How much a stretch of a gap could move the estimate: where the ends disagree, a dense region
 * starts or ends somewhere inside it (up to the larger density over all of it); elsewhere a share of
 * its mass for what it could hide.
 */
function segDoubt(g: Gap, s: Segment): number {
  const m = segMass(g, s);
  if (!s.unsure) return HIDDEN * m;
  return Math.max(m, (g.span * (s.t1 - s.t0) * Math.max(s.d0, s.d1, ...g.segments.map((x) => x.d0))) / 2);
}

function doubt(g: Gap): number {
  return g.segments.reduce((n, s) => n + segDoubt(g, s), 0);
}

/** Where to probe a gap next. */
function probePoint(g: Gap, first: string | undefined, endAt: string | undefined): string | undefined {
  const { scale } = g;
  const end = g.end ?? endAt;
  // A numbered run that ends somewhere inside the gap most likely ends where one of its digits
  // rolls over: probe the widest such subtree end inside the gap.
  const edge = g.after !== undefined && g.segments[0].d0 > 0 && g.segments[g.segments.length - 1].d1 === 0;
  const rollover = edge
    ? familyEnds(scale, g.after!).find((k) => end === undefined || compareKeys(k, end) < 0)
    : undefined;
  if (rollover !== undefined) return rollover;
  if (g.open) {
    // Open to the end of the space: gallop, at a few times the distance already known, so that the
    // end of a dense run is found in a few probes without halving the whole space down to it.
    const reach = scale.span(first, g.after);
    const f = g.span > 0 ? Math.min(0.5, (GALLOP * reach) / g.span) : 0.5;
    return scale.between(g.after, end, f) ?? scale.between(g.after, end, 0.5);
  }
  // Otherwise split the stretch that could move the estimate most: where half its estimated keys lie
  // before the point, or in its middle when it is estimated empty.
  const s = [...g.segments].sort((x, y) => segDoubt(g, y) - segDoubt(g, x))[0];
  let t = 0.5;
  if (s) {
    const m = segMass(g, s);
    t = m > 0 ? massFraction(g, massBefore(g, s.t0) + m / 2) : (s.t0 + s.t1) / 2;
  }
  return scale.between(g.after, end, t) ?? scale.between(g.after, end, 0.5);
}

/**
 * The ends of the subtrees of `a` from its first digit on, widest first: for "obj/0042" the names
 * just past "obj/0...", "obj/00..", "obj/004." ("obj/0:", "obj/00:", "obj/004:").
 */
function familyEnds(scale: Scale, a: string): string[] {
  const ca = Array.from(a);
  // Decimal digits only: in hexadecimal (hashed) names a rollover says little.
  const decimal = (j: number) => isDigit(ca[j]) && !scale.isHex(j);
  const f = ca.findIndex((_, j) => decimal(j));
  if (f < 0) return [];
  const out: string[] = [];
  for (let j = f + 1; j < ca.length; j++) {
    if (!decimal(j - 1)) break;
    out.push(scale.subtreeEnd(ca.slice(0, j).join('')));
  }
  return out;
}

/** Ends of a gap whose densities are within this factor agree. */
const AGREE = 2;

/** How far past the known keys an open gap is probed, in multiples of the distance they cover. */
const GALLOP = 4;

/** Where in a gap (fraction of its span) the first `m` of its estimated keys end. */
function massFraction(g: Gap, m: number): number {
  if (g.mass <= 0 || g.span <= 0) return 0.5;
  let rest = m;
  for (const s of g.segments) {
    const sm = segMass(g, s);
    if (rest > sm) {
      rest -= sm;
      continue;
    }
    const w = s.t1 - s.t0;
    if (w <= 0) return s.t0;
    // Density d0 + (d1 - d0) y / w over y in [0, w]: span (d0 y + q y^2) = rest.
    const a = s.d0;
    const q = (s.d1 - s.d0) / (2 * w);
    const x = rest / g.span;
    let y: number;
    if (Math.abs(q) < 1e-12 * Math.max(s.d0, s.d1, 1e-300)) y = a > 0 ? x / a : w / 2;
    else y = (-a + Math.sqrt(Math.max(0, a * a + 4 * q * x))) / (2 * q);
    return Math.min(s.t1, Math.max(s.t0, s.t0 + (Number.isFinite(y) ? y : w / 2)));
  }
  return 1;
}

/** Estimated keys in the first `t` (fraction of its span) of a gap. */
function massBefore(g: Gap, t: number): number {
  const u = Math.min(1, Math.max(0, t));
  let n = 0;
  for (const s of g.segments) {
    if (u <= s.t0) break;
    const w = s.t1 - s.t0;
    const y = Math.min(u, s.t1) - s.t0;
    if (w > 0) n += g.span * (s.d0 * y + ((s.d1 - s.d0) * y * y) / (2 * w));
  }
  return n;
}

/**
 * Boundaries for `count` ranges of about equal size, from a sample. Returns the ranges (covering
 * the sampled range, in order) and the number of keys each is estimated to hold.
 */
export function planFromSample(sample: KeySpaceSample, count: number): { ranges: KeyRange[]; estimates: number[] } {
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);
  const ps = pieces(sample);
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
          : p.like
            ? p.like[Math.min(p.like.length - 1, Math.floor((inPiece / p.mass) * p.like.length))]
            : (p.scale.between(p.after, p.end ?? sample.within.endAt, massFraction(p, inPiece)) ?? p.after);
      if (b !== undefined) bounds.push(b);
      j++;
    }
    before += size;
  }
  const ranges = planRanges({ boundaries: bounds, within: sample.within });
  return { ranges, estimates: ranges.map((r) => estimateIn(ps, r)) };
}

/** Estimated keys of a range, from the pieces of a sample. */
function estimateIn(ps: readonly Piece[], r: KeyRange): number {
  let n = 0;
  for (const p of ps) {
    if (p.kind === 'keys') n += p.keys.filter((k) => keyInRange(k, r)).length;
    else {
      // The part of the gap inside the range, by where it starts and ends on the scale.
      const lo = maxKey(p.after, r.startAfter);
      const hi = minKey(p.end, r.endAt);
      if (hi !== undefined && lo !== undefined && compareKeys(lo, hi) >= 0) continue;
      if (p.span <= 0) continue;
      const t0 = p.scale.span(p.after, lo) / p.span;
      const t1 = 1 - p.scale.span(hi, p.end) / p.span;
      n += Math.max(0, massBefore(p, t1) - massBefore(p, t0));
    }
  }
  return n;
}

/** The sample as an ordered list of seen keys and estimated gaps. */
function pieces(sample: KeySpaceSample): Piece[] {
  const { keys, covered, within } = sample;
  const out: Piece[] = [];
  const inside = covered.map((c) => keysIn(keys, c.after, c.last));
  const byFolder = sample.folders && sample.folders.length > 0 ? folderPortions(sample, inside) : undefined;
  const bound = byFolder !== undefined && !byFolder.sure;
  const endsLike = counterEnds(covered, inside);
  const endsAfresh = afreshEnds(sample, inside);
  // Keys per unit of the scale at one end of a covered interval, over its last (or first) keys
  // there: the neighbourhood of the gap, not the interval's empty parts or a distant cluster.
  const density = (scale: Scale, i: number, side: 'start' | 'end', depth?: number): number => {
    const ks = inside[i];
    const w = ks.slice(
      side === 'end' ? Math.max(0, ks.length - DENSITY_WINDOW) : 0,
      side === 'end' ? ks.length : DENSITY_WINDOW,
    );
    if (w.length < 2) return 0;
    const span = scale.span(w[0], w[w.length - 1]);
    if (!(span > 0)) return 0;
    const fine = (w.length - 1) / span;
    // Between two pages, the density over the whole subtrees the interval holds, where it holds any.
    const d = Math.min(fine, depth === undefined ? fine : (wholeSubtrees(scale, i, side, depth) ?? fine));
    // A page whose first key lies far after the probe's start shows empty space just before it.
    // The lead is measured from the first name after the start made of characters seen there: a start
    // such as "6" or "obj/0249:" (past the last digit) lies in a slot of the scale that holds no key.
    const from = covered[i].after;
    if (side === 'start' && scale.span(from === undefined ? from : scale.snap(from), w[0]) * d > EMPTY_LEAD) return 0;
    return d;
  };
  // Keys per unit of the scale over whole subtrees that an interval holds completely, at the
  // coarsest level below the first character where the gap's ends differ: the density over the
  // names the gap spans. Where keys come in folders, or in runs that fill a small part of their
  // subtree (a counter zero-padded to more digits than it uses), the spacing of neighbouring keys
  // overstates it by the share of each subtree the run leaves empty. Undefined when the interval
  // holds no complete subtree at any level below `depth`.
  const wholeSubtrees = (scale: Scale, i: number, side: 'start' | 'end', depth: number): number | undefined => {
    const ks = inside[i];
    const { after, last } = covered[i];
    const cps = ks.map((k) => Array.from(k));
    const longest = cps.reduce((n, k) => Math.max(n, k.length), 0);
    for (let level = depth + 1; level <= longest; level++) {
      // The interval's keys grouped by their first `level` characters, in order.
      const groups: { prefix: string; count: number }[] = [];
      for (const k of cps) {
        const prefix = k.slice(0, level).join('');
        if (groups.length > 0 && groups[groups.length - 1].prefix === prefix) groups[groups.length - 1].count++;
        else groups.push({ prefix, count: 1 });
      }
      // A group is complete when the interval starts before its first name and goes on past it.
      const complete = (g: number) =>
        (g > 0 || after === undefined || compareKeys(after, groups[g].prefix) < 0) &&
        (g < groups.length - 1 || last === undefined);
      const order = side === 'end' ? groups.map((_, g) => groups.length - 1 - g) : groups.map((_, g) => g);
      const run: number[] = [];
      for (const g of order) {
        if (!complete(g)) {
          if (run.length > 0) break;
          continue;
        }
        run.push(g);
        if (run.reduce((n, x) => n + groups[x].count, 0) >= DENSITY_WINDOW) break;
      }
      if (run.length === 0) continue;
      const [lo, hi] = [Math.min(...run), Math.max(...run)];
      const span = scale.span(groups[lo].prefix, scale.subtreeEnd(groups[hi].prefix));
      const count = run.reduce((n, x) => n + groups[x].count, 0);
      return span > 0 ? count / span : undefined;
    }
    return undefined;
  };
  // The top-level entries that lie whole inside the gap (a, e], and the entry `a` lies in, when a
  // listing by delimiter showed every entry there.
  const spanned = (a: string, e: string): { own: TopEntry; inner: TopEntry[] } | undefined => {
    const t = sample.tops;
    if (!t || t.entries.length === 0) return undefined;
    if (!t.complete && compareKeys(e, t.entries[t.entries.length - 1].end) > 0) return undefined;
    const inner = t.entries.filter((x) => compareKeys(x.name, a) > 0 && compareKeys(x.end, e) <= 0);
    const own = t.entries.filter((x) => compareKeys(x.name, a) <= 0).pop();
    return inner.length > 0 && own !== undefined && compareKeys(a, own.end) <= 0 ? { own, inner } : undefined;
  };
  // Keys per top-level prefix, over the prefixes an interval holds whole, and the shapes of their
  // names; undefined: none.
  const perPrefix = (i: number): { count: number; shapes: Set<string> } | undefined => {
    const delimiter = sample.tops!.delimiter;
    const { after, last } = covered[i];
    const groups: { name: string; prefix: boolean; count: number }[] = [];
    for (const k of inside[i]) {
      const at = k.indexOf(delimiter);
      const name = at < 0 ? k : k.slice(0, at + delimiter.length);
      const g = groups[groups.length - 1];
      if (g && g.name === name) g.count++;
      else groups.push({ name, prefix: at >= 0, count: 1 });
    }
    const whole = groups.filter(
      (g, j) =>
        g.prefix &&
        (j > 0 || after === undefined || compareKeys(after, g.name) < 0) &&
        (j < groups.length - 1 || last === undefined),
    );
    if (whole.length === 0) return undefined;
    return {
      count: whole.reduce((n, g) => n + g.count, 0) / whole.length,
      shapes: new Set(whole.map((g) => shapeOf(g.name))),
    };
  };
  for (let i = 0; i < covered.length; i++) {
    const c = covered[i];
    out.push({ kind: 'keys', keys: inside[i] });
    const a = c.last;
    if (a === undefined) break;
    const next = covered[i + 1];
    // Each gap is measured on the scale of the keys beside it: a numbered run and a hashed one
    // elsewhere in the space do not distort each other.
    // (A gap open to the end has one side only: the scale of the page before it.)
    const scale = Scale.of(next ? [...inside[i], ...inside[i + 1]] : inside[i]);
    const end = next?.after;
    const depth = next && end !== undefined ? commonLength(a, end) : undefined;
    const left = density(scale, i, 'end', depth);
    const right = next ? density(scale, i + 1, 'start', depth) : 0;
    // (A page after the gap that shows keys, not only the end of the space.)
    const seen = next !== undefined && inside[i + 1].length >= 2;
    const open = next === undefined || (next.last === undefined && inside[i + 1].length === 0);
    const gap = (after: string, to: string | undefined, segmentsFor: (span: number) => Segment[]): Gap => {
      const sp = scale.span(after, to ?? within.endAt);
      const g: Omit<Gap, 'mass'> = {
        kind: 'gap',
        after,
        end: to,
        span: sp,
        segments: segmentsFor(sp),
        open: open && to === end,
        from: inside[i][0],
        scale,
      };
      return { ...g, mass: g.segments.reduce((n, x) => n + segMass(g as Gap, x), 0) };
    };
    const portions = byFolder?.portions.get(i);
    if (portions) {
      // The gap lies among folders sized folder by folder: a piece for each folder it touches.
      for (const x of portions) {
        const g = gap(x.after, x.end, (sp) => {
          const d = sp > 0 ? x.mass / sp : 0;
          return [{ t0: 0, t1: 1, d0: d, d1: d, unsure: !x.counted }];
        });
        out.push({ ...g, ...(bound ? { bound } : {}), ...(x.like ? { like: x.like } : {}) });
      }
      continue;
    }
    const run = seen ? runOf(scale, inside[i]) : undefined;
    const whole = end !== undefined ? spanned(a, end) : undefined;
    const [before, after] = whole ? [perPrefix(i), perPrefix(i + 1)] : [];
    // (Only prefixes named like those counted: "z/" after "a000123/" may hold any number of keys.)
    const alike =
      whole !== undefined &&
      (before !== undefined || after !== undefined) &&
      whole.inner.every((x) => !x.prefix || before?.shapes.has(shapeOf(x.name)) || after?.shapes.has(shapeOf(x.name)));
    if (whole && end !== undefined && alike) {
      // The gap spans top-level prefixes whole, named like prefixes seen whole beside it: each is
      // taken to hold about as many keys as those (from one side's count to the other's). The rest
      // of the prefix of the key before the gap, and the start of the one after, are estimated
      // like any gap, as ending where the prefix ends and starting where it starts.
      const { own, inner } = whole;
      const lastInner = inner[inner.length - 1];
      const [first, then] = [before?.count ?? after?.count ?? 0, after?.count ?? before?.count ?? 0];
      const counts = inner.map((x, j) => {
        const f = (j + 1) / (inner.length + 1);
        return x.prefix ? first * (1 - f) + then * f : 1;
      });
      const mass = counts.reduce((n, x) => n + x, 0);
      if (compareKeys(own.end, a) > 0) {
        out.push(gap(a, own.end, (sp) => segmentsOf(scale, a, own.end, sp, left, 0, run)));
      }
      out.push(
        gap(own.end, lastInner.end, (sp) => [
          { t0: 0, t1: 1, d0: sp > 0 ? mass / sp : 0, d1: sp > 0 ? mass / sp : 0, unsure: false },
        ]),
      );
      if (compareKeys(end, lastInner.end) > 0) {
        out.push(gap(lastInner.end, end, () => [{ t0: 0, t1: 1, d0: right, d1: right, unsure: right > 0 }]));
      }
      continue;
    }
    // A counter that ended in the gap, taken to end with the counters of its width under other names
    // (`counterEnds`), at its density up to there, nothing past it; or, a top-level folder's own,
    // between its bounds (`afreshEnds`), with a key for each number up to there. (With no probe
    // past its end yet, that estimate is a bound from below: the sample keeps its whole budget.)
    const fresh = endsLike.has(i) ? undefined : endsAfresh.get(i);
    const like = endsLike.get(i) ?? fresh?.end;
    if (like !== undefined && end !== undefined) {
      const g = gap(a, end, (sp) => {
        const t = sp > 0 ? Math.min(1, scale.span(a, like) / sp) : 1;
        // (So many keys, whatever the density of the page before the gap: at 30,000 keys its window
        // held the end of `photos/` and the first 100 of `scans/`, and `scans/` was taken to end
        // there.)
        const d = fresh && sp * t > 0 ? fresh.keys / (sp * t) : left;
        return [
          { t0: 0, t1: t, d0: d, d1: d, unsure: true },
          { t0: t, t1: 1, d0: 0, d1: 0, unsure: true },
        ];
      });
      out.push(fresh?.bound ? { ...g, bound: true } : g);
      continue;
    }
    // Past the last page with nothing seen after it, the page's family is taken to run on to its
    // end; before a page that shows the end (empty), the gap is split like any other.
    out.push(
      gap(a, end, (sp) =>
        next === undefined
          ? openSegments(scale, a, within.endAt, sp, left)
          : segmentsOf(scale, a, end ?? within.endAt, sp, left, right, run, inside[i + 1][0]),
      ),
    );
  }
  return out;
}

/**
 * Counters of one width under different names (`ascii/0014295` and `日本/0401419`;
 * `originals/00400999.jpg` and `thumbs/00400999.jpg`) that ended inside the gap after a covered
 * interval: the first key past the gap is not of the counter (another name, or none). Each is
 * bounded by the last number seen and the gap's end. Names numbered by one counter (a sequence
 * shared by several prefixes, ids repeated under `originals/` and `thumbs/`) end together: where
 * the bounds of the counters of one width (and suffix) have numbers in common, each counter bounded
 * more loosely is taken to end at the lowest of their upper bounds, a bound from another being
 * better than its whole subtree. Where they have none (one seen past where another ended), the
 * counters are independent, and none is taken to end like another. (Five scripts numbered from one
 * counter: each family's end otherwise needs probes of its own, three or more, and 20 requests are
 * not enough for five.) Returns, per covered interval so taken, the key its counter is taken to end
 * at.
 */
function counterEnds(covered: readonly Covered[], inside: readonly (readonly string[])[]): Map<number, string> {
  const ended: { i: number; stem: string; suffix: string; width: number; lo: number; hi: number }[] = [];
  for (let i = 0; i + 1 < covered.length; i++) {
    const a = covered[i].last;
    const e = covered[i + 1].after;
    if (a === undefined || e === undefined) continue;
    // A name, a counter, and what follows it (`.jpg`): the only number in the key. (In
    // `f0123/obj-00012345` the counter is one of a folder's, as `logs/2026/03/14/000123.gz` is one
    // of a day's: folders are sized as folders.)
    const m = TRAILING_NUMBER.exec(a);
    if (!m || m[1].length < MIN_COUNTER_DIGITS) continue;
    const [stem, width, suffix] = [a.slice(0, m.index), m[1].length, m[2]];
    if (/\d/.test(stem)) continue;
    if (goesOn(a, inside[i + 1][0], stem)) continue;
    const lo = Number(m[1]);
    const hi = e.startsWith(stem) ? lastNumberBefore(Array.from(e.slice(stem.length)), width) : 10 ** width - 1;
    if (hi > lo) ended.push({ i, stem, suffix, width, lo, hi });
  }
  const out = new Map<number, string>();
  for (const x of ended) {
    const group = ended.filter((y) => y.width === x.width && y.suffix === x.suffix);
    if (!group.some((y) => y.stem !== x.stem)) continue;
    // One end for all of them must lie within every bound; where none can (a counter seen past where
    // another ended), they are counted apart, and none is taken to end like another.
    const lo = Math.max(...group.map((y) => y.lo));
    const hi = Math.min(...group.map((y) => y.hi));
    if (lo >= hi || x.hi <= hi) continue;
    out.set(x.i, x.stem + String(hi).padStart(x.width, '0') + x.suffix);
  }
  return out;
}

/**
 * Top-level folders of their own counters (`ownCounters`), numbered afresh and one by one
 * (`photos/0000000`, `scans/0000000`, each from 0; `oneByOne`), whose counter ended inside the gap
 * after a covered interval: each is taken to end midway (geometrically) between the last number
 * seen and the lowest one a probe found past it, as the last of like-named folders is
 * (`afreshEnd`); with no such probe yet, at twice the numbers seen, a bound from below (`bound`).
 * (Taken on the scale instead, the counter filled the rest of the subtree its last key lay in, and
 * little after: at 737,000 keys `photos/` was estimated 2.4 times its 22,110 keys, and `scans/`
 * four fifths of its 442,200.) Returns, per covered interval so ended, the key its counter is taken
 * to end at and the keys up to there.
 */
function afreshEnds(
  sample: KeySpaceSample,
  inside: readonly (readonly string[])[],
): Map<number, { readonly end: string; readonly keys: number; readonly bound: boolean }> {
  const { keys, covered } = sample;
  const names = ownCounters(sample.tops) ?? [];
  const out = new Map<number, { end: string; keys: number; bound: boolean }>();
  for (let i = 0; i + 1 < covered.length; i++) {
    const a = covered[i].last;
    const j = a === undefined ? -1 : firstAfter(names, a) - 1;
    if (a === undefined || j < 0 || !a.startsWith(names[j])) continue;
    const stop = afterSubtree(names[j]);
    // (The page after the gap shows no more of the folder: its counter ended inside the gap.)
    const after = inside[i + 1][0];
    if (after !== undefined && compareKeys(after, stop) < 0) continue;
    const held = folderKeys(keys, names[j]);
    const run = afreshRun(held);
    if (!run || held[held.length - 1] !== a || !seenFromStart(held[0], names[j], covered)) continue;
    if (!oneByOne(run, held, covered)) continue;
    const end = afreshEnd(run, covered, stop);
    if (end.exact) continue;
    // (With no probe past its end, at least as many again as seen, where the first probe at its
    // numbers goes: a bound from below only.)
    const next = end.past === undefined ? Math.min(2 * end.next, 10 ** run.width) : end.next;
    out.set(i, {
      end: run.stem + String(next - 1).padStart(run.width, '0') + run.suffix,
      keys: next - 1 - run.last,
      bound: end.past === undefined,
    });
  }
  return out;
}

/**
 * True when the keys of a folder numbered afresh (`held`, in order, numbered as `run`) go one by one
 * wherever two were seen on one page: a counter of the folder's own, not one that other folders
 * share (`日本/0000069` then `日本/0000100`, the numbers between taken by `données/é` and others).
 */
function oneByOne(run: AfreshRun, held: readonly string[], covered: readonly Covered[]): boolean {
  const number = (k: string) => Number(k.slice(run.stem.length, k.length - run.suffix.length));
  for (const c of covered) {
    const page = keysIn(held, c.after, c.last);
    for (let x = 1; x < page.length; x++) if (number(page[x]) !== number(page[x - 1]) + 1) return false;
  }
  return true;
}

/**
 * The top-level folders of a complete listing by delimiter, when there are several: each may number
 * its keys by a counter of its own (`photos/`, `scans/`, `videos/`). Undefined otherwise: one folder's
 * counter ends where the key space does, and is sized as the end of the space (probed at its
 * numbers, `uniform numbered` planned 1.08x → 1.65x at 1,370,000 keys and 16 ranges); a listing cut
 * short does not show every folder (13,701 in one huge prefix, many tiny: the probes went to the
 * huge folder's end and left the small ones unsized, 1.29x → 3.65x). See bench/RESULTS.md.
 */
function ownCounters(tops: KeySpaceSample['tops']): string[] | undefined {
  if (!tops?.complete) return undefined;
  const names = tops.entries.filter((e) => e.prefix).map((e) => e.name);
  return names.length >= 2 ? names : undefined;
}

/** Counters of fewer digits are not taken to end like others. */
const MIN_COUNTER_DIGITS = 3;

/**
 * The largest number of `width` digits whose name lies at or before `at` (the characters of a
 * start key from where the counter begins): "05072" → 0507199, "0:" (past the digits) → 0999999.
 */
function lastNumberBefore(at: readonly string[], width: number): number {
  let digits = '';
  while (digits.length < Math.min(width, at.length) && isDigit(at[digits.length])) digits += at[digits.length];
  const past = digits.length < at.length && digits.length < width && at[digits.length] > '9';
  const rest = width - digits.length;
  if (digits.length === 0) return past ? 10 ** width - 1 : 0;
  return (Number(digits) + (past ? 1 : 0)) * 10 ** rest - 1;
}

/** The part of a gap that lies in one folder, and the keys estimated there. */
interface Portion {
  readonly after: string;
  readonly end: string | undefined;
  readonly mass: number;
  /** True when a counter running across the folders counts the keys of the gap. */
  readonly counted: boolean;
  /** Where its keys are taken to lie: those of a folder seen whole, under this one. */
  readonly like?: readonly string[];
}

/**
 * The gaps of a sample among its folders (`sample.folders`), split folder by folder, by the index
 * of the covered interval before each. Every folder is taken to hold the names from its own to the
 * next one's. A folder's keys are estimated from the sample:
 * - a folder seen whole holds the keys seen;
 * - a folder seen in part, its names hashed, holds the keys seen over the share of its names seen
 *   (on the scale of its keys);
 * - where the keys are numbered by one counter running across the folders in key order (each page
 *   numbered one by one, each after the one before), the keys of a gap are the difference of the
 *   counters at its two ends, shared among its folders;
 * - any other folder holds as many keys as the folders estimated on either side of it, taken
 *   linearly between the nearest (the nearest alone past the last), and no fewer than it shows.
 * A gap that starts before the first folder is not split (undefined for it).
 */
function folderPortions(
  sample: KeySpaceSample,
  inside: readonly (readonly string[])[],
): { portions: Map<number, Portion[]>; sure: boolean } {
  const names = sample.folders!;
  const { covered, within } = sample;
  // The folder a key lies in: the last one named at or before it (-1: before the first).
  const of = (key: string): number => firstAfter(names, key) - 1;
  const delimiter = sample.tops?.delimiter;
  const held: string[][] = names.map(() => []);
  for (const k of sample.keys) {
    const j = of(k);
    if (j >= 0) held[j].push(k);
  }
  const seen = held.map((ks) => ks.length);
  const scales = held.map((ks, j) => Scale.of(ks.length > 0 ? ks : [names[j]]));
  const width = names.map((n, j) => scales[j].span(n, scales[j].subtreeEnd(n)));
  // The share of folder j's names between lo and hi.
  const share = (j: number, lo: string, hi: string | undefined): number => {
    if (!(width[j] > 0)) return 1;
    const end = scales[j].subtreeEnd(names[j]);
    const from = maxKey(lo, names[j])!;
    const to = minKey(hi, end)!;
    return compareKeys(from, to) >= 0 ? 0 : scales[j].span(from, to) / width[j];
  };
  // Each gap after the first folder's start: the folders it touches, and the share of each.
  const gaps: { i: number; a: string; e: string | undefined; touched: { j: number; share: number }[] }[] = [];
  const open = names.map(() => 0);
  for (let i = 0; i < covered.length; i++) {
    const a = covered[i].last;
    if (a === undefined) break;
    const ja = of(a);
    if (ja < 0) continue;
    const e = covered[i + 1]?.after ?? within.endAt;
    const je = e === undefined ? names.length - 1 : Math.max(ja, of(e));
    const touched: { j: number; share: number }[] = [];
    for (let j = ja; j <= je; j++) {
      const x = share(j, j === ja ? a : names[j], j === je ? e : names[j + 1]);
      touched.push({ j, share: x });
      open[j] += x;
    }
    gaps.push({ i, a, e, touched });
  }
  // A counter running across the folders: every page numbered one by one, each page after the last.
  const counterOf = (k: string): number | undefined => {
    const m = TRAILING_NUMBER.exec(k);
    return m ? Number(m[1]) : undefined;
  };
  const pages = inside.map((ks) => ks.filter((k) => of(k) >= 0));
  const runs = pages.map((ks) => ks.map(counterOf)).filter((ns) => ns.length > 0);
  const increasing = (ns: (number | undefined)[]): ns is number[] =>
    ns.every((n, x) => n !== undefined && (x === 0 || n > ns[x - 1]!));
  const numbered = (ns: (number | undefined)[]): ns is number[] =>
    increasing(ns) && ns[ns.length - 1] - ns[0] <= COUNTER_SLACK * (ns.length - 1);
  // (It must be seen running on from one folder into the next inside a page: numbers that start
  // afresh in each folder, from a base that grows, say a date, count nothing between pages.)
  const crossing = pages.some((ks) => ks.length >= 2 && of(ks[0]) !== of(ks[ks.length - 1]));
  const counter =
    crossing &&
    runs.filter((ns) => ns.length >= 2).length >= 2 &&
    runs.every(numbered) &&
    runs.every((ns, x) => x === 0 || (ns[0] as number) > (runs[x - 1][runs[x - 1].length - 1] as number));
  // Keys of a gap by the counter: the difference at its ends (the page after it shows keys).
  const counted = (g: (typeof gaps)[number]): number | undefined => {
    const next = inside[g.i + 1];
    if (!counter || !next || next.length === 0) return undefined;
    return Math.max(0, counterOf(next[0])! - counterOf(g.a)! - 1);
  };
  // Folders whose size the sample shows, and what it shows.
  const anchors: { at: number; n: number }[] = [];
  // The size of each folder the sample shows (undefined: none shown).
  const sized: (number | undefined)[] = names.map(() => undefined);
  const size = (j: number, n: number) => {
    anchors.push({ at: j, n });
    sized[j] = n;
  };
  // A folder seen in part whose keys lie in it (not in folders below it: their names are not spread
  // over its scale), extrapolated from them.
  const partial = (j: number) =>
    !counter &&
    seen[j] >= MIN_EXTRAPOLATED &&
    open[j] < 1 &&
    !held[j].some((k) => delimiter !== undefined && k.includes(delimiter, names[j].length));
  // (A folder outside the sampled range is no gap's and shows nothing.)
  const inRange = names.map(
    (n, j) => subtreeReaches(n, within) && (seen[j] > 0 || open[j] > 0 || covered.some((c) => keyInCovered(n, c))),
  );
  // Folders numbered afresh (from 0 or 1, one by one) whose first key was seen: where they end.
  const fresh = names.map((n, j) => {
    const run = !counter && inRange[j] && open[j] > 1e-9 ? afreshRun(held[j]) : undefined;
    if (!run || !seenFromStart(held[j][0], n, covered)) return undefined;
    const end = afreshEnd(run, covered, afterSubtree(n));
    return { run, next: end.next, bounded: end.bounded };
  });
  // What a folder shows: its keys seen, or in one numbered afresh, the numbers up to the last seen.
  const shown = names.map((_, j) => Math.max(seen[j], fresh[j] ? fresh[j]!.next - fresh[j]!.run.first : 0));
  // (A folder numbered afresh and bounded from below only is sized like any other, from that bound.)
  const sizedFresh = fresh.map((f) => (f?.bounded ? f : undefined));
  names.forEach((_, j) => {
    if (!inRange[j]) return;
    // (Not a numbered folder: its numbers need not run over all the names their digits allow.)
    if (open[j] <= 1e-9) size(j, seen[j]);
    else if (sizedFresh[j]) size(j, shown[j]);
    else if (partial(j) && !increasing(held[j].map(counterOf))) size(j, seen[j] / (1 - open[j]));
  });
  if (counter) {
    for (const g of gaps) {
      const m = counted(g);
      const units = g.touched.reduce((n, t) => n + t.share, 0);
      if (m === undefined || !(units > 0)) continue;
      anchors.push({ at: g.touched.reduce((n, t) => n + t.j * t.share, 0) / units, n: m / units });
    }
  }
  // With no folder's size known, numbered folders seen in part are extrapolated all the same (their
  // numbers fill a like share of their names, say: the sizes compare, the total is too large), or
  // else each is sized by the keys seen in it, which bounds it from below.
  const sure = anchors.length > 0;
  if (!sure) {
    names.forEach((_, j) => {
      if (partial(j)) size(j, seen[j] / (1 - open[j]));
    });
  }
  if (anchors.length === 0) names.forEach((_, j) => seen[j] > 0 && anchors.push({ at: j, n: seen[j] }));
  anchors.sort((x, y) => x.at - y.at);
  // Between two anchors, sizes are taken on the line through them, or on the geometric curve where
  // that predicts each anchor from its neighbours better: folders that grow by a factor each (an
  // intake that grew 1,600-fold) rather than by a number of keys each (later days busier).
  const between = (lo: { at: number; n: number }, hi: { at: number; n: number }, j: number, geo: boolean) => {
    const t = (j - lo.at) / (hi.at - lo.at || 1);
    return geo && lo.n > 0 && hi.n > 0 ? lo.n * (hi.n / lo.n) ** t : lo.n + (hi.n - lo.n) * t;
  };
  const misfit = (geo: boolean) =>
    anchors.reduce((sum, a, k) => {
      const [lo, hi] = [anchors[k - 1], anchors[k + 1]];
      if (!lo || !hi || !(a.n > 0)) return sum;
      return sum + Math.abs(Math.log(Math.max(1e-9, between(lo, hi, a.at, geo)) / a.n));
    }, 0);
  // (By a clear margin: with few anchors, both fit about as well, and the line is kept.)
  const fitsGeometric = () => misfit(true) < GEOMETRIC_MISFIT * misfit(false);
  let geometric = fitsGeometric();
  const interpolate = (j: number): number => {
    let k = 0;
    while (k < anchors.length && anchors[k].at < j) k++;
    const [lo, hi] = [anchors[k - 1], anchors[k]];
    if (!lo) return hi?.n ?? 0;
    if (!hi) return lo.n;
    return between(lo, hi, j, geometric);
  };
  // A folder seen in part that shows more keys than the folders around it make it hold (a busier
  // month past quieter ones) stands for its neighbours with the keys it shows, a bound from below.
  // The one that shows most first, then again: a folder that shows less than the line through it
  // then makes it hold (its one page, before a last folder that shows tens of pages) is no anchor.
  const candidates = names
    .map((_, j) => j)
    .filter((j) => sized[j] === undefined && open[j] > 0)
    .sort((x, y) => shown[y] - shown[x]);
  for (const j of candidates) {
    if (!(shown[j] > interpolate(j))) continue;
    anchors.push({ at: j, n: shown[j] });
    anchors.sort((x, y) => x.at - y.at);
    geometric = fitsGeometric();
  }
  const estimate = names.map((_, j) => (sized[j] !== undefined ? sized[j] : Math.max(shown[j], interpolate(j))));
  // For a folder not seen, of folders not seen either, the keys of the nearest folder seen whole,
  // moved under it: its own folders (days of a month) are named like those, and the scale, taking a
  // digit seen as all ten, would spread them over names that none holds (days 00 to 99).
  const likeFolder = (j: number): string[] | undefined => {
    if (seen[j] > 0 || delimiter === undefined) return undefined;
    for (let d = 1; d < names.length; d++) {
      for (const r of [j - d, j + d]) {
        if (r < 0 || r >= names.length || open[r] > 1e-9 || seen[r] < 2) continue;
        const rest = held[r].map((k) => k.slice(names[r].length));
        return rest.some((k) => k.includes(delimiter)) ? rest.map((k) => names[j] + k) : undefined;
      }
    }
    return undefined;
  };
  const out = new Map<number, Portion[]>();
  // How the keys of a folder are numbered, where folders are numbered afresh: its own numbering up
  // to its end (as sized, or as estimated), or for a folder not seen, that of the nearest one seen,
  // under its own name. (Spread on the scale, a run of numbers would reach names their digits allow
  // but no key holds: part-500000 in a folder of 5,000 parts.)
  const numbering = names.map((n, j) => {
    const f = fresh[j];
    if (f) return { ...f.run, end: f.bounded ? f.next : f.run.first + estimate[j] };
    if (seen[j] > 0) return undefined;
    for (let d = 1; d < names.length; d++) {
      const r = [j - d, j + d].find((x) => fresh[x] !== undefined);
      if (r === undefined) continue;
      const { run } = fresh[r]!;
      return { ...run, stem: n + run.stem.slice(names[r].length), end: run.first + estimate[j] };
    }
    return undefined;
  });
  // The numbers a gap holds in such a folder: from the one after the key before the gap (or the
  // folder's first) to the one before the key after it (or the folder's end).
  const freshNumbers = (j: number, after: string, end: string | undefined): [number, number] | undefined => {
    const f = numbering[j];
    if (!f) return undefined;
    const numberOf = (k: string | undefined) => {
      const digits = k?.startsWith(f.stem) ? k.slice(f.stem.length, f.stem.length + f.width) : '';
      return digits.length === f.width && /^\d+$/.test(digits) ? Number(digits) : undefined;
    };
    const lo = (numberOf(after) ?? f.first - 1) + 1;
    const hi = Math.min(f.end, numberOf(end) ?? f.end);
    return [lo, Math.max(lo, Math.round(hi))];
  };
  for (const g of gaps) {
    const m = counted(g);
    // Where the gap lies in each folder it touches, and the numbers it holds there (numbered afresh).
    const afterOf = (x: number) => (x === 0 ? g.a : names[g.touched[x].j]);
    const endOf = (x: number) => (x === g.touched.length - 1 ? g.e : names[g.touched[x].j + 1]);
    const numbers = g.touched.map((t, x) => freshNumbers(t.j, afterOf(x), endOf(x)));
    const raw = g.touched.map((t, x) => {
      const held = numbers[x];
      if (held) return held[1] - held[0];
      return open[t.j] > 0 ? (Math.max(0, estimate[t.j] - seen[t.j]) * t.share) / open[t.j] : 0;
    });
    const sum = raw.reduce((n, x) => n + x, 0);
    // A count by the counter is shared in proportion to the estimate (evenly where it is nothing).
    const mass = m === undefined ? raw : sum > 0 ? raw.map((x) => (x * m) / sum) : raw.map(() => m / raw.length);
    const portions: Portion[] = [];
    // Numbered by the counter, the keys of a gap run on from the key before it, folder by folder:
    // each folder's share of the estimate is where its keys lie, named like that key.
    const named = counter ? TRAILING_NUMBER.exec(g.a) : undefined;
    let next = named ? Number(named[1]) + 1 : 0;
    const numberedLike = (j: number, n: number): string[] | undefined => {
      if (!named || !(n >= 1)) return undefined;
      const mid = g.a.slice(names[g.touched[0].j].length, g.a.length - named[0].length);
      // (Not where the keys lie in folders below: their names are not known.)
      if (delimiter !== undefined && mid.includes(delimiter)) return undefined;
      const count = Math.min(LIKE_KEYS, Math.ceil(n));
      const from = next;
      next += n;
      return Array.from(
        { length: count },
        (_, q) => names[j] + mid + String(Math.floor(from + (q * n) / count)).padStart(named[1].length, '0') + named[2],
      );
    };
    // In a folder numbered afresh, the numbers the gap holds, named like its keys.
    const freshLike = (j: number, held: [number, number] | undefined): string[] | undefined => {
      if (!held || held[1] <= held[0]) return undefined;
      const [lo, n] = [held[0], held[1] - held[0]];
      const count = Math.min(LIKE_KEYS, n);
      const { stem, width, suffix } = numbering[j]!;
      return Array.from(
        { length: count },
        (_, q) => stem + String(lo + Math.floor((q * n) / count)).padStart(width, '0') + suffix,
      );
    };
    g.touched.forEach((t, x) => {
      const [after, end] = [afterOf(x), endOf(x)];
      const numbered = freshLike(t.j, numbers[x]);
      const like = numberedLike(t.j, mass[x]) ?? numbered ?? likeFolder(t.j);
      // The keys lie in the folder's subtree; the names past it to the next folder hold none.
      const sub = afterSubtree(names[t.j]);
      const split = compareKeys(after, sub) < 0 && (end === undefined || compareKeys(sub, end) < 0);
      const whole = like !== undefined && (named || numbered !== undefined || after === names[t.j]) && mass[x] > 0;
      portions.push({
        after,
        end: split ? sub : end,
        mass: mass[x],
        counted: m !== undefined,
        ...(whole ? { like } : {}),
      });
      if (split) portions.push({ after: sub, end, mass: 0, counted: m !== undefined });
    });
    out.set(g.i, portions);
  }
  return { portions: out, sure };
}

/** How much better the geometric curve must fit a sample's folder sizes than the line to be taken. */
const GEOMETRIC_MISFIT = 0.8;

/** The last number in a key, and what follows it (a counter and its suffix: "0000123" and ".gz"). */
const TRAILING_NUMBER = /(\d+)(\D*)$/;

/** A numbered page whose counter advances by up to this much a key runs one by one (some keys deleted). */
const COUNTER_SLACK = 1.5;

/** Keys named for a folder numbered by a counter, at which its boundaries are cut. */
const LIKE_KEYS = 256;

/** Fewest keys a folder seen in part shows for its size to be extrapolated from them. */
const MIN_EXTRAPOLATED = 20;

/** Probes a sample spends sizing a folder numbered afresh (see `sizeAfresh`). */
const AFRESH_PROBES = 3;

/** Keys numbered afresh in one folder: `stem`, then the number zero-padded to `width`, then `suffix`. */
interface AfreshRun {
  readonly stem: string;
  readonly width: number;
  readonly suffix: string;
  /** The first and the last number seen. */
  readonly first: number;
  readonly last: number;
}

/**
 * The numbering of keys (in order, from the first of a folder) that start afresh: the first
 * numbered 0 or 1, the next `MIN_EXTRAPOLATED` one by one, all increasing, each the same stem,
 * width and suffix (`logs/2026/03/14/` `000000` `.gz`). Undefined: not so numbered, or too few.
 */
function afreshRun(keys: readonly string[]): AfreshRun | undefined {
  if (keys.length < MIN_EXTRAPOLATED) return undefined;
  const m0 = TRAILING_NUMBER.exec(keys[0]);
  if (!m0 || Number(m0[1]) > 1) return undefined;
  const stem = keys[0].slice(0, m0.index);
  const [width, suffix] = [m0[1].length, m0[2]];
  let prev = -1;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const digits = k.slice(stem.length, k.length - suffix.length);
    const n = Number(digits);
    const alike = k.startsWith(stem) && k.endsWith(suffix) && digits.length === width && /^\d+$/.test(digits);
    if (!alike || n <= prev || (i < MIN_EXTRAPOLATED && i > 0 && n !== prev + 1)) return undefined;
    prev = n;
  }
  return { stem, width, suffix, first: Number(m0[1]), last: prev };
}

/**
 * True when the folder `name`'s first key was seen from the folder's start: an interval seen whole
 * holds it and starts at or before the folder (nothing of the folder lies before it unseen).
 */
function seenFromStart(firstKey: string, name: string, covered: readonly Covered[]): boolean {
  return covered.some((c) => keyInCovered(firstKey, c) && compareKeys(c.after ?? '', name) <= 0);
}

/** The number midway between two on a logarithmic scale (a size known within a factor). */
function midway(lo: number, hi: number): number {
  return Math.round(Math.sqrt(Math.max(1, lo) * hi));
}

/**
 * The number after the last of a folder numbered afresh: exact when a page showed its last key (the
 * interval seen around the last number reaches `end`, past the folder); otherwise midway between
 * the last number seen and the lowest number a probe found nothing at or past; with no such probe,
 * the one after the last number seen (the numbers below it are taken to be there), a bound from
 * below only (`bounded` false).
 */
function afreshEnd(
  run: AfreshRun,
  covered: readonly Covered[],
  end: string,
): { readonly next: number; readonly exact: boolean; readonly bounded: boolean; readonly past?: number } {
  const lastKey = run.stem + String(run.last).padStart(run.width, '0') + run.suffix;
  const around = covered.find((c) => keyInCovered(lastKey, c));
  if (around && (around.last === undefined || compareKeys(around.last, end) >= 0)) {
    return { next: run.last + 1, exact: true, bounded: true };
  }
  let past: number | undefined;
  for (const c of covered) {
    if (c.after === undefined || !c.after.startsWith(run.stem)) continue;
    const digits = c.after.slice(run.stem.length);
    // (No key seen past the last number: a probe there found only keys past the folder, or none.)
    if (digits.length !== run.width || !/^\d+$/.test(digits) || Number(digits) <= run.last) continue;
    past = Math.min(past ?? Infinity, Number(digits));
  }
  return past === undefined
    ? { next: run.last + 1, exact: false, bounded: false }
    : { next: midway(run.last + 1, past), exact: false, bounded: true, past };
}

/**
 * The stretches of the gap (a, e]: the rest of the subtree of `a` below the first character where
 * `a` and `e` differ, at the density after `a`; the start of the subtree of `e` there, at the
 * density before `e`; and the names between, at the density of both ends where they agree (linear
 * from one to the other), or the smaller where they disagree (a region of keys ends at a subtree's
 * end more often than halfway through the names after it). `next` is the first key seen after `e`.
 */
function segmentsOf(
  scale: Scale,
  a: string,
  e: string | undefined,
  span: number,
  left: number,
  right: number,
  run: { prefix: string; end: string } | undefined,
  next?: string,
): Segment[] {
  const agree = Math.max(left, right) <= AGREE * Math.min(left, right);
  if (!(span > 0)) return [{ t0: 0, t1: 1, d0: left, d1: right, unsure: !agree }];
  const ca = Array.from(a);
  const ce = e === undefined ? [] : Array.from(e);
  const d = e === undefined ? 0 : commonLength(a, e);
  // The gap runs to the end of the subtree of a digit of `a` (a probe was sent there): the numbered
  // run is taken to fill the rest of that subtree. That is as sure as the page before it when the
  // first key past the subtree goes on with the run (obj/0110000 past obj/010:). When it is another
  // name, or none, the run ended somewhere in the stretch, which may hold all of it or nothing
  // (`huge/1232999` ends a run whose subtree runs to `huge/1299999`): the two ends disagree, and
  // the stretch is doubted as any other where they do.
  if (ce.length === d + 1 && isDigit(ca[d]) && scale.isPast(d, ce[d])) {
    const parent = ca.slice(0, Math.max(0, d - 1)).join('');
    return [{ t0: 0, t1: 1, d0: left, d1: left, unsure: !goesOn(a, next, parent) }];
  }
  const tl = d < ca.length ? Math.min(1, scale.span(a, scale.subtreeEnd(ca.slice(0, d + 1).join(''))) / span) : 0;
  const tr = e !== undefined && d < ce.length ? Math.max(tl, 1 - scale.span(ce.slice(0, d + 1).join(''), e) / span) : 1;
  // Between two digits (or two letters of one case) the names are siblings in one numbered or hashed
  // family, which more likely runs on than stops at a subtree; between other characters they are
  // names no key was seen with.
  const siblings =
    d < ca.length && d < ce.length && charClass(ca[d]) !== undefined && charClass(ca[d]) === charClass(ce[d]);
  const low = Math.min(left, right);
  // Where the ends disagree, the run of keys before the gap is taken to fill the subtree its last
  // keys share, and no more of the subtree of `a` than that; its siblings are taken to hold as many
  // keys as that subtree then does (not the run's density over all of each).
  const tRun = agree || run === undefined ? tl : Math.min(tl, scale.span(a, run.end) / span);
  let sibling = left;
  if (run !== undefined && tRun < tl && d < ca.length) {
    const own = ca.slice(0, d + 1).join('');
    const width = scale.span(own, scale.subtreeEnd(own));
    if (width > 0) sibling = Math.min(left, (left * scale.span(run.prefix, run.end)) / width);
  }
  const mid = agree ? { d0: left, d1: right } : siblings ? { d0: sibling, d1: right } : { d0: low, d1: low };
  return [
    { t0: 0, t1: tRun, d0: left, d1: left, unsure: !agree },
    { t0: tRun, t1: tl, d0: low, d1: low, unsure: !agree },
    { t0: tl, t1: tr, ...mid, unsure: !agree },
    { t0: tr, t1: 1, d0: right, d1: right, unsure: !agree },
  ];
}

/**
 * The stretches of a gap after `a` with nothing known past it: the numbered or hashed family `a`
 * belongs to (from its first digit or hexadecimal character on) is taken to run on to its end at the
 * density before the gap, and nothing to lie past that (the sampler gallops there to find out).
 */
function openSegments(scale: Scale, a: string, end: string | undefined, span: number, left: number): Segment[] {
  const ca = Array.from(a);
  const f = ca.findIndex((ch, j) => scale.numbered(j, ch));
  // (A family from the first character on runs to the end of the space.)
  const to = f === 0 ? end : scale.subtreeEnd(ca.slice(0, f < 0 ? 1 : f).join(''));
  const tl = span > 0 ? Math.min(1, scale.span(a, to) / span) : 1;
  return [
    { t0: 0, t1: tl, d0: left, d1: left, unsure: true },
    { t0: tl, t1: 1, d0: 0, d1: 0, unsure: true },
  ];
}

/**
 * The subtree the last keys of an interval share (its last DENSITY_WINDOW keys), and its end: how
 * far the run they belong to surely goes. Undefined when fewer than two keys.
 */
function runOf(scale: Scale, keys: readonly string[]): { prefix: string; end: string } | undefined {
  if (keys.length < 2) return undefined;
  const first = keys[Math.max(0, keys.length - DENSITY_WINDOW)];
  const last = keys[keys.length - 1];
  const prefix = Array.from(last).slice(0, commonLength(first, last)).join('');
  return { prefix, end: scale.subtreeEnd(prefix) };
}

/** True when `next` goes on with the run of `a`: under `prefix`, and named the same way. */
function goesOn(a: string, next: string | undefined, prefix: string): boolean {
  return next !== undefined && next.startsWith(prefix) && shapeOf(next) === shapeOf(a);
}

/** The shape of a name: each digit, lowercase and uppercase letter by its class, other characters as they are. */
function shapeOf(name: string): string {
  return Array.from(name, (ch) => charClass(ch)?.[0] ?? ch).join('');
}

/** The number of leading characters two keys share. */
function commonLength(a: string, b: string): number {
  const ca = Array.from(a);
  const cb = Array.from(b);
  let d = 0;
  while (d < ca.length && d < cb.length && ca[d] === cb[d]) d++;
  return d;
}

const isDigit = (ch: string | undefined) => ch !== undefined && ch >= '0' && ch <= '9';

/** 'digit', 'lower' or 'upper' for ASCII digits and letters; undefined for other characters. */
function charClass(ch: string): string | undefined {
  if (ch >= '0' && ch <= '9') return 'digit';
  if (ch >= 'a' && ch <= 'z') return 'lower';
  if (ch >= 'A' && ch <= 'Z') return 'upper';
  return undefined;
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

function keysIn(keys: readonly string[], after: string | undefined, last: string | undefined): string[] {
  const from = firstAfter(keys, after);
  const to = last === undefined ? keys.length : firstAfter(keys, last);
  return keys.slice(from, to);
}

/** The keys of `keys` (in order) under the folder `name`. */
function folderKeys(keys: readonly string[], name: string): string[] {
  return keysIn(keys, name, afterSubtree(name));
}

/** Keys at the end of a covered interval whose spacing gives the density next to it. */
const DENSITY_WINDOW = 200;

/**
 * Empty space before a page's first key, in key spacings of the page, beyond which the page is
 * taken to start a dense region rather than continue one.
 */
const EMPTY_LEAD = 20;

/** Width on the scale of the end of a key, against 1 for each character seen at a position. */
const END_WIDTH = 0.001;

/** Width of the space past the last character seen at a position, where unseen names may lie. */
const PAST_WIDTH = 0.25;

const DIGITS = Array.from({ length: 10 }, (_, i) => 0x30 + i);
const HEX_LETTERS = Array.from({ length: 6 }, (_, i) => 0x61 + i);
const isLetter = (cp: number) => (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);

/**
 * The characters of each position, sorted. A position holding one digit is taken to hold all ten;
 * a run of such positions is hexadecimal (all of 0-9a-f) when one of them shows two letters a-f
 * and none of them a letter past f.
 */
function alphabetsOf(seen: readonly Set<number>[]): number[][] {
  const hasDigit = seen.map((s) => DIGITS.some((d) => s.has(d)));
  const hexOnly = seen.map((s) => [...s].every((c) => !isLetter(c) || HEX_LETTERS.includes(c)));
  // (A position showing letters a-f only, such as the first of two hashed pages "c4..." and "e0...",
  // is hexadecimal too when its neighbour is.)
  const hexLike = seen.map((s, j) => hexOnly[j] && (hasDigit[j] || HEX_LETTERS.some((c) => s.has(c))));
  const hex = seen.map((s, j) => hexLike[j] && hasDigit[j] && HEX_LETTERS.filter((c) => s.has(c)).length >= 2);
  for (let changed = true; changed;) {
    changed = false;
    for (let j = 0; j < seen.length; j++) {
      if (!hex[j] && hexLike[j] && (hex[j - 1] || hex[j + 1])) hex[j] = changed = true;
    }
  }
  return seen.map((s, j) => {
    const out = new Set(s);
    if (hasDigit[j] || hex[j]) DIGITS.forEach((d) => out.add(d));
    if (hex[j]) HEX_LETTERS.forEach((d) => out.add(d));
    return [...out].sort((a, b) => a - b);
  });
}

/** Where a character falls among the slots of a position, in units of one character. */
interface Slot {
  readonly start: number;
  readonly width: number;
}

/**
 * A numeric scale for keys. Each position of a key is split into slots: the end of a key (narrow),
 * one slot per character seen at that position, in order, and the space past the last of them
 * (narrow); a key is the point reached by descending through the slots of its characters, so S3
 * order is numeric order. Slots are per position, so that a numbered or hashed part of the keys is
 * spread evenly whatever other names hold at other positions. A character not seen falls on the
 * edge between its neighbours. `undefined` as a start is the empty key (0); as an end, the end of
 * the space (1).
 */
export class Scale {
  /** The scale of a sample's keys. */
  static of(keys: readonly string[]): Scale {
    const at: Set<number>[] = [];
    const all = new Set<number>();
    for (const k of keys) {
      // By code point, without a string per character: thousands of keys, each sampling round.
      for (let i = 0, j = 0; i < k.length; i++, j++) {
        const cp = k.codePointAt(i)!;
        if (cp > 0xffff) i++;
        (at[j] ??= new Set()).add(cp);
        all.add(cp);
      }
    }
    const positions = alphabetsOf(Array.from(at, (x) => x ?? new Set<number>()));
    return new Scale(positions, alphabetsOf([all])[0]);
  }

  private constructor(
    private readonly positions: readonly (readonly number[])[],
    /** For positions past the longest key seen. */
    private readonly fallback: readonly number[],
  ) {}

  private alphabet(j: number): readonly number[] {
    const a = this.positions[j];
    return a && a.length > 0 ? a : this.fallback;
  }

  /** The width of position j: its slots end to end. */
  private width(j: number): number {
    return this.alphabet(j).length + END_WIDTH + PAST_WIDTH;
  }

  private slot(j: number, cp: number): Slot {
    const alphabet = this.alphabet(j);
    let lo = 0;
    let hi = alphabet.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (alphabet[m] < cp) lo = m + 1;
      else hi = m;
    }
    if (alphabet[lo] === cp) return { start: END_WIDTH + lo, width: 1 };
    return { start: END_WIDTH + lo, width: lo === alphabet.length ? PAST_WIDTH : 0 };
  }

  /** The value of `cps` from position `from` on, in units of the interval of its first `from` characters. */
  private value(cps: readonly number[], from: number): number {
    let v = 0;
    let w = 1;
    for (let i = from; i < cps.length && w > 1e-18; i++) {
      const W = this.width(i);
      const s = this.slot(i, cps[i]);
      v += (w * s.start) / W;
      w *= s.width / W;
    }
    return v;
  }

  /** The common prefix of two keys (code points), its interval on the scale, and the value of each after it. */
  private split(
    a: string | undefined,
    b: string | undefined,
  ): { at: number; pa: number[]; va: number; vb: number; unit: number } {
    const pa = a === undefined ? [] : Array.from(a, (ch) => ch.codePointAt(0)!);
    if (b === undefined) return { at: 0, pa, va: this.value(pa, 0), vb: 1, unit: 1 };
    const pb = Array.from(b, (ch) => ch.codePointAt(0)!);
    let at = 0;
    let unit = 1;
    while (at < pa.length && at < pb.length && pa[at] === pb[at]) {
      unit *= this.slot(at, pa[at]).width / this.width(at);
      at++;
    }
    return { at, pa, va: this.value(pa, at), vb: this.value(pb, at), unit };
  }

  /** The distance from `a` to `b` on the scale (0 when b <= a). */
  span(a: string | undefined, b: string | undefined): number {
    const { va, vb, unit } = this.split(a, b);
    return Math.max(0, vb - va) * unit;
  }

  /**
   * A key at `fraction` of the way from `a` to `b` on the scale, made of characters seen (or the
   * next code point past them); undefined when none lies strictly between them.
   */
  between(a: string | undefined, b: string | undefined, fraction: number): string | undefined {
    const { at, pa, va, vb } = this.split(a, b);
    const gap = vb - va;
    if (!(gap > 0)) return undefined;
    let v = va + Math.min(Math.max(fraction, 0), 1) * gap;
    // Descend through the slots from the common prefix until the slot reached is much narrower
    // than the gap.
    const out = pa.slice(0, at);
    let w = 1;
    for (let i = at; i < at + 64 && (i === at || w > gap * 1e-4); i++) {
      const alphabet = this.alphabet(i);
      const x = v * this.width(i);
      if (x < END_WIDTH) break;
      const c = Math.floor(x - END_WIDTH);
      if (c < alphabet.length) {
        out.push(alphabet[c]);
        v = x - END_WIDTH - c;
        w /= this.width(i);
      } else {
        out.push(this.past(i));
        v = Math.min(1, (x - END_WIDTH - alphabet.length) / PAST_WIDTH);
        w *= PAST_WIDTH / this.width(i);
      }
    }
    if (out.length === 0) return undefined;
    const key = String.fromCodePoint(...out);
    if (a !== undefined && compareKeys(key, a) <= 0) return undefined;
    if (b !== undefined && compareKeys(key, b) >= 0) return undefined;
    return key;
  }

  /**
   * The first name at or after `key` made of characters seen at each position, the end of a key
   * included (`key` itself when it is one); undefined when none is.
   */
  snap(key: string): string | undefined {
    const cps = Array.from(key, (ch) => ch.codePointAt(0)!);
    for (let i = 0; i < cps.length; i++) {
      if (this.alphabet(i).includes(cps[i])) continue;
      // Not seen here: the next character seen at this position, else carry to the one before.
      for (let j = i; j >= 0; j--) {
        const next = this.alphabet(j).find((c) => c > cps[j]);
        if (next !== undefined) return String.fromCodePoint(...cps.slice(0, j), next, 0);
      }
      return undefined;
    }
    return key + '\u0000';
  }

  /** A key after every key that starts with `prefix` that is made of characters seen. */
  subtreeEnd(prefix: string): string {
    return prefix + String.fromCodePoint(this.past(Array.from(prefix).length));
  }

  /** True when position j holds hexadecimal digits (0-9 and a-f). */
  isHex(j: number): boolean {
    const alphabet = this.alphabet(j);
    return HEX_LETTERS.every((c) => alphabet.includes(c)) && DIGITS.every((d) => alphabet.includes(d));
  }

  /** True when `ch` sorts after every character seen at position j. */
  isPast(j: number, ch: string): boolean {
    const alphabet = this.alphabet(j);
    return ch.codePointAt(0)! > (alphabet[alphabet.length - 1] ?? -1);
  }

  /** True when `ch` at position j is a digit, or a letter of a hexadecimal position. */
  numbered(j: number, ch: string): boolean {
    return isDigit(ch) || (HEX_LETTERS.includes(ch.codePointAt(0)!) && this.isHex(j));
  }

  /** The next code point past the last character seen at a position that is a character (not a surrogate). */
  private past(j: number): number {
    const alphabet = this.alphabet(j);
    const next = (alphabet[alphabet.length - 1] ?? 0x2f) + 1;
    if (next >= 0xd800 && next <= 0xdfff) return 0xe000;
    return Math.min(next, 0x10ffff);
  }
}
