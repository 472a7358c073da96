import { currentKeys, groupVersions, inBatches, ListedKey, mergeListings } from '../../../../lambda/audit/core';
import { batches, collect, collectBatches, dm, iter, listed, obj } from '../../../support/audit-fixtures';

const keys = (ks: string[]) => batches(ks.map((k) => listed(obj(k))));

describe('mergeListings', () => {
  test('yields one pair per key in S3 order for interleaved sides', async () => {
    const pairs = await collectBatches(
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
    expect(await collectBatches(mergeListings(keys([]), keys([])))).toEqual([]);
    expect((await collectBatches(mergeListings(keys(['a', 'b']), keys([])))).map((p) => p.key)).toEqual(['a', 'b']);
    expect(
      (await collectBatches(mergeListings(keys([]), keys(['a'])))).map((p) => [p.key, p.source, !!p.replica]),
    ).toEqual([['a', undefined, true]]);
  });

  test('never yields a key twice', async () => {
    const a = Array.from({ length: 500 }, (_, i) => `k${String(i * 2).padStart(5, '0')}`);
    const b = Array.from({ length: 500 }, (_, i) => `k${String(i * 3).padStart(5, '0')}`);
    const pairs = await collectBatches(mergeListings(keys(a), keys(b)));
    const all = [...new Set([...a, ...b])].sort();
    expect(pairs.map((p) => p.key)).toEqual(all);
  });

  test('pairs are the same whatever the batches of either side, empty batches included', async () => {
    const a = Array.from({ length: 40 }, (_, i) => `k${String(i * 2).padStart(3, '0')}`);
    const b = Array.from({ length: 30 }, (_, i) => `k${String(i * 3).padStart(3, '0')}`);
    const expected = [...new Set([...a, ...b])].sort();
    /** Batches of the given sizes in turn (0 gives an empty batch), the rest in one. */
    async function* sized(ks: string[], sizes: number[]) {
      let at = 0;
      for (const n of sizes) {
        yield ks.slice(at, at + n).map((k) => listed(obj(k)));
        at += n;
      }
      yield ks.slice(at).map((k) => listed(obj(k)));
    }
    for (const [sa, sb] of [
      [[1, 0, 7, 0, 2], [13]],
      [[40], [1, 1, 1, 0, 0, 5]],
      [[0, 0], [0]],
    ]) {
      const pairs = await collectBatches(mergeListings(sized(a, sa), sized(b, sb)));
      expect(pairs.map((p) => p.key)).toEqual(expected);
      expect(pairs.filter((p) => p.source && p.replica).map((p) => p.key)).toEqual(a.filter((k) => b.includes(k)));
    }
  });

  test('a failing side fails the merge, and the other failing at once is not left unhandled', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      async function* down(name: string): AsyncGenerator<ListedKey[]> {
        throw new Error(`${name} down`);
      }
      await expect(collectBatches(mergeListings(down('source'), down('replica')))).rejects.toThrow('source down');
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  test('stops both listings when the consumer stops', async () => {
    const closed: string[] = [];
    async function* side(name: string) {
      try {
        for (let i = 0; ; i++) yield [listed(obj(`k${String(i).padStart(6, '0')}`))];
      } finally {
        closed.push(name);
      }
    }
    for await (const batch of mergeListings(side('source'), side('replica')))
      if (batch.some((p) => p.key === 'k000010')) break;
    expect(closed.sort()).toEqual(['replica', 'source']);
  });
});

describe('currentKeys and groupVersions', () => {
  test('current mode rejects an unsorted or duplicate listing', async () => {
    await expect(collectBatches(currentKeys(batches([obj('b'), obj('a')]), 'source'))).rejects.toThrow(
      /source listing is not in S3 key order/,
    );
    await expect(collectBatches(currentKeys(batches([obj('a'), obj('a')]), 'replica'))).rejects.toThrow(
      /replica listing/,
    );
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
    const grouped = await collectBatches(groupVersions(batches(rows), 'source'));
    expect(grouped.map((g) => [g.key, g.latest.versionId, g.latest.isDeleteMarker, g.versionCount])).toEqual([
      ['a', 'a3', true, 3],
      ['b', 'b2', false, 2],
      ['c', 'c1', false, 1],
    ]);
  });

  test("a key's versions are grouped across batch boundaries", async () => {
    const rows = [
      obj('a', { versionId: 'a1', isLatest: false, lastModified: 1 }),
      obj('a', { versionId: 'a2', isLatest: true, lastModified: 2 }),
      obj('a', { versionId: 'a0', isLatest: false, lastModified: 0 }),
      obj('b', { versionId: 'b1' }),
    ];
    for (const size of [1, 2, 3, 4]) {
      const grouped = await collectBatches(groupVersions(batches(rows, size), 'source'));
      expect(grouped.map((g) => [g.key, g.latest.versionId, g.versionCount])).toEqual([
        ['a', 'a2', 3],
        ['b', 'b1', 1],
      ]);
    }
  });

  test('inBatches cuts a stream into batches of the size given, the last one shorter', async () => {
    expect(await collect(inBatches(iter([1, 2, 3, 4, 5]), 2))).toEqual([[1, 2], [3, 4], [5]]);
    expect(await collect(inBatches(iter([]), 2))).toEqual([]);
  });

  test('versions mode merges into pairs with delete markers', async () => {
    const s = groupVersions(batches([dm('a'), obj('a', { isLatest: false }), obj('b', { versionId: 'v' })]), 'source');
    const r = groupVersions(batches([obj('a', { versionId: 'x' }), obj('b', { versionId: 'v' })]), 'replica');
    const pairs = await collectBatches(mergeListings(s, r));
    expect(pairs.map((p) => [p.key, p.source?.latest.isDeleteMarker, p.replica?.latest.isDeleteMarker])).toEqual([
      ['a', true, false],
      ['b', false, false],
    ]);
  });
});
