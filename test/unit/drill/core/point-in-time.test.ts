import {
  emptyPointInTimeStats,
  mergeVersionPage,
  ResolvedVersion,
  resolveAsOf,
  VersionEntry,
} from '../../../../lambda/drill/core/point-in-time';

const T = new Date('2026-11-20T12:00:00Z');
const at = (offsetSeconds: number) => new Date(T.getTime() + offsetSeconds * 1000);

function v(key: string, versionId: string, offset: number, extra: Partial<VersionEntry> = {}): VersionEntry {
  return { key, versionId, lastModified: at(offset), isDeleteMarker: false, size: 10, ...extra };
}
function dm(key: string, versionId: string, offset: number): VersionEntry {
  return { key, versionId, lastModified: at(offset), isDeleteMarker: true };
}

async function resolve(entries: VersionEntry[]) {
  const stats = emptyPointInTimeStats();
  const out: ResolvedVersion[] = [];
  for await (const r of resolveAsOf(entries, T, stats)) out.push(r);
  return { out, stats };
}

describe('point-in-time resolution', () => {
  test('an overwritten key resolves to its version at T', async () => {
    const { out, stats } = await resolve([v('a', 'a3', 60), v('a', 'a2', -10), v('a', 'a1', -100)]);
    expect(out).toEqual([expect.objectContaining({ key: 'a', versionId: 'a2', since: 'overwritten' })]);
    expect(stats.overwrittenSince).toBe(1);
  });

  test('a key deleted after T is restored with its version at T', async () => {
    const { out, stats } = await resolve([dm('b', 'b-dm', 30), v('b', 'b1', -30)]);
    expect(out).toEqual([expect.objectContaining({ key: 'b', versionId: 'b1', since: 'deleted' })]);
    expect(stats.deletedSince).toBe(1);
  });

  test('a key created after T is skipped', async () => {
    const { out, stats } = await resolve([v('c', 'c1', 1)]);
    expect(out).toEqual([]);
    expect(stats.createdAfterT).toBe(1);
  });

  test('a key whose version at T was a delete marker is skipped, even if written again since', async () => {
    const { out, stats } = await resolve([v('d', 'd3', 50), dm('d', 'd-dm', -5), v('d', 'd1', -50)]);
    expect(out).toEqual([]);
    expect(stats.deletedAtT).toBe(1);
  });

  test('a version written exactly at T counts as existing at T', async () => {
    const { out } = await resolve([v('e', 'e1', 0)]);
    expect(out.map((r) => r.versionId)).toEqual(['e1']);
  });

  test('an unchanged key resolves to its current version; keys stream in order', async () => {
    const { out, stats } = await resolve([
      v('a', 'a1', -5),
      v('b', 'b2', 5),
      v('b', 'b1', -5),
      v('c', 'c1', -1, { size: 99, etag: '"x"' }),
    ]);
    expect(out.map((r) => [r.key, r.versionId, r.since])).toEqual([
      ['a', 'a1', 'unchanged'],
      ['b', 'b1', 'overwritten'],
      ['c', 'c1', 'unchanged'],
    ]);
    expect(out[2]).toMatchObject({ size: 99, etag: '"x"' });
    expect(stats).toMatchObject({ keys: 3, entries: 4, resolved: 3 });
  });

  test('does not depend on the order of versions within a key', async () => {
    const { out } = await resolve([v('a', 'a1', -100), v('a', 'a3', 60), v('a', 'a2', -10)]);
    expect(out.map((r) => r.versionId)).toEqual(['a2']);
  });
});

describe('merging a version listing page', () => {
  test('interleaves delete markers with versions by key, newest first', () => {
    const versions = [v('a', 'a1', -10), v('c', 'c2', -5), v('c', 'c1', -20)];
    const markers = [dm('b', 'b-dm', 0), dm('c', 'c-dm', -10)];
    expect(mergeVersionPage(versions, markers).map((e) => e.versionId)).toEqual(['a1', 'b-dm', 'c2', 'c-dm', 'c1']);
  });

  test('interleaves in S3 key order (UTF-8 bytes), not JavaScript string order', () => {
    // U+FF5E sorts before U+10000 in UTF-8 bytes (S3's order) but after it in UTF-16 code units.
    expect('\uff5e' < '\u{10000}').toBe(false);
    const versions = [v('\uff5e', 'bmp1', -10), v('\u{10000}', 'astral1', -20)];
    const markers = [dm('\uff5e', 'bmp-dm', 0), dm('\u{10000}', 'astral-dm', -5)];
    expect(mergeVersionPage(versions, markers).map((e) => e.versionId)).toEqual([
      'bmp-dm',
      'bmp1',
      'astral-dm',
      'astral1',
    ]);
  });
});
