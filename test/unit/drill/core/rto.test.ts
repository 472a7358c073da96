import { estimateRto, RTO_MODEL } from '../../../../lambda/drill/core/rto';

describe('rto estimate', () => {
  const base = { concurrency: 8, listSeconds: 2 };

  test('extrapolates the objects rate when object count dominates', () => {
    // 100 objects of 1 KiB in 4 s: 25 obj/s, 25.6 KiB/s; 10,000 objects of 1 KiB.
    const r = estimateRto({
      ...base,
      sampleObjects: 100,
      sampleBytes: 102_400,
      restoreSeconds: 4,
      totalObjects: 10_000,
      totalBytes: 10_240_000,
    })!;
    expect(r.objectsPerSecond).toBe(25);
    expect(r.bytesPerSecond).toBe(25_600);
    expect(r.copySeconds).toBe(400);
    expect(r.seconds).toBe(402);
    expect(r.concurrency).toBe(8);
  });

  test('is bounded by bytes when the bucket holds bigger objects than the sample', () => {
    // Same sample, but the bucket is 10,000 objects totalling 1 GB.
    const r = estimateRto({
      ...base,
      sampleObjects: 100,
      sampleBytes: 102_400,
      restoreSeconds: 4,
      totalObjects: 10_000,
      totalBytes: 1e9,
    })!;
    expect(r.boundBy).toBe('bytes');
    expect(r.copySeconds).toBeCloseTo(1e9 / 25_600, 6);
  });

  test('states its model and assumptions', () => {
    const r = estimateRto({
      ...base,
      sampleObjects: 1,
      sampleBytes: 1,
      restoreSeconds: 1,
      totalObjects: 1,
      totalBytes: 1,
    })!;
    expect(r.model).toBe(RTO_MODEL);
    expect(r.assumptions.join(' ')).toMatch(/concurrency/);
    expect(r.assumptions.join(' ')).toMatch(/representative/);
  });

  test('gives no estimate when nothing was restored', () => {
    expect(
      estimateRto({ ...base, sampleObjects: 0, sampleBytes: 0, restoreSeconds: 1, totalObjects: 5, totalBytes: 5 }),
    ).toBeUndefined();
    expect(
      estimateRto({ ...base, sampleObjects: 3, sampleBytes: 3, restoreSeconds: 0, totalObjects: 5, totalBytes: 5 }),
    ).toBeUndefined();
  });

  test('handles zero-byte objects with the objects rate alone', () => {
    const r = estimateRto({
      ...base,
      sampleObjects: 10,
      sampleBytes: 0,
      restoreSeconds: 1,
      totalObjects: 100,
      totalBytes: 0,
    })!;
    expect(r.copySeconds).toBe(10);
    expect(r.boundBy).toBe('objects');
  });
});
