/**
 * The planner of self-chosen ranges on synthetic key sets of 1,000,000 keys, probed in memory the
 * way ListObjectsV2 answers (1,000 keys after StartAfter, in S3 byte order).
 */
import {
  compareKeys,
  DEFAULT_SAMPLE_REQUESTS,
  KeyRange,
  planFromSample,
  planRanges,
  ProbePage,
  sampleBudget,
  sampleKeySpace,
  Scale,
} from '../../../../lambda/audit/core';

jest.setTimeout(120_000);

const pad = (n: number, w: number) => String(n).padStart(w, '0');

const LAYOUTS: Record<string, () => string[]> = {
  /** One prefix holding 90% of the keys, then 10,000 prefixes of 10. */
  'one huge prefix, many tiny ones': () => [
    ...Array.from({ length: 900_000 }, (_, i) => `huge/${pad(i, 6)}`),
    ...Array.from({ length: 10_000 }, (_, p) => Array.from({ length: 10 }, (_, i) => `t${pad(p, 4)}/f${i}`)).flat(),
  ],
  /** 20,000 prefixes of 5, then one prefix of 900,000 hashed names. */
  'many tiny prefixes, then a huge hashed one': () => [
    ...Array.from({ length: 20_000 }, (_, p) => Array.from({ length: 5 }, (_, i) => `a${pad(p, 5)}/f${i}`)).flat(),
    ...Array.from({ length: 900_000 }, (_, i) => `z/${((i * 2654435761) % 4294967296).toString(16).padStart(8, '0')}`),
  ],
  /** Five scripts of very different sizes (BMP, astral, accented), UTF-8 order not UTF-16 order. */
  'unicode keys': () =>
    Array.from({ length: 1_000_000 }, (_, i) => {
      const scripts = ['\u65e5\u672c/', 'donn\u00e9es/\u00e9', 'emoji/\u{1F600}', 'ascii/', '\u03a9mega/'];
      const w = i % 100 < 70 ? 0 : i % 100 < 80 ? 1 : i % 100 < 90 ? 2 : i % 100 < 97 ? 3 : 4;
      return `${scripts[w]}${pad(i, 7)}`;
    }),
  'uniform numbered keys': () => Array.from({ length: 1_000_000 }, (_, i) => `obj/${pad(i, 7)}`),
};

const cache = new Map<string, string[]>();
function keysOf(layout: string): string[] {
  if (!cache.has(layout)) cache.set(layout, [...new Set(LAYOUTS[layout]())].sort(compareKeys));
  return cache.get(layout)!;
}

/** Index of the first key after `after`. */
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

function probeOf(keys: readonly string[]) {
  let requests = 0;
  const probe = async (after: string | undefined): Promise<ProbePage> => {
    requests++;
    const i = firstAfter(keys, after);
    return { keys: keys.slice(i, i + 1000), truncated: i + 1000 < keys.length };
  };
  return { probe, requests: () => requests };
}

function sizes(keys: readonly string[], ranges: readonly KeyRange[]): number[] {
  return ranges.map((r) => firstAfter(keys, r.endAt ?? '\u{10FFFF}'.repeat(8)) - firstAfter(keys, r.startAfter));
}

function expectCover(keys: readonly string[], ranges: readonly KeyRange[]) {
  expect(ranges[0].startAfter).toBeUndefined();
  expect(ranges[ranges.length - 1].endAt).toBeUndefined();
  for (let i = 1; i < ranges.length; i++) expect(ranges[i].startAfter).toBe(ranges[i - 1].endAt);
  expect(sizes(keys, ranges).reduce((a, b) => a + b, 0)).toBe(keys.length);
}

/** List requests of a two-sided audit of `n` keys: one per 1,000 keys per side. */
const listRequests = (n: number) => 2 * Math.ceil(n / 1000);

describe.each(Object.keys(LAYOUTS))('%s (1,000,000 keys)', (layout) => {
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

// Where a sample of 20 probes is enough for ranges within 2x: one dense region and small ones
// beside it, or keys spread evenly. (Several dense regions far apart on the scale, as in the unicode
// and tiny-then-hashed layouts, need more probes: there the next run plans from page boundaries.)
test.each(['one huge prefix, many tiny ones', 'uniform numbered keys'])(
  'a sample of %s gives 4 ranges within 2x of each other',
  async (layout) => {
    const keys = keysOf(layout);
    const sample = await sampleKeySpace(probeOf(keys).probe);
    const s = sizes(keys, planFromSample(sample, 4).ranges);
    expect(Math.max(...s) / Math.min(...s)).toBeLessThanOrEqual(2);
  },
);

test('a sample of uniform numbered keys gives 16 ranges within 2x of each other', async () => {
  const keys = keysOf('uniform numbered keys');
  const sample = await sampleKeySpace(probeOf(keys).probe);
  const s = sizes(keys, planFromSample(sample, 16).ranges);
  expect(Math.max(...s) / Math.min(...s)).toBeLessThanOrEqual(2);
});

test('a small key space is sampled with a few requests, not the budget of a large one', async () => {
  const keys = Array.from({ length: 20_000 }, (_, i) => `obj/${pad(i, 7)}`);
  const { probe, requests } = probeOf(keys);
  const sample = await sampleKeySpace(probe);
  expect(requests()).toBeLessThanOrEqual(4);
  expectCover(keys, planFromSample(sample, 4).ranges);
});

test('the budget of a sample is 1% of the two-sided listing, and at least two requests', () => {
  expect(sampleBudget(1_000_000)).toBe(20);
  expect(sampleBudget(20_000)).toBe(2);
  expect(sampleBudget(0)).toBe(2);
});

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
  const keys = keysOf('uniform numbered keys');
  const within = { startAfter: 'obj/0200000', endAt: 'obj/0600000' };
  const sample = await sampleKeySpace(probeOf(keys).probe, { within });
  const plan = planFromSample(sample, 4);
  expect(plan.ranges[0].startAfter).toBe('obj/0200000');
  expect(plan.ranges[3].endAt).toBe('obj/0600000');
  expect(sizes(keys, plan.ranges).reduce((a, b) => a + b, 0)).toBe(400_000);
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
