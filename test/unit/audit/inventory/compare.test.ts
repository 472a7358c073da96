import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuditMode,
  AuditRecord,
  auditListings,
  compareKeys,
  currentKeys,
  EngineOptions,
  groupVersions,
  ListedVersion,
} from '../../../../lambda/audit/core';
import {
  compareInventories,
  InventoryManifest,
  inventoryReferenceTime,
  parseInventoryManifest,
  readInventory,
} from '../../../../lambda/audit/inventory';
import { batches } from '../../../support/audit-fixtures';
import { CURRENT_SCHEMA, InvRow, VERSIONS_SCHEMA, writeInventory } from '../../../support/inventory-files';

const CREATED = Date.parse('2026-12-01T01:00:00.000Z');
const OLD = CREATED - 86_400_000;
const MD5 = (n: number) => n.toString(16).padStart(32, '0');
const PREFIX = 'data/';

/**
 * One source version per row, with its replica counterpart: planted differences of every kind,
 * odd keys (unicode, surrogate pairs against U+E000, spaces, plus signs, commas, quotes), several
 * versions per key, delete markers, and keys outside the audited prefix that must be ignored.
 */
function plant(): { source: InvRow[]; replica: InvRow[] } {
  const source: InvRow[] = [];
  const replica: InvRow[] = [];
  const both = (r: InvRow) => {
    source.push(r);
    replica.push({ ...r, replicationStatus: 'REPLICA' });
  };
  const names = (i: number) =>
    [`dir ${i % 9}/file+${i}.bin`, `ü/日本/${i}`, `emoji/\u{1F600}${i}`, `pua/\uE000${i}`, `odd/"q",c ${i}%`][i % 5];
  for (let i = 0; i < 400; i++) {
    const key = PREFIX + names(i);
    const v: InvRow = {
      key,
      versionId: `v${i}`,
      size: 10 + i,
      lastModified: OLD + i,
      etag: MD5(i),
      replicationStatus: 'COMPLETED',
    };
    switch (i % 20) {
      case 1: // missing from the replica; replication FAILED
        source.push({ ...v, replicationStatus: 'FAILED' });
        break;
      case 2: // only on the replica
        replica.push({ ...v, replicationStatus: 'REPLICA' });
        break;
      case 3: // size mismatch
        source.push(v);
        replica.push({ ...v, size: 1, replicationStatus: 'REPLICA' });
        break;
      case 4: // content mismatch (plain MD5 ETags differ)
        source.push(v);
        replica.push({ ...v, etag: MD5(99999), replicationStatus: 'REPLICA' });
        break;
      case 5: // multipart ETags differ at equal size: unverified
        source.push({ ...v, etag: `${MD5(i)}-2` });
        replica.push({ ...v, etag: `${MD5(7)}-2`, replicationStatus: 'REPLICA' });
        break;
      case 6: // a recent source change not yet replicated: pending at the inventory's time
        source.push({ ...v, lastModified: CREATED - 60_000, replicationStatus: 'PENDING' });
        break;
      case 7: // older versions on both sides, latest version ids differ
        both({ ...v, versionId: `old${i}`, isLatest: false, lastModified: OLD - 5000 });
        source.push(v);
        replica.push({ ...v, versionId: `other${i}`, replicationStatus: 'REPLICA' });
        break;
      case 8: // the source deleted (delete marker, not replicated), the replica still has the object
        source.push({ ...v, isLatest: false });
        replica.push({ ...v, replicationStatus: 'REPLICA' });
        source.push({ key, versionId: `dm${i}`, isLatest: true, isDeleteMarker: true, lastModified: OLD + 1000 });
        break;
      case 9: // a null-version object on both sides
        both({ ...v, versionId: 'null' });
        break;
      default:
        both(v);
    }
  }
  // Outside the prefix, and the probe's canary objects: never audited.
  source.push({ key: 'other/x', versionId: 'x', size: 1, lastModified: OLD, etag: MD5(1) });
  replica.push({ key: 'dat', versionId: 'y', size: 1, lastModified: OLD, etag: MD5(1) });
  source.push({ key: '.cdk-s3-dr/canary/1', versionId: 'c', size: 1, lastModified: OLD, etag: MD5(1) });
  return { source, replica };
}

/** What a listing of `mode` over the prefix shows, in the order S3 lists it. */
function listingOf(rows: InvRow[], mode: AuditMode): ListedVersion[] {
  const out: ListedVersion[] = rows
    .filter((r) => r.key.startsWith(PREFIX))
    .filter((r) => mode === 'versions' || ((r.isLatest ?? true) && !r.isDeleteMarker))
    .map((r) => ({
      key: r.key.slice(PREFIX.length),
      versionId: mode === 'versions' ? r.versionId : undefined,
      isLatest: r.isLatest ?? true,
      isDeleteMarker: r.isDeleteMarker ?? false,
      size: r.isDeleteMarker ? 0 : (r.size ?? 0),
      etag: r.isDeleteMarker ? undefined : r.etag,
      lastModified: r.lastModified,
    }));
  return out.sort(
    (a, b) => compareKeys(a.key, b.key) || Number(b.isLatest) - Number(a.isLatest) || b.lastModified - a.lastModified,
  );
}

let tmp: string;
let reports: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'inventory-sort-'));
  reports = mkdtempSync(join(tmpdir(), 'inventory-reports-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(reports, { recursive: true, force: true });
});

function write(bucket: string, rows: InvRow[], schema: string, createdAt: number): InventoryManifest {
  const w = writeInventory(reports, { bucket, rows, schema, fileCount: 4, createdAt });
  return parseInventoryManifest(readFileSync(w.manifestPath, 'utf8'));
}
const rowsOf = (m: InventoryManifest) => readInventory(m, async (f) => createReadStream(join(reports, f.key)));

describe.each(['current', 'versions'] as const)('compareInventories in %s mode', (mode) => {
  const opts = (m: InventoryManifest, r: InventoryManifest): EngineOptions => ({
    mode,
    range: {},
    fingerprint: 'fp',
    lagWindowSeconds: 900,
    deleteMarkerReplication: false,
    versionIdsPreserved: true,
    headCheck: true,
    now: inventoryReferenceTime(m, r),
  });

  test('gives exactly the records and summary the listing engine gives for the same listings, and marks each for a live re-check', async () => {
    const { source, replica } = plant();
    const sm = write('src-bucket', source, VERSIONS_SCHEMA, CREATED);
    const rm = write('rep-bucket', replica, VERSIONS_SCHEMA, CREATED + 600_000);
    const o = opts(sm, rm);
    expect(o.now).toBe(CREATED);

    const records: AuditRecord[] = [];
    const rechecked: string[] = [];
    const result = await compareInventories(
      { ...o, sort: { tmpDir: tmp, runRows: 64, fanIn: 4 } },
      {
        source: { rows: rowsOf(sm), manifest: sm, prefix: PREFIX },
        replica: { rows: rowsOf(rm), manifest: rm, prefix: PREFIX },
        sink: (r) => {
          records.push(r);
        },
        recheck: (key) => {
          rechecked.push(key);
        },
      },
    );

    // The existing engine over the in-memory listings of the same objects.
    const expected: AuditRecord[] = [];
    const group = mode === 'versions' ? groupVersions : currentKeys;
    const reference = await auditListings(o, {
      source: group(batches(listingOf(source, mode)), 'source'),
      replica: group(batches(listingOf(replica, mode)), 'replica'),
      sink: (r) => {
        expected.push(r);
      },
    });

    expect(records).toEqual(expected);
    expect(result.summary).toEqual(reference.summary);
    expect(rechecked).toEqual(records.map((r) => r.key));
    expect(result.recheckKeys).toBe(records.length);

    // The unchanged keys' summary is the engine's over the keys without a record alone.
    const differing = new Set(records.map((r) => r.key));
    const without = (rows: ListedVersion[]) => rows.filter((r) => !differing.has(r.key));
    const unchangedRef = await auditListings(o, {
      source: group(batches(without(listingOf(source, mode))), 'source'),
      replica: group(batches(without(listingOf(replica, mode))), 'replica'),
      sink: () => undefined,
    });
    expect(result.unchanged).toEqual({ ...unchangedRef.summary, maxObservedLagSeconds: 0 });
    expect(result.unchanged.keys).toBe(result.summary.keys - differing.size);

    // The planted differences are all there (20 groups of 20 keys).
    const kinds = (k: string) => records.filter((r) => r.kind === k).length;
    expect(kinds('missing')).toBe(20);
    // In current mode a key whose source latest is a delete marker looks extra (ListObjectsV2 hides
    // it too): the live re-check's source lookup tells the two apart.
    expect(kinds('extra')).toBe(mode === 'versions' ? 20 : 40);
    expect(kinds('size-mismatch')).toBe(20);
    expect(kinds('unverified')).toBe(40); // multipart ETags, and MD5 ETags with no HeadObject data
    expect(kinds('pending')).toBe(20);
    expect(kinds('version-mismatch')).toBe(mode === 'versions' ? 20 : 0);
    expect(result.summary.deletesNotReplicated).toBe(mode === 'versions' ? 20 : 0);
    expect(result.summary.source.keys).toBe(mode === 'versions' ? 380 : 360);
    // Sorted on disk in runs of 64, every run file removed.
    expect(result.sort.source.runs).toBeGreaterThan(4);
    expect(result.sort.source.mergePasses).toBeGreaterThan(0);
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('audits one key range only, as a range of a distributed audit', async () => {
    const { source, replica } = plant();
    const sm = write('src-bucket', source, VERSIONS_SCHEMA, CREATED);
    const rm = write('rep-bucket', replica, VERSIONS_SCHEMA, CREATED);
    const range = { startAfter: 'emoji/', endAt: 'pua/' };
    const records: AuditRecord[] = [];
    const result = await compareInventories(
      { ...opts(sm, rm), range, sort: { tmpDir: tmp, runRows: 50 } },
      {
        source: { rows: rowsOf(sm), manifest: sm, prefix: PREFIX },
        replica: { rows: rowsOf(rm), manifest: rm, prefix: PREFIX },
        sink: (r) => {
          records.push(r);
        },
      },
    );
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(r.key.startsWith('emoji/') || r.key.startsWith('odd/')).toBe(true);
    expect(result.sort.source.rows).toBeLessThan(source.length / 2);
  });
});

test('versions mode refuses a current-versions inventory, saying what to configure', async () => {
  const rows: InvRow[] = [{ key: 'data/a', size: 1, lastModified: OLD, etag: MD5(1) }];
  const sm = write('src-bucket', rows, CURRENT_SCHEMA, CREATED);
  await expect(
    compareInventories(
      {
        mode: 'versions',
        range: {},
        fingerprint: 'fp',
        lagWindowSeconds: 900,
        deleteMarkerReplication: false,
        versionIdsPreserved: true,
        headCheck: true,
        now: CREATED,
        sort: { tmpDir: tmp },
      },
      {
        source: { rows: rowsOf(sm), manifest: sm },
        replica: { rows: rowsOf(sm), manifest: sm },
        sink: () => undefined,
      },
    ),
  ).rejects.toThrow(
    /the source inventory \(bucket src-bucket\) lists current versions only.*IncludedObjectVersions All/,
  );
});
