import { DrillOptions } from '../../../../lambda/drill/core/options';
import { DrillObjectResult } from '../../../../lambda/drill/core/report';
import {
  deleteBatches,
  drillThroughput,
  drillVerdict,
  newDrillReport,
  sampledObjects,
  seconds,
  sortFailures,
  sweepTargets,
} from '../../../../lambda/drill/core/run-report';
import { failureReason } from '../../../../lambda/drill/phases/verify';

const loc = { bucket: 'b', prefix: '', region: 'us-east-1' };
const options = {
  source: loc,
  replica: loc,
  restoreTo: { ...loc, bucket: 'scratch', prefix: 'drills/' },
  sampleMode: 'random',
  sampleSize: 10,
  concurrency: 4,
  asOf: new Date('2026-01-02T03:04:05Z'),
} as unknown as DrillOptions;

const entry = (over: Partial<DrillObjectResult>): DrillObjectResult => ({
  key: 'k',
  size: 1,
  targetKey: 't/k',
  restored: true,
  verified: true,
  ...over,
});

describe('drill run report (pure parts of the phases)', () => {
  test('a new report has nothing listed, restored or verified, and a complete cleanup', () => {
    const r = newDrillReport(options, {
      drillId: 'd1',
      seed: 's1',
      plan: {} as never,
      startedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(r).toMatchObject({
      drillId: 'd1',
      passed: false,
      sourceAvailable: true,
      sample: { mode: 'random', requested: 10, selected: 0, seed: 's1', asOf: '2026-01-02T03:04:05.000Z' },
      restored: { objects: 0, bytes: 0 },
      cleanup: { written: 0, deleted: 0, swept: 0, complete: true, leftovers: [] },
      objects: [],
      failures: [],
    });
  });

  test('the plan phase maps each sampled object under the drill root, not yet restored', () => {
    const objects = sampledObjects(
      [{ key: 'a/b.txt', size: 3, lastModified: new Date(0), versionId: 'v1', since: 'unchanged' }],
      'drills/d1/',
    );
    expect(objects).toEqual([
      {
        key: 'a/b.txt',
        versionId: 'v1',
        size: 3,
        lastModified: '1970-01-01T00:00:00.000Z',
        since: 'unchanged',
        targetKey: 'drills/d1/a/b.txt',
        restored: false,
        verified: false,
      },
    ]);
  });

  test('throughput is per second of each phase, and zero for a phase that took no time', () => {
    expect(drillThroughput({ objects: 10, bytes: 4000 }, 2000, 2000, 500)).toEqual({
      restoreObjectsPerSecond: 5,
      restoreBytesPerSecond: 2000,
      verifyBytesPerSecond: 4000,
    });
    expect(drillThroughput({ objects: 10, bytes: 4000 }, 2000, 0, 0)).toEqual({
      restoreObjectsPerSecond: 0,
      restoreBytesPerSecond: 0,
      verifyBytesPerSecond: 0,
    });
    expect(seconds(1234.4)).toBe(1.234);
  });

  test('cleanup deletes in batches of the given size', () => {
    const objects = Array.from({ length: 250 }, (_, i) => ({ key: `k${i}` }));
    expect(deleteBatches(objects, 100).map((b) => b.length)).toEqual([100, 100, 50]);
    expect(deleteBatches([], 100)).toEqual([]);
  });

  test('the sweep takes every version under the root and counts those the run did not record', () => {
    const listed = [
      { key: 'drills/d1/a', versionId: 'v1' },
      { key: 'drills/d1/a', versionId: 'v2' },
      { key: 'drills/d10/x', versionId: 'v9' },
      { key: 'other', versionId: 'v3' },
    ];
    const versioned = sweepTargets(listed, 'drills/d1/', true, [{ key: 'drills/d1/a', versionId: 'v1' }]);
    expect(versioned.leftover).toEqual([
      { key: 'drills/d1/a', versionId: 'v1' },
      { key: 'drills/d1/a', versionId: 'v2' },
    ]);
    expect(versioned.swept).toBe(1);
    const unversioned = sweepTargets(listed, 'drills/d1/', false, [{ key: 'drills/d1/a' }]);
    expect(unversioned.leftover).toEqual([{ key: 'drills/d1/a' }, { key: 'drills/d1/a' }]);
    expect(unversioned.swept).toBe(0);
  });

  test('the verdict passes only with objects, all restored and verified, and a complete cleanup', () => {
    const against = { 'source-sha256': 0, 'replica-checksum': 0, 'replica-etag-md5': 0, unverifiable: 0 };
    const base = { cleanup: { complete: true } as never, verified: { objects: 1, bytes: 1, against } };
    expect(drillVerdict({ ...base, objects: [entry({})] }, false)).toEqual({ passed: true });
    expect(drillVerdict({ ...base, objects: [] }, false).passed).toBe(false);
    expect(drillVerdict({ ...base, objects: [entry({ verified: false })] }, false).passed).toBe(false);
    expect(drillVerdict({ ...base, cleanup: { complete: false } as never, objects: [entry({})] }, false).passed).toBe(
      false,
    );
  });

  test('unverifiable objects pass only when allowed, with a note saying how many', () => {
    const against = { 'source-sha256': 0, 'replica-checksum': 0, 'replica-etag-md5': 0, unverifiable: 2 };
    const report = {
      cleanup: { complete: true } as never,
      verified: { objects: 0, bytes: 0, against },
      objects: [entry({ verified: false, verifiedAgainst: 'unverifiable' })],
    };
    expect(drillVerdict(report, false)).toEqual({ passed: false });
    expect(drillVerdict(report, true)).toEqual({
      passed: true,
      note: '2 object(s) were unverifiable and allowed to pass',
    });
  });

  test('failures are listed in key order', () => {
    const sorted = sortFailures([{ key: 'b' }, { key: 'a' }, { key: 'c' }]);
    expect(sorted.map((f) => f.key)).toEqual(['a', 'b', 'c']);
  });

  test('a failed verification says whether the replica or the copy was wrong, and that the replica changed', () => {
    const rule = { against: 'source-sha256' as const };
    expect(failureReason('sha-256 differs', rule, { result: entry({}), replicaSha256: 'r' }, 's', 'x')).toBe(
      "sha-256 differs; the replica's own bytes (sha-256 r) differ from the source version: the replica copy is corrupt or stale",
    );
    expect(failureReason('sha-256 differs', rule, { result: entry({}), replicaSha256: 's' }, 's', 'x')).toBe(
      'sha-256 differs; the replica matched the source, so the copy to the restore target was corrupted',
    );
    // A server-side copy writes the replica's stored bytes: a mismatch is the replica's.
    expect(failureReason('sha-256 differs', rule, { result: entry({}) }, 's', 'x', true)).toBe(
      "sha-256 differs; the target copied the replica's stored bytes server-side, so the replica copy is corrupt or stale (copy mode stream also hashes the replica's bytes on the way)",
    );
    expect(failureReason('sha-256 differs', rule, { result: entry({}) }, 's', 'x')).toBe('sha-256 differs');
    expect(
      failureReason(
        undefined,
        { against: 'replica-checksum' },
        { result: entry({ note: 'n' }), etag: '"a"', record: { etag: '"b"', checksums: {} } },
        undefined,
        'x',
      ),
    ).toBe('not verified; the replica object changed during the drill (etag "a" when listed, "b" now) (n)');
  });
});
