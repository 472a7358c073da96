import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { compareKeys, sortKeys } from '../../../../lambda/audit/core';
import {
  compareVersions,
  decodeRun,
  encodeRun,
  InventoryVersion,
  mergeRuns,
  sortInventory,
} from '../../../../lambda/audit/inventory';
import { collect, iter } from '../../../support/audit-fixtures';

// Sorting tens of thousands of rows through temporary files: seconds on a busy machine.
jest.setTimeout(60_000);

const T0 = Date.parse('2026-11-30T08:00:00.000Z');

function row(key: string, over: Partial<InventoryVersion> = {}): InventoryVersion {
  return { key, bucket: 'b', isLatest: true, isDeleteMarker: false, size: 1, lastModified: T0, etag: 'e', ...over };
}

/** A deterministic shuffle (no Math.random: the same order on every run). */
function shuffled<T>(xs: T[]): T[] {
  const out = [...xs];
  let seed = 12345;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'inventory-order-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('sortInventory', () => {
  test('sorts in S3 byte order, not JavaScript string order', async () => {
    // U+1F600 is a surrogate pair: JS puts it before U+E000 and U+FFFD; UTF-8 puts it after.
    const keys = ['a/\u{1F600}', 'a/\uE000', 'a/\uFFFD', 'a/z', 'a/~', 'a', 'a/', 'A', 'a b', 'a+b', 'ü'];
    const sorted = await sortInventory(iter(shuffled(keys).map((k) => row(k))), { tmpDir: tmp, runRows: 3, fanIn: 2 });
    const got = (await collect(sorted.rows())).map((r) => r.key);
    expect(got).toEqual(sortKeys(keys));
    expect(got.indexOf('a/\uE000')).toBeLessThan(got.indexOf('a/\u{1F600}'));
    expect([...keys].sort()).not.toEqual(got); // JS order differs: the test would catch a plain sort
    const bytes = got.map((k) => Buffer.from(k, 'utf8'));
    for (let i = 1; i < bytes.length; i++) expect(Buffer.compare(bytes[i - 1], bytes[i])).toBeLessThan(0);
  });

  test('within a key: the latest version first, then newest to oldest, as ListObjectVersions lists them', async () => {
    const rows = [
      row('k', { versionId: 'old', isLatest: false, lastModified: T0 - 2000 }),
      row('k', { versionId: 'dm', isLatest: true, isDeleteMarker: true, lastModified: T0 }),
      row('k', { versionId: 'mid', isLatest: false, lastModified: T0 - 1000 }),
      row('j', { versionId: 'null' }),
    ];
    const sorted = await sortInventory(iter(rows), { tmpDir: tmp, runRows: 2 });
    expect((await collect(sorted.rows())).map((r) => `${r.key}:${r.versionId}`)).toEqual([
      'j:null',
      'k:dm',
      'k:mid',
      'k:old',
    ]);
  });

  test('20,000 rows in runs of 100: 200 runs, one merge pass at fan-in 16, bounded memory, every temporary file removed', async () => {
    const keys = Array.from(
      { length: 20_000 },
      (_, i) => `p${i % 97}/\u00e9${i.toString(36)}${i % 5 === 0 ? '\u{1F600}' : ''}`,
    );
    const input = shuffled(keys).map((k, i) =>
      row(k, {
        size: i,
        etag: i % 3 ? undefined : `${i}`,
        replicationStatus: i % 7 === 0 ? 'FAILED' : 'COMPLETED',
        checksumAlgorithm: i % 2 ? 'CRC32' : undefined,
      }),
    );
    let seenDuringMerge: string[] = [];
    const sorted = await sortInventory(iter(input), { tmpDir: tmp, runRows: 100, fanIn: 16 });
    expect(sorted.stats).toMatchObject({ rows: 20_000, runs: 200, mergePasses: 1 });
    // Memory: a batch of 100 rows while writing runs, one row per open run (at most 16) while merging.
    expect(sorted.stats.peakRowsInMemory).toBeLessThanOrEqual(100);
    // Disk: the 200 first runs plus at most one merged run in progress.
    expect(sorted.stats.peakRunFiles).toBeLessThanOrEqual(201);
    expect(sorted.stats.bytesWritten).toBeGreaterThan(0);
    const sub = readdirSync(tmp);
    expect(sub).toHaveLength(1);
    seenDuringMerge = readdirSync(join(tmp, sub[0]));
    expect(seenDuringMerge).toHaveLength(Math.ceil(200 / 16)); // 13 merged runs wait for the final merge

    const out = await collect(sorted.rows());
    expect(out).toHaveLength(20_000);
    for (let i = 1; i < out.length; i++) expect(compareKeys(out[i - 1].key, out[i].key)).toBeLessThan(0);
    // Rows survive the disk round trip field for field.
    const byKey = new Map(input.map((r) => [r.key, r]));
    for (const r of out) expect(r).toEqual(byKey.get(r.key));
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('few rows stay in memory: no run file is written', async () => {
    const sorted = await sortInventory(iter([row('b'), row('a')]), { tmpDir: tmp });
    expect(sorted.stats).toMatchObject({ rows: 2, runs: 0, bytesWritten: 0 });
    expect((await collect(sorted.rows())).map((r) => r.key)).toEqual(['a', 'b']);
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('abandoning the stream, or disposing without reading, removes the temporary files', async () => {
    const input = Array.from({ length: 500 }, (_, i) => row(`k${i}`));
    const a = await sortInventory(iter(input), { tmpDir: tmp, runRows: 50 });
    for await (const r of a.rows()) {
      expect(r.key).toBe('k0');
      break;
    }
    expect(readdirSync(tmp)).toEqual([]);
    const b = await sortInventory(iter(input), { tmpDir: tmp, runRows: 50 });
    expect(readdirSync(tmp)).toHaveLength(1);
    await b.dispose();
    expect(readdirSync(tmp)).toEqual([]);
    await expect(collect(b.rows())).rejects.toThrow(/disposed/);
  });

  test('an input that fails mid-way leaves no temporary files', async () => {
    async function* failing() {
      for (let i = 0; i < 300; i++) yield row(`k${i}`);
      throw new Error('GetObject failed');
    }
    await expect(sortInventory(failing(), { tmpDir: tmp, runRows: 100 })).rejects.toThrow('GetObject failed');
    expect(readdirSync(tmp)).toEqual([]);
    expect(existsSync(tmp)).toBe(true);
  });

  test('fails on a run size or fan-in that cannot work', async () => {
    await expect(sortInventory(iter([]), { tmpDir: tmp, runRows: 0 })).rejects.toThrow(
      /runRows must be a positive integer, got 0/,
    );
    await expect(sortInventory(iter([]), { tmpDir: tmp, fanIn: 1 })).rejects.toThrow(
      /fanIn must be an integer of at least 2, got 1/,
    );
  });

  test('compareVersions orders keys by S3 order first', () => {
    expect(compareVersions(row('a/\uE000'), row('a/\u{1F600}'))).toBeLessThan(0);
    expect(
      compareVersions(row('k', { isLatest: true }), row('k', { isLatest: false, lastModified: T0 + 1 })),
    ).toBeLessThan(0);
  });
});

describe('the run format', () => {
  test('runs written elsewhere (one per range by a partitioning pass) read back and merge in S3 order', async () => {
    const gz = async (rows: InventoryVersion[]) => gzipSync((await collect(encodeRun(rows))).join(''));
    const a = [
      row('a/z', { versionId: 'v1', replicationStatus: 'FAILED' }),
      row('a/\u{1F600}', { isDeleteMarker: true, etag: undefined }),
    ];
    const b = [row('a/\uE000', { checksumAlgorithm: 'CRC32C', storageClass: 'GLACIER' }), row('b')];
    const chunks = (buf: Buffer) => iter([buf.subarray(0, 5), buf.subarray(5)]);
    const merged = await collect(mergeRuns([decodeRun(chunks(await gz(a))), decodeRun(chunks(await gz(b)))]));
    // Undefined fields come back as undefined properties; compare the defined ones.
    const defined = (r: InventoryVersion) => JSON.parse(JSON.stringify(r));
    expect(merged.map(defined)).toEqual([a[0], b[0], a[1], b[1]].map(defined));
    expect(merged.map((r) => r.key)).toEqual(['a/z', 'a/\uE000', 'a/\u{1F600}', 'b']);
  });
});
