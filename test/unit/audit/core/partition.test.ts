/**
 * The planner of self-chosen ranges on synthetic key sets of 1,000,000 keys (the layouts of
 * `bench/partition.ts`), probed in memory the way ListObjectsV2 answers (1,000 entries after
 * StartAfter, in S3 byte order; with a Delimiter, CommonPrefixes rolled up and counted).
 */
import {
  compareKeys,
  DEFAULT_SAMPLE_REQUESTS,
  KeyProbe,
  KeyRange,
  KeySpaceSample,
  planFromSample,
  planRanges,
  sampleBudget,
  sampleKeySpace,
  Scale,
} from '../../../../lambda/audit/core';
import { balanceOf, keyLayouts, listingOf, rangeSizes as sizes, sortedKeys } from '../../../support/key-space';

jest.setTimeout(120_000);

const pad = (n: number, w: number) => String(n).padStart(w, '0');

const LAYOUTS = keyLayouts(1_000_000);

const cache = new Map<string, string[]>();
function keysOf(layout: string): string[] {
  if (!cache.has(layout)) cache.set(layout, sortedKeys(LAYOUTS[layout]));
  return cache.get(layout)!;
}

const probeOf = listingOf;

function expectCover(keys: readonly string[], ranges: readonly KeyRange[]) {
  expect(ranges[0].startAfter).toBeUndefined();
  expect(ranges[ranges.length - 1].endAt).toBeUndefined();
  for (let i = 1; i < ranges.length; i++) expect(ranges[i].startAfter).toBe(ranges[i - 1].endAt);
  expect(sizes(keys, ranges).reduce((a, b) => a + b, 0)).toBe(keys.length);
}

/**
 * Samples `n` keys of `layout` with the default budget, and plans each of `counts` ranges from the
 * one sample: they cover the key space once, the largest within 2x of the smallest.
 */
async function expectSampledWithin2x(layout: string, n: number, counts: readonly number[]) {
  const keys = sortedKeys(keyLayouts(n)[layout]);
  const sample = await sampleKeySpace(probeOf(keys).probe);
  expect(sample.requests).toBeLessThanOrEqual(DEFAULT_SAMPLE_REQUESTS);
  for (const count of counts) {
    const plan = planFromSample(sample, count);
    expectCover(keys, plan.ranges);
    expect(balanceOf(keys, plan.ranges)).toBeLessThanOrEqual(2);
  }
}

/** List requests of a two-sided audit of `n` keys: one per 1,000 keys per side. */
const listRequests = (n: number) => 2 * Math.ceil(n / 1000);

describe.each([
  'one huge prefix (90%), many tiny',
  'half in one folder, half over 1,000',
  'many tiny, then a huge hashed prefix',
  'unicode scripts (70/10/10/7/3%)',
  'uniform numbered',
  'dated logs, later days busier',
  'dated logs, numbered afresh each day',
  'dated folders of hashed names (CloudTrail-like), later days busier',
  'numbered across 97 folders',
])('%s (1,000,000 keys)', (layout) => {
  test("from the previous run's page boundaries: ranges within 2x of each other, no request", () => {
    const keys = keysOf(layout);
    const pageEnds = keys.filter((_, i) => i % 1000 === 999 || i === keys.length - 1);
    for (const count of [4, 16]) {
      const ranges = planRanges({ count, sampleKeys: pageEnds });
      expect(ranges).toHaveLength(count);
      expectCover(keys, ranges);
      const s = sizes(keys, ranges);
      expect(Math.max(...s) / Math.min(...s)).toBeLessThanOrEqual(2);
    }
  });

  test('from a sample: at most 1% of the list requests, ranges that cover the key space once', async () => {
    const keys = keysOf(layout);
    const { probe, requests } = probeOf(keys);
    const sample = await sampleKeySpace(probe);
    expect(requests()).toBe(sample.requests);
    expect(sample.requests).toBeLessThanOrEqual(DEFAULT_SAMPLE_REQUESTS);
    expect(sample.requests / listRequests(keys.length)).toBeLessThanOrEqual(0.01);
    const plan = planFromSample(sample, 4);
    expect(plan.ranges).toHaveLength(4);
    expectCover(keys, plan.ranges);
  });
});

const samples = new Map<string, Promise<KeySpaceSample>>();
function sampleOf(layout: string): Promise<KeySpaceSample> {
  if (!samples.has(layout)) samples.set(layout, sampleKeySpace(probeOf(keysOf(layout)).probe));
  return samples.get(layout)!;
}

// Where a sample of 20 probes gives ranges within 2x of each other: every layout of the benchmark.
// (The dated layouts do so because the sampler lists their folders level by level and sizes each
// day: a day is a short run of a sequence number, or of hashed names, that no spacing of keys
// elsewhere tells the size of; a day numbered afresh is sized by probes at its numbers.)
test.each<[string, number]>([
  ['uniform numbered', 4],
  ['uniform numbered', 16],
  ['one huge prefix (90%), many tiny', 4],
  ['one huge prefix (90%), many tiny', 16],
  ['many tiny, then a huge hashed prefix', 4],
  ['many tiny, then a huge hashed prefix', 16],
  ['unicode scripts (70/10/10/7/3%)', 4],
  ['unicode scripts (70/10/10/7/3%)', 16],
  ['half in one folder, half over 1,000', 4],
  ['half in one folder, half over 1,000', 16],
  ['hashed names', 4],
  ['hashed names', 16],
  ['dated logs, later days busier', 4],
  ['dated logs, later days busier', 16],
  ['dated logs, numbered afresh each day', 4],
  ['dated logs, numbered afresh each day', 16],
  ['partitions of parts numbered afresh, later ones busier', 4],
  ['partitions of parts numbered afresh, later ones busier', 16],
  ['dated folders of hashed names (CloudTrail-like), later days busier', 4],
  ['dated folders of hashed names (CloudTrail-like), later days busier', 16],
  ['numbered across 97 folders', 4],
  ['numbered across 97 folders', 16],
])('a sample of %s gives %d ranges within 2x of each other, from at most 20 requests', async (layout, count) => {
  const keys = keysOf(layout);
  const sample = await sampleOf(layout);
  expect(sample.requests).toBeLessThanOrEqual(DEFAULT_SAMPLE_REQUESTS);
  const plan = planFromSample(sample, count);
  expect(plan.ranges).toHaveLength(count);
  expectCover(keys, plan.ranges);
  expect(balanceOf(keys, plan.ranges)).toBeLessThanOrEqual(2);
});

// At 1,000,000 keys every counter above stops where a digit rolls over, which the first probe past
// a run finds. At 1,370,000 the end of `obj/1...` is found by walking its digits, one probe after
// another; when the sampler sent its probes four at a time, three of each four went to gaps chosen
// before that walk's page came back, and these rows planned 2.7x to 11x apart at 16 ranges. One huge
// prefix ends at `huge/1232999`: while a run that a probe past its subtree found ended was taken to
// fill the subtree (to `huge/1299999`) as surely as a page shows, no probe went there, and 16 ranges
// planned 5.4x apart. (Five scripts at 16 ranges is still outside 2x here, 2.63x: bench/RESULTS.md.)
test.each([
  'uniform numbered',
  'hashed names',
  'half in one folder, half over 1,000',
  'one huge prefix (90%), many tiny',
])('at 1,370,000 keys, a sample of %s gives 4 and 16 ranges within 2x of each other', (layout) =>
  expectSampledWithin2x(layout, 1_370_000, [4, 16]),
);

// The same at other sizes where the huge prefix ends inside a subtree: `huge/0123299` at 137,000 keys
// (the subtree runs to `huge/0129999`) and `huge/0663299` at 737,000 (to `huge/0669999`). These
// planned 3.80x and 7.68x apart at 16 ranges. Five scripts number five families from one counter,
// and 20 probes cannot find five ends: a family whose end is bounded loosely is taken to end where
// one bounded more tightly does, as are the ids of originals/ and thumbs/. These planned 8.19x
// apart, with an empty range, and 3.88x apart at 16 ranges. Counters that cannot share an end
// (one seen past where another ended) are each left to their own bounds: taking `photos/` to
// end where `videos/` does planned three folders with a range of 154,995x at 1,370,000 keys.
test.each<[string, number]>([
  ['one huge prefix (90%), many tiny', 137_000],
  ['one huge prefix (90%), many tiny', 737_000],
  ['unicode scripts (70/10/10/7/3%)', 137_000],
  ['unicode scripts (70/10/10/7/3%)', 437_000],
  ['ids repeated under originals/ and thumbs/', 437_000],
  ['three folders, each its own counter (3/60/37%)', 1_370_000],
  // Top-level folders that each number their keys afresh are probed at their numbers, and each
  // counter that ended in a gap is taken to end between the numbers the probes bound it by, not to
  // fill the rest of the subtree its last key lay in. These planned 9.28x and 9,058x apart at
  // 100,000 keys, 2.21x and 5.87x at 137,000, 2.09x at 300,000 (16 ranges); ids repeated under
  // originals/ and thumbs/ 4.71x and 18.27x at 100,000.
  ['three folders, each its own counter (3/60/37%)', 100_000],
  ['three folders, each its own counter (3/60/37%)', 137_000],
  ['three folders, each its own counter (3/60/37%)', 300_000],
  ['ids repeated under originals/ and thumbs/', 100_000],
  // Its second-to-last folder was sized by halving names past its numbers (`g38/5129`), seven
  // probes to reach them; probes at its numbers size it, and a range no longer falls past its end
  // (12,243x at 100,000 keys, 31.55x at 1,370,000).
  ['folders growing 1,600-fold, each numbered afresh', 100_000],
  ['folders growing 1,600-fold, each numbered afresh', 1_370_000],
])('a sample of %s at %d keys gives 4 and 16 ranges within 2x of each other', (layout, n) =>
  expectSampledWithin2x(layout, n, [4, 16]),
);

test('the in-memory listing answers a delimiter the way S3 does: prefixes rolled up and counted toward the page', async () => {
  const { probe } = probeOf(['a', 'b/1', 'b/2', 'c/1', 'd'], 2);
  expect(await probe(undefined, '/')).toEqual({ keys: ['a'], prefixes: ['b/'], truncated: true });
  expect(await probe('b0', '/')).toEqual({ keys: ['d'], prefixes: ['c/'], truncated: false });
  // After a start inside a prefix, the rest of it is still rolled up into the prefix.
  expect(await probe('b/1', '/')).toEqual({ keys: [], prefixes: ['b/', 'c/'], truncated: true });
});

test('the in-memory listing answers a prefix the way S3 does: only keys under it, rolled up below it', async () => {
  const { probe } = probeOf(['a/1', 'b/1/x', 'b/1/y', 'b/2/x', 'b/3', 'c/1'], 2);
  expect(await probe(undefined, '/', 'b/')).toEqual({ keys: [], prefixes: ['b/1/', 'b/2/'], truncated: true });
  expect(await probe('b/2/x', '/', 'b/')).toEqual({ keys: ['b/3'], prefixes: [], truncated: false });
  // A start before the prefix lists from its first key; without a delimiter, keys only.
  expect(await probe('a/1', undefined, 'b/1/')).toEqual({ keys: ['b/1/x', 'b/1/y'], truncated: false });
});

test('one listing by delimiter shows the top-level prefixes, and each is probed from where it starts', async () => {
  const keys = keysOf('unicode scripts (70/10/10/7/3%)');
  const { probe } = probeOf(keys);
  const sent: string[] = [];
  await sampleKeySpace(async (after, delimiter) => {
    sent.push(`${after ?? ''}${delimiter ? ` by ${delimiter}` : ''}`);
    return probe(after, delimiter);
  });
  expect(sent.slice(0, 6)).toEqual(['', ' by /', 'ascii0', 'donn\u00e9es0', 'emoji0', '\u03a9mega0']);
});

test('a single folder is stepped through by listing the level below it, down to like-named folders', async () => {
  const keys = keysOf('dated logs, later days busier');
  const { probe } = probeOf(keys);
  const listed: string[] = [];
  const sample = await sampleKeySpace(async (after, delimiter, prefix) => {
    if (delimiter) listed.push(prefix ?? '');
    return probe(after, delimiter, prefix);
  });
  // The top, logs/, logs/2026/ (the months), then the days of the last month and of the first.
  expect(listed).toEqual(['', 'logs/', 'logs/2026/', 'logs/2026/12/', 'logs/2026/01/']);
  expect(sample.requests).toBeLessThanOrEqual(DEFAULT_SAMPLE_REQUESTS);
  // The days of every month, each month taken to hold the days listed (31, and 24 in December).
  expect(sample.folders).toHaveLength(11 * 31 + 24);
  expect(sample.folders![0]).toBe('logs/2026/01/01/');
  expect(sample.folders![sample.folders!.length - 1]).toBe('logs/2026/12/24/');
});

test.each(['dated logs, later days busier', 'dated folders of hashed names (CloudTrail-like), later days busier'])(
  '%s (20,000 keys): the same plan whether the audited prefix ends above the single folders or inside them',
  async (layout) => {
    const keys = sortedKeys(keyLayouts(20_000)[layout]);
    const plans = [];
    // The whole bucket, then the first folder as the audited prefix (keys relative to it).
    for (const prefix of ['', keys[0].slice(0, keys[0].indexOf('/') + 1)]) {
      const relative = keys.map((k) => k.slice(prefix.length));
      const sample = await sampleKeySpace(probeOf(relative).probe);
      const plan = planFromSample(sample, 4);
      expectCover(relative, plan.ranges);
      plans.push({ sizes: sizes(relative, plan.ranges), ends: plan.ranges.map((r) => r.endAt && prefix + r.endAt) });
    }
    expect(plans[1]).toEqual(plans[0]);
    expect(Math.max(...plans[0].sizes) / Math.min(...plans[0].sizes)).toBeLessThanOrEqual(2);
  },
);

/**
 * 40 folders growing from 50 keys to 80,000 (1,107,000 in all), numbered by one counter across
 * them, or from a base that grows by a million a folder (a date, say, in front of a sequence).
 */
function growingFolders(numbering: 'across' | 'base per folder' | 'afresh'): string[] {
  const out: string[] = [];
  let c = 0;
  for (let j = 0; j < 40; j++) {
    for (let i = 0; i < 50 * (j + 1) ** 2; i++) {
      const n = numbering === 'across' ? c++ : numbering === 'afresh' ? i : j * 1_000_000 + i;
      out.push(`f${pad(j, 2)}/${pad(n, 8)}.log`);
    }
  }
  return out.sort(compareKeys);
}

test('a folder numbered afresh is sized by probes at its numbers, not by the page at its start', async () => {
  // 48 folders of 1,000 to 8,050 keys, each numbered from 0: the start page of a folder shows its
  // first 1,000 keys, and nothing else in the sample tells how many follow.
  const keys: string[] = [];
  for (let j = 0; j < 48; j++)
    for (let i = 0; i < 1000 + 150 * j; i++) keys.push(`h${pad(j, 2)}/part-${pad(i, 6)}.json`);
  keys.sort(compareKeys);
  const { probe } = probeOf(keys);
  const starts: string[] = [];
  const sample = await sampleKeySpace(async (after, delimiter, prefix) => {
    if (after !== undefined && !delimiter) starts.push(after);
    return probe(after, delimiter, prefix);
  });
  expect(sample.requests).toBeLessThanOrEqual(DEFAULT_SAMPLE_REQUESTS);
  // Probes at the numbers of the last folder (8,050 keys): at 2,000, then 12,000 (past its end),
  // then between, until a page shows its end; and at those of the first folder the first page saw
  // in part.
  const inLast = starts.filter((s) => s.startsWith('h47/'));
  expect(inLast.length).toBeGreaterThanOrEqual(2);
  expect(inLast.every((s) => /^h47\/part-\d{6}$/.test(s))).toBe(true);
  expect(starts.some((s) => /^h00\/part-\d{6}$/.test(s))).toBe(true);
  for (const count of [4, 16]) {
    const plan = planFromSample(sample, count);
    const total = plan.estimates.reduce((a, b) => a + b, 0);
    expect(Math.abs(total - keys.length) / keys.length).toBeLessThan(0.25);
    expectCover(keys, plan.ranges);
    expect(balanceOf(keys, plan.ranges)).toBeLessThanOrEqual(1.5);
  }
});

test('dated logs of 100,000 keys: the days are listed before the estimate caps the sample', async () => {
  // From the first page and the months alone the estimate is a tenth of the keys, which would cap
  // the sample at five requests and leave the busier days unseen.
  for (const layout of [
    'dated logs, numbered afresh each day',
    'dated folders of hashed names (CloudTrail-like), later days busier',
  ]) {
    const keys = sortedKeys(keyLayouts(100_000)[layout]);
    const sample = await sampleKeySpace(probeOf(keys).probe);
    expect(sample.requests).toBeLessThanOrEqual(DEFAULT_SAMPLE_REQUESTS);
    expect(sample.folders?.some((f) => /\/12\/24\/$/.test(f))).toBe(true);
    const plan = planFromSample(sample, 4);
    expectCover(keys, plan.ranges);
    expect(balanceOf(keys, plan.ranges)).toBeLessThanOrEqual(2);
  }
});

test('a counter running across folders sizes the folders between two probes by its difference there', async () => {
  const keys = growingFolders('across');
  const sample = await sampleKeySpace(probeOf(keys).probe);
  expect(sample.requests).toBeLessThanOrEqual(DEFAULT_SAMPLE_REQUESTS);
  const plan = planFromSample(sample, 16);
  const total = plan.estimates.reduce((a, b) => a + b, 0);
  // The spacing of the keys says nothing of the size of a folder not visited: the counter does.
  expect(Math.abs(total - keys.length) / keys.length).toBeLessThan(0.02);
  expectCover(keys, plan.ranges);
  expect(balanceOf(keys, plan.ranges)).toBeLessThanOrEqual(1.25);
});

test('numbers that start afresh in each folder from a growing base are not taken for a counter', async () => {
  // Each page is numbered one by one and each after the one before, as with a counter; but the
  // first page shows the numbers jump from one folder to the next. Taken for a counter, the gaps
  // would hold a million keys a folder.
  const keys = growingFolders('base per folder');
  const sample = await sampleKeySpace(probeOf(keys).probe);
  const plan = planFromSample(sample, 4);
  const total = plan.estimates.reduce((a, b) => a + b, 0);
  expect(total).toBeLessThan(2 * keys.length);
  expectCover(keys, plan.ranges);
});

test('a probe that does not list by delimiter is sampled without it', async () => {
  const keys = keysOf('uniform numbered');
  const { probe } = probeOf(keys);
  const sample = await sampleKeySpace((after) => probe(after));
  expect(sample.requests).toBeLessThanOrEqual(DEFAULT_SAMPLE_REQUESTS);
  expectCover(keys, planFromSample(sample, 4).ranges);
  const none = await sampleKeySpace(probe, { delimiter: undefined });
  expect(balanceOf(keys, planFromSample(none, 4).ranges)).toBeLessThanOrEqual(2);
});

test('a small key space is sampled with a few requests, not the budget of a large one', async () => {
  const keys = Array.from({ length: 20_000 }, (_, i) => `obj/${pad(i, 7)}`);
  const { probe, requests } = probeOf(keys);
  const sample = await sampleKeySpace(probe);
  expect(requests()).toBeLessThanOrEqual(5);
  expectCover(keys, planFromSample(sample, 4).ranges);
});

// Three folders each numbered afresh, 30,000 keys: the first page ends 100 keys into `scans/`, and
// the density over that page's last keys (most of them `photos/`) took `scans/` to end there. An
// estimate bounded from below keeps the whole budget, so the sample spent all 20 requests (a third
// of the listing) and still planned 6.90x apart at 4 ranges. Counted by its numbers, `scans/` is
// probed and bounded, and the sample stops at the budget of the estimate.
test('three folders of 30,000 keys, each numbered afresh, are sampled with a small budget and planned within 2x', async () => {
  const keys = sortedKeys(keyLayouts(30_000)['three folders, each its own counter (3/60/37%)']);
  const sample = await sampleKeySpace(probeOf(keys).probe);
  expect(sample.requests).toBeLessThanOrEqual(sampleBudget(keys.length) + 3);
  const plan = planFromSample(sample, 4);
  expectCover(keys, plan.ranges);
  expect(balanceOf(keys, plan.ranges)).toBeLessThanOrEqual(2);
});

test('a small bucket in folders is planned from its folder listing: the folders seen whole size the others', async () => {
  // The audit benchmark's layout: 20,000 keys over 97 folders, numbered across all of them.
  const keys = [...new Set(Array.from({ length: 20_000 }, (_, i) => `d${pad(i % 97, 2)}/obj-${pad(i, 7)}`))].sort(
    compareKeys,
  );
  const { probe, requests } = probeOf(keys);
  const sample = await sampleKeySpace(probe);
  expect(requests()).toBeLessThanOrEqual(sampleBudget(keys.length));
  const plan = planFromSample(sample, 4);
  expectCover(keys, plan.ranges);
  expect(balanceOf(keys, plan.ranges)).toBeLessThanOrEqual(1.5);
  // The estimate is the bucket's size, not the first page's spacing spread over 97 folder names.
  const total = plan.estimates.reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThan(0.8 * keys.length);
  expect(total).toBeLessThan(1.25 * keys.length);
});

test('a prefix named unlike the folders seen whole is not taken to hold as many keys as they do', async () => {
  // 400 folders of 5 keys, then "z/" with 18,000: the first page sees 200 of the folders whole.
  const keys = sortedKeys(keyLayouts(20_000)['many tiny, then a huge hashed prefix']);
  const sample = await sampleKeySpace(probeOf(keys).probe);
  const plan = planFromSample(sample, 4);
  expectCover(keys, plan.ranges);
  expect(balanceOf(keys, plan.ranges)).toBeLessThanOrEqual(2);
});

test('the budget of a sample is one request per five pages of a side, at least two, capped by the caller', async () => {
  expect(sampleBudget(20_000)).toBe(4);
  expect(sampleBudget(100_000)).toBe(20);
  expect(sampleBudget(5_000)).toBe(2);
  expect(sampleBudget(0)).toBe(2);
  // The default cap: 20 requests, 1% of the two-sided listing of 1,000,000 keys, whatever the size.
  expect(DEFAULT_SAMPLE_REQUESTS).toBe(0.01 * 2 * (1_000_000 / 1000));
  expect((await sampleOf('uniform numbered')).requests).toBe(DEFAULT_SAMPLE_REQUESTS);
});
// Between 20,000 keys and a million, 1% of the listing is 2 to 19 requests: too few to find where
// zero-padded numbers or one large folder end, and whole ranges came out empty (100,000x).
test.each<[string, number]>([
  ['uniform numbered', 300_000],
  ['one huge prefix (90%), many tiny', 100_000],
  ['dated logs, later days busier', 100_000],
  ['half in one folder, half over 1,000', 100_000],
  ['half in one folder, half over 1,000', 300_000],
  // Folders growing by a factor each: sized between anchors on a line, those past the first page
  // came out a fiftieth of their size (27.08x at 1,000,000 keys, 43.01x at 1,370,000).
  ['folders growing 1,600-fold, each numbered afresh', 1_000_000],
  ['folders growing 1,600-fold, each numbered afresh', 1_370_000],
])('a sample of %s at %d keys gives 4 ranges within 2x of each other', (layout, n) =>
  expectSampledWithin2x(layout, n, [4]),
);

test('a key space of one page is planned exactly, from one request', async () => {
  const keys = Array.from({ length: 900 }, (_, i) => `k/${pad(i, 4)}`);
  const { probe, requests } = probeOf(keys);
  const sample = await sampleKeySpace(probe);
  expect(requests()).toBe(1);
  const plan = planFromSample(sample, 3);
  expect(sizes(keys, plan.ranges)).toEqual([300, 300, 300]);
  expect(plan.estimates).toEqual([300, 300, 300]);
});

test('a sample inside a range plans inside it', async () => {
  const keys = keysOf('uniform numbered');
  const within = { startAfter: 'obj/0200000', endAt: 'obj/0600000' };
  const sample = await sampleKeySpace(probeOf(keys).probe, { within });
  const plan = planFromSample(sample, 4);
  expect(plan.ranges[0].startAfter).toBe('obj/0200000');
  expect(plan.ranges[3].endAt).toBe('obj/0600000');
  expect(sizes(keys, plan.ranges).reduce((a, b) => a + b, 0)).toBe(400_000);
});

test('a sample of dated logs inside a range sizes the folders in the range only, and probes nowhere past it', async () => {
  const keys = keysOf('dated logs, later days busier');
  const within = { startAfter: keys[200_000], endAt: keys[700_000] };
  const { probe } = probeOf(keys);
  const starts: string[] = [];
  const sample = await sampleKeySpace(
    async (after, delimiter, prefix) => {
      if (after !== undefined) starts.push(after);
      return probe(after, delimiter, prefix);
    },
    { within },
  );
  expect(starts.every((s) => compareKeys(s, within.endAt) < 0)).toBe(true);
  // The months the range reaches: June to October.
  expect(sample.folders?.[0]).toMatch(/^logs\/2026\/06\//);
  expect(sample.folders?.[sample.folders.length - 1]).toMatch(/^logs\/2026\/10\//);
  const plan = planFromSample(sample, 4);
  const inRange = keys.slice(200_001, 700_001);
  expect(sizes(inRange, plan.ranges).reduce((a, b) => a + b, 0)).toBe(500_000);
  // (Not within 2x: no page inside the range holds two days, so the counter is not taken to run
  // across them, and days not probed are taken like their neighbours. Before the folders were
  // sized one by one, 20x.)
  expect(balanceOf(inRange, plan.ranges)).toBeLessThanOrEqual(4);
});

test('the scale finds keys strictly between two keys, in S3 byte order, or none', () => {
  const scale = Scale.of(['a/1', 'a/9', '\uE000x', '\u{1F600}y']);
  const mid = scale.between('a/1', 'a/9', 0.5)!;
  expect(compareKeys('a/1', mid)).toBeLessThan(0);
  expect(compareKeys(mid, 'a/9')).toBeLessThan(0);
  // U+E000 sorts before U+1F600 in UTF-8 (after it in UTF-16): the point between them respects that.
  const u = scale.between('\uE000x', '\u{1F600}y', 0.5)!;
  expect(compareKeys('\uE000x', u)).toBeLessThan(0);
  expect(compareKeys(u, '\u{1F600}y')).toBeLessThan(0);
  expect(scale.between('a/1', 'a/1', 0.5)).toBeUndefined();
  expect(scale.span('a/1', 'a/9')).toBeGreaterThan(0);
  expect(scale.span('a/9', 'a/1')).toBe(0);
});

test('a bad count or budget is refused, naming it', async () => {
  expect(() => planFromSample({ within: {}, keys: [], covered: [], requests: 0 }, 0)).toThrow(
    /count must be a positive integer, got 0/,
  );
  await expect(sampleKeySpace(probeOf([]).probe, { maxRequests: 0 })).rejects.toThrow(
    /maxRequests must be a positive integer, got 0/,
  );
});

test("the test layouts are sorted in S3 byte order, by JavaScript's sort where it agrees with it", () => {
  const layouts: Record<string, () => string[]> = {
    ...keyLayouts(5_000),
    // U+E000 to U+FFFF beside characters past U+FFFF: UTF-16 order and byte order disagree here.
    'private use beside emoji': () => ['\u{1F600}b', '\uE000a', 'z', '\uFF01c', '\u{10000}', 'a\uFFFF', 'a\u{1F600}'],
  };
  for (const gen of Object.values(layouts)) {
    expect(sortedKeys(gen)).toEqual([...new Set(gen())].sort(compareKeys));
  }
  expect(sortedKeys(layouts['private use beside emoji'])).toEqual([
    'a\uFFFF',
    'a\u{1F600}',
    'z',
    '\uE000a',
    '\uFF01c',
    '\u{10000}',
    '\u{1F600}b',
  ]);
});

describe('a server that ends a listing by delimiter short of a full page', () => {
  // Half the keys in one folder, half over 1,000 small ones (bench/scale.ts's layout), at 200,000.
  const keys = sortedKeys(() =>
    Array.from({ length: 200_000 }, (_, i) =>
      i % 2 === 0 ? `big/obj-${pad(i, 8)}` : `f${pad((i >> 1) % 1000, 4)}/obj-${pad(i, 8)}`,
    ),
  );
  /**
   * Answers as the stand's Ceph did on this layout at 1,000,000 keys (544 of 1,001 prefixes,
   * truncated): a stand-in for that server, made here because the stand provokes it only in a
   * bucket that takes an hour and a half to plant (bench/RESULTS.md, the third 1,000,000-object run).
   */
  const cutShort =
    (probe: KeyProbe, n = 544): KeyProbe =>
    async (after, delimiter, prefix) => {
      const page = await probe(after, delimiter, prefix);
      if (!delimiter || page.keys.length + (page.prefixes?.length ?? 0) <= n) return page;
      const entries = [
        ...page.keys.map((k) => ({ k, prefix: false })),
        ...(page.prefixes ?? []).map((k) => ({ k, prefix: true })),
      ]
        .sort((a, b) => compareKeys(a.k, b.k))
        .slice(0, n);
      return {
        keys: entries.filter((e) => !e.prefix).map((e) => e.k),
        prefixes: entries.filter((e) => e.prefix).map((e) => e.k),
        truncated: true,
      };
    };

  test('the listing is followed past its last entry: every folder is seen, and the plan is as from full pages', async () => {
    const full = await sampleKeySpace(listingOf(keys).probe);
    const short = await sampleKeySpace(cutShort(listingOf(keys).probe));
    expect(full.tops?.entries.length).toBe(1000);
    expect(short.tops?.entries.length).toBe(1001);
    expect(short.requests).toBeLessThanOrEqual(DEFAULT_SAMPLE_REQUESTS);
    for (const count of [4, 8, 16]) {
      const b = balanceOf(keys, planFromSample(short, count).ranges);
      expect(b).toBeLessThanOrEqual(Math.max(1.5, balanceOf(keys, planFromSample(full, count).ranges) * 1.1));
    }
  });
});
