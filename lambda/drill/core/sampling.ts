/**
 * Sample selection over a listing stream, in memory bounded by the sample size:
 *  - random: reservoir sampling (algorithm R) driven by a seeded generator, so that the same
 *    seed over the same listing picks the same objects (the seed is recorded in the report);
 *  - newest: the N most recently modified objects, kept in a bounded min-heap;
 *  - prefix: the first N objects in listing order.
 * Every sampler sees the whole listing (the totals feed the RTO estimate).
 */

import { SAMPLE_MODES, SampleMode } from '../contract';

export { SAMPLE_MODES };
export type { SampleMode };

/** What a sampler needs of a listed object. */
export interface Sampleable {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

export interface Sampler<T extends Sampleable> {
  offer(item: T): void;
  /** Objects offered so far. */
  readonly seen: number;
  /** Bytes offered so far. */
  readonly seenBytes: number;
  /** The selected objects: sorted by key (random, prefix) or newest first (newest). */
  result(): T[];
}

/** Hashes a seed string to 128 bits (cyrb128). */
function seedState(seed: string): [number, number, number, number] {
  let h1 = 1779033703,
    h2 = 3144134277,
    h3 = 1013904242,
    h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

/** A small seeded generator (sfc32): deterministic across platforms and Node versions. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: string) {
    [this.a, this.b, this.c, this.d] = seedState(seed);
    for (let i = 0; i < 12; i++) this.next32();
  }

  /** A uniform 32-bit unsigned integer. */
  next32(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1) with 53 bits of randomness. */
  next(): number {
    const hi = this.next32() >>> 5; // 27 bits
    const lo = this.next32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

function byKey<T extends Sampleable>(a: T, b: T): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

class ReservoirSampler<T extends Sampleable> implements Sampler<T> {
  seen = 0;
  seenBytes = 0;
  private readonly items: T[] = [];
  private readonly random: SeededRandom;

  constructor(
    private readonly size: number,
    seed: string,
  ) {
    this.random = new SeededRandom(seed);
  }

  offer(item: T): void {
    this.seen++;
    this.seenBytes += item.size;
    if (this.items.length < this.size) {
      this.items.push(item);
      return;
    }
    const j = this.random.int(this.seen);
    if (j < this.size) this.items[j] = item;
  }

  result(): T[] {
    return [...this.items].sort(byKey);
  }
}

/** Orders by last modified, then by key, so that ties are resolved the same way on every run. */
function older(a: Sampleable, b: Sampleable): boolean {
  const d = a.lastModified.getTime() - b.lastModified.getTime();
  return d < 0 || (d === 0 && a.key > b.key);
}

class NewestSampler<T extends Sampleable> implements Sampler<T> {
  seen = 0;
  seenBytes = 0;
  /** A min-heap: the oldest of the kept objects at the root. */
  private readonly heap: T[] = [];

  constructor(private readonly size: number) {}

  offer(item: T): void {
    this.seen++;
    this.seenBytes += item.size;
    if (this.size === 0) return;
    const h = this.heap;
    if (h.length < this.size) {
      h.push(item);
      let i = h.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!older(h[i], h[p])) break;
        [h[i], h[p]] = [h[p], h[i]];
        i = p;
      }
      return;
    }
    if (!older(h[0], item)) return;
    h[0] = item;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && older(h[l], h[m])) m = l;
      if (r < h.length && older(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }

  result(): T[] {
    return [...this.heap].sort((a, b) => (older(a, b) ? 1 : older(b, a) ? -1 : 0));
  }
}

class PrefixSampler<T extends Sampleable> implements Sampler<T> {
  seen = 0;
  seenBytes = 0;
  private readonly items: T[] = [];

  constructor(private readonly size: number) {}

  offer(item: T): void {
    this.seen++;
    this.seenBytes += item.size;
    if (this.items.length < this.size) this.items.push(item);
  }

  result(): T[] {
    return [...this.items];
  }
}

export function createSampler<T extends Sampleable>(mode: SampleMode, size: number, seed: string): Sampler<T> {
  switch (mode) {
    case 'random':
      return new ReservoirSampler<T>(size, seed);
    case 'newest':
      return new NewestSampler<T>(size);
    case 'prefix':
      return new PrefixSampler<T>(size);
  }
}

/** Feeds a listing stream through a sampler. */
export async function sampleStream<T extends Sampleable>(
  items: AsyncIterable<T> | Iterable<T>,
  sampler: Sampler<T>,
): Promise<Sampler<T>> {
  for await (const item of items) sampler.offer(item);
  return sampler;
}

/** A fresh random seed (16 hex digits) for drills that were not given one. */
export function newSeed(random: () => number = Math.random): string {
  let s = '';
  for (let i = 0; i < 4; i++)
    s += Math.floor(random() * 0x10000)
      .toString(16)
      .padStart(4, '0');
  return s;
}
