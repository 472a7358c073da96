import { currentKeys, groupVersions, mergeListings } from '../../../../lambda/audit/core';
import { collect, dm, iter, listed, obj } from '../../../support/audit-fixtures';

const keys = (ks: string[]) => iter(ks.map((k) => listed(obj(k))));

describe('mergeListings', () => {
  test('yields one pair per key in S3 order for interleaved sides', async () => {
    const pairs = await collect(
      mergeListings(keys(['a', 'c', 'd', '\u{1F600}']), keys(['b', 'c', '\uE000', '\u{1F600}', 'z'])),
    );
    expect(pairs.map((p) => [p.key, Boolean(p.source), Boolean(p.replica)])).toEqual([
      ['a', true, false],
      ['b', false, true],
      ['c', true, true],
      ['d', true, false],
      ['\uE000', false, true],
      ['\u{1F600}', true, true],
      ['z', false, true],
    ]);
  });

  test('handles empty sides', async () => {
    expect(await collect(mergeListings(keys([]), keys([])))).toEqual([]);
    expect((await collect(mergeListings(keys(['a', 'b']), keys([])))).map((p) => p.key)).toEqual(['a', 'b']);
    expect((await collect(mergeListings(keys([]), keys(['a'])))).map((p) => [p.key, p.source, !!p.replica])).toEqual([
      ['a', undefined, true],
    ]);
  });

  test('never yields a key twice', async () => {
    const a = Array.from({ length: 500 }, (_, i) => `k${String(i * 2).padStart(5, '0')}`);
    const b = Array.from({ length: 500 }, (_, i) => `k${String(i * 3).padStart(5, '0')}`);
    const pairs = await collect(mergeListings(keys(a), keys(b)));
    const all = [...new Set([...a, ...b])].sort();
    expect(pairs.map((p) => p.key)).toEqual(all);
  });

  test('stops both listings when the consumer stops', async () => {
    const closed: string[] = [];
    async function* side(name: string) {
      try {
        for (let i = 0; ; i++) yield listed(obj(`k${String(i).padStart(6, '0')}`));
      } finally {
        closed.push(name);
      }
    }
    for await (const p of mergeListings(side('source'), side('replica'))) if (p.key === 'k000010') break;
    expect(closed.sort()).toEqual(['replica', 'source']);
  });
});

describe('currentKeys and groupVersions', () => {
  test('current mode rejects an unsorted or duplicate listing', async () => {
    await expect(collect(currentKeys(iter([obj('b'), obj('a')]), 'source'))).rejects.toThrow(
      /source listing is not in S3 key order/,
    );
    await expect(collect(currentKeys(iter([obj('a'), obj('a')]), 'replica'))).rejects.toThrow(/replica listing/);
  });

  test('groups versions and delete markers per key and picks the latest', async () => {
    const rows = [
      dm('a', { versionId: 'a3', isLatest: true, lastModified: 3 }),
      obj('a', { versionId: 'a2', isLatest: false, lastModified: 2 }),
      obj('a', { versionId: 'a1', isLatest: false, lastModified: 1 }),
      obj('b', { versionId: 'b1', isLatest: false, lastModified: 1 }),
      obj('b', { versionId: 'b2', isLatest: true, lastModified: 2 }),
      obj('c', { versionId: 'c1' }),
    ];
    const grouped = await collect(groupVersions(iter(rows), 'source'));
    expect(grouped.map((g) => [g.key, g.latest.versionId, g.latest.isDeleteMarker, g.versionCount])).toEqual([
      ['a', 'a3', true, 3],
      ['b', 'b2', false, 2],
      ['c', 'c1', false, 1],
    ]);
  });

  test('versions mode merges into pairs with delete markers', async () => {
    const s = groupVersions(iter([dm('a'), obj('a', { isLatest: false }), obj('b', { versionId: 'v' })]), 'source');
    const r = groupVersions(iter([obj('a', { versionId: 'x' }), obj('b', { versionId: 'v' })]), 'replica');
    const pairs = await collect(mergeListings(s, r));
    expect(pairs.map((p) => [p.key, p.source?.latest.isDeleteMarker, p.replica?.latest.isDeleteMarker])).toEqual([
      ['a', true, false],
      ['b', false, false],
    ]);
  });
});
