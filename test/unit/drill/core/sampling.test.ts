import { createSampler, newSeed, Sampleable, sampleStream, SeededRandom } from '../../../../lambda/drill/core/sampling';

function listing(n: number, start = Date.UTC(2026, 0, 1)): Sampleable[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `obj/${String(i).padStart(6, '0')}`,
    size: i + 1,
    lastModified: new Date(start + i * 1000),
  }));
}

async function* stream<T>(items: T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}

describe('seeded random', () => {
  test('the same seed gives the same sequence, another seed another one', () => {
    const a = new SeededRandom('abc');
    const b = new SeededRandom('abc');
    const c = new SeededRandom('abd');
    const sa = Array.from({ length: 5 }, () => a.next32());
    expect(Array.from({ length: 5 }, () => b.next32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next32())).not.toEqual(sa);
  });

  test('int stays in range', () => {
    const r = new SeededRandom('x');
    for (let i = 0; i < 1000; i++) {
      const v = r.int(7);
      expect(v >= 0 && v < 7 && Number.isInteger(v)).toBe(true);
    }
  });

  test('newSeed gives 16 hex digits', () => {
    expect(newSeed()).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('random (reservoir) sampling', () => {
  test('is deterministic for a seed and differs between seeds', async () => {
    const items = listing(1000);
    const a = (await sampleStream(stream(items), createSampler('random', 10, 'seed-1'))).result();
    const b = (await sampleStream(stream(items), createSampler('random', 10, 'seed-1'))).result();
    const c = (await sampleStream(stream(items), createSampler('random', 10, 'seed-2'))).result();
    expect(a.map((i) => i.key)).toEqual(b.map((i) => i.key));
    expect(a.map((i) => i.key)).not.toEqual(c.map((i) => i.key));
    expect(new Set(a.map((i) => i.key)).size).toBe(10);
  });

  test('returns everything, sorted by key, when the listing is smaller than the sample', async () => {
    const items = listing(5).reverse();
    const s = await sampleStream(items, createSampler('random', 10, 's'));
    expect(s.result().map((i) => i.key)).toEqual(listing(5).map((i) => i.key));
    expect(s.seen).toBe(5);
    expect(s.seenBytes).toBe(15);
  });

  test('picks every position about equally often (uniformity sanity check)', async () => {
    // 100 items, samples of 10, 2000 seeds: each item is expected 200 times.
    const items = listing(100);
    const counts = new Map<string, number>();
    for (let s = 0; s < 2000; s++) {
      const r = (await sampleStream(items, createSampler('random', 10, `seed-${s}`))).result();
      for (const i of r) counts.set(i.key, (counts.get(i.key) ?? 0) + 1);
    }
    const values = items.map((i) => counts.get(i.key) ?? 0);
    // Binomial(2000, 0.1): sd about 13.4; 5 sd either side.
    expect(Math.min(...values)).toBeGreaterThan(200 - 67);
    expect(Math.max(...values)).toBeLessThan(200 + 67);
    // The first and the last tenth of the listing are picked equally often overall.
    const first = values.slice(0, 10).reduce((a, b) => a + b, 0);
    const last = values.slice(90).reduce((a, b) => a + b, 0);
    expect(Math.abs(first - last)).toBeLessThan(200);
  });
});

describe('newest sampling', () => {
  test('keeps the N most recently modified, newest first, whatever the listing order', async () => {
    const items = listing(500);
    const shuffled = [...items].sort((a, b) =>
      a.key.split('').reverse().join('') < b.key.split('').reverse().join('') ? -1 : 1,
    );
    const r = (await sampleStream(shuffled, createSampler('newest', 5, ''))).result();
    expect(r.map((i) => i.key)).toEqual(['obj/000499', 'obj/000498', 'obj/000497', 'obj/000496', 'obj/000495']);
  });

  test('breaks ties on equal times by key, the same way every time', async () => {
    const t = new Date(Date.UTC(2026, 0, 1));
    const items = ['c', 'a', 'd', 'b'].map((key) => ({ key, size: 1, lastModified: t }));
    const r1 = (await sampleStream(items, createSampler('newest', 2, ''))).result();
    const r2 = (await sampleStream([...items].reverse(), createSampler('newest', 2, ''))).result();
    expect(r1.map((i) => i.key)).toEqual(['a', 'b']);
    expect(r2.map((i) => i.key)).toEqual(['a', 'b']);
  });
});

describe('prefix sampling', () => {
  test('takes the first N in listing order and still counts the whole listing', async () => {
    const s = await sampleStream(stream(listing(50)), createSampler('prefix', 3, ''));
    expect(s.result().map((i) => i.key)).toEqual(['obj/000000', 'obj/000001', 'obj/000002']);
    expect(s.seen).toBe(50);
    expect(s.seenBytes).toBe((50 * 51) / 2);
  });
});
