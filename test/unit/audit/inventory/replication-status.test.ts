import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  batchManifestFields,
  batchManifestLine,
  encodeBatchKey,
  InventoryManifest,
  parseInventoryManifest,
  readInventory,
  replicationManifest,
} from '../../../../lambda/audit/inventory';
import { collect } from '../../../support/audit-fixtures';
import { CURRENT_SCHEMA, InvRow, VERSIONS_SCHEMA, writeInventory } from '../../../support/inventory-files';

const T0 = Date.parse('2026-11-30T08:00:00.000Z');
const E = 'a'.repeat(32);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'inventory-repl-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function report(rows: InvRow[], schema: string): InventoryManifest {
  const w = writeInventory(dir, { bucket: 'src', rows, schema, fileCount: 2, createdAt: T0 });
  return parseInventoryManifest(readFileSync(w.manifestPath, 'utf8'));
}
const rowsOf = (m: InventoryManifest) => readInventory(m, async (f) => createReadStream(join(dir, f.key)));

describe('encodeBatchKey', () => {
  test('percent-encodes as the Batch Operations examples show: %20 for a space, "/" kept', () => {
    expect(encodeBatchKey('photos/jpgs/newjersey/objectkey5')).toBe('photos/jpgs/newjersey/objectkey5');
    expect(encodeBatchKey('object key with spaces')).toBe('object%20key%20with%20spaces');
    expect(encodeBatchKey('a,b+c%d"e')).toBe('a%2Cb%2Bc%25d%22e');
    expect(encodeBatchKey('ü/\u{1F600}\n')).toBe('%C3%BC/%F0%9F%98%80%0A');
    expect(decodeURIComponent(encodeBatchKey('x, y/z+'))).toBe('x, y/z+');
  });

  test('a line with and without a version id; an empty version id is "null"', () => {
    expect(batchManifestLine('b', 'a b')).toBe('b,a%20b\n');
    expect(batchManifestLine('b', 'k', 'v1')).toBe('b,k,v1\n');
    expect(batchManifestLine('b', 'k', '')).toBe('b,k,null\n');
    expect(batchManifestFields(true)).toEqual(['Bucket', 'Key', 'VersionId']);
    expect(batchManifestFields(false)).toEqual(['Bucket', 'Key']);
  });
});

describe('replicationManifest', () => {
  const rows: InvRow[] = [
    { key: 'ok.txt', versionId: 'v1', size: 1, lastModified: T0, etag: E, replicationStatus: 'COMPLETED' },
    { key: 'failed one.txt', versionId: 'v2', size: 1, lastModified: T0, etag: E, replicationStatus: 'FAILED' },
    {
      key: 'failed/old,1',
      versionId: 'v3',
      isLatest: false,
      size: 1,
      lastModified: T0,
      etag: E,
      replicationStatus: 'FAILED',
    },
    { key: 'null-version', versionId: 'null', size: 1, lastModified: T0, etag: E, replicationStatus: 'FAILED' },
    { key: 'pending', versionId: 'v5', size: 1, lastModified: T0, etag: E, replicationStatus: 'PENDING' },
    { key: 'unreplicated', versionId: 'v6', size: 1, lastModified: T0, etag: E },
    { key: 'gone', versionId: 'dm', isDeleteMarker: true, lastModified: T0, replicationStatus: 'FAILED' },
  ];

  test('lists the FAILED object versions of an all-versions inventory with their version ids', async () => {
    const lines = await collect(replicationManifest(rowsOf(report(rows, VERSIONS_SCHEMA))));
    expect(lines.sort()).toEqual(['src,failed%20one.txt,v2\n', 'src,failed/old%2C1,v3\n', 'src,null-version,null\n']);
  });

  test('latest versions only; other statuses on request (NONE: no rule applied)', async () => {
    const m = report(rows, VERSIONS_SCHEMA);
    expect((await collect(replicationManifest(rowsOf(m), { latestOnly: true }))).sort()).toEqual([
      'src,failed%20one.txt,v2\n',
      'src,null-version,null\n',
    ]);
    expect((await collect(replicationManifest(rowsOf(m), { statuses: ['PENDING', 'NONE'] }))).sort()).toEqual([
      'src,pending,v5\n',
      'src,unreplicated,v6\n',
    ]);
  });

  test('a current-versions inventory gives lines without version ids, and refuses to invent them', async () => {
    const m = report(
      rows.filter((r) => r.isLatest !== false && !r.isDeleteMarker),
      CURRENT_SCHEMA,
    );
    expect((await collect(replicationManifest(rowsOf(m)))).sort()).toEqual([
      'src,failed%20one.txt\n',
      'src,null-version\n',
    ]);
    await expect(collect(replicationManifest(rowsOf(m), { versionIds: true }))).rejects.toThrow(
      /has no VersionId column, so the manifest cannot carry version ids/,
    );
  });

  test('fails when the inventory has no ReplicationStatus column', async () => {
    const m = report(rows.slice(0, 1), 'Bucket, Key, Size, LastModifiedDate, ETag');
    await expect(collect(replicationManifest(rowsOf(m)))).rejects.toThrow(
      /the inventory of bucket src has no ReplicationStatus column: add ReplicationStatus to the inventory configuration's optional fields/,
    );
  });
});
