import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  decodeInventoryKey,
  InventoryFormatError,
  InventoryVersion,
  parseCsvRecord,
  parseInventoryManifest,
  readDataFile,
  readInventory,
} from '../../../../lambda/audit/inventory';
import { collect } from '../../../support/audit-fixtures';
import {
  CURRENT_SCHEMA,
  csvLine,
  formEncode,
  InvRow,
  VERSIONS_SCHEMA,
  writeInventory,
} from '../../../support/inventory-files';

const T0 = Date.parse('2026-11-30T08:00:00.000Z');
const ODD_KEYS = [
  'plain.txt',
  'with space/and+plus.txt',
  'percent%20literal',
  'comma,and"quote\'s',
  'tab\tnew\nline',
  'ünïcödé/日本語/файл',
  'emoji/\u{1F600}.png',
  'private-use/\uE000',
  'trailing/',
  'a'.repeat(1000),
];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'inventory-csv-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (root: string) => async (f: { key: string }) => createReadStream(join(root, f.key));

describe('parseCsvRecord', () => {
  test.each([
    ['"a","b","c"', ['a', 'b', 'c']],
    ['"a","","c"', ['a', '', 'c']],
    ['"say ""hi""","x,y"', ['say "hi"', 'x,y']],
    ['a,b,', ['a', 'b', '']],
    ['"a",b,"c"', ['a', 'b', 'c']],
    ['"multi\nline","z"', ['multi\nline', 'z']],
  ])('%j', (line, fields) => {
    expect(parseCsvRecord(line)).toEqual(fields);
  });

  test('fails on an unclosed quote or text after a closing quote', () => {
    expect(() => parseCsvRecord('"a","b')).toThrow(/quoted field starting at column 5 has no closing quote/);
    expect(() => parseCsvRecord('"a"x,"b"')).toThrow(/expected a comma after the quoted field/);
  });
});

describe('decodeInventoryKey', () => {
  test('form decoding: "+" is a space, %2B a plus, UTF-8 sequences', () => {
    expect(decodeInventoryKey('with+space%2Fand%2Bplus.txt')).toBe('with space/and+plus.txt');
    expect(decodeInventoryKey('%C3%BC%F0%9F%98%80')).toBe('ü\u{1F600}');
    for (const k of ODD_KEYS) expect(decodeInventoryKey(formEncode(k))).toBe(k);
  });
});

describe('readInventory', () => {
  test('reads an all-versions report over several data files into ListedVersions with the inventory fields', async () => {
    const rows: InvRow[] = ODD_KEYS.flatMap((key, i) => [
      {
        key,
        versionId: `v${i}-new`,
        isLatest: true,
        size: 100 + i,
        lastModified: T0 + i * 1000,
        etag: i === 3 ? 'c0ffee0000000000000000000000beef-3' : `${'0'.repeat(31)}${i}`,
        replicationStatus: i === 2 ? 'FAILED' : 'COMPLETED',
        checksumAlgorithm: i % 2 === 0 ? 'CRC64NVME' : undefined,
      },
      {
        key,
        versionId: i === 0 ? 'null' : `v${i}-old`,
        isLatest: false,
        size: 7,
        lastModified: T0 - 5000,
        etag: 'e'.repeat(32),
      },
    ]);
    rows.push({ key: 'deleted.txt', versionId: 'dm-1', isLatest: true, isDeleteMarker: true, lastModified: T0 });
    const w = writeInventory(dir, {
      bucket: 'src',
      rows,
      schema: VERSIONS_SCHEMA,
      fileCount: 3,
      createdAt: T0 + 3600_000,
    });
    const manifest = parseInventoryManifest(readFileSync(w.manifestPath, 'utf8'));
    expect(manifest.files).toHaveLength(3);

    const got = await collect(readInventory(manifest, open(dir)));
    expect(got).toHaveLength(rows.length);
    const byVersion = new Map(got.map((v) => [`${v.key}\u0000${v.versionId}`, v]));
    expect(byVersion.get(`comma,and"quote's\u0000v3-new`)).toEqual<InventoryVersion>({
      key: `comma,and"quote's`,
      bucket: 'src',
      versionId: 'v3-new',
      isLatest: true,
      isDeleteMarker: false,
      size: 103,
      lastModified: T0 + 3000,
      etag: 'c0ffee0000000000000000000000beef-3',
      replicationStatus: 'COMPLETED',
      checksumAlgorithm: undefined,
      storageClass: 'STANDARD',
      encryptionStatus: 'SSE-S3',
    });
    // An empty VersionId in an all-versions report is the null version.
    expect(byVersion.get('plain.txt\u0000null')).toMatchObject({ isLatest: false, size: 7 });
    expect(byVersion.get('with space/and+plus.txt\u0000v1-new')).toMatchObject({ replicationStatus: 'COMPLETED' });
    expect(byVersion.get('percent%20literal\u0000v2-new')).toMatchObject({
      replicationStatus: 'FAILED',
      checksumAlgorithm: 'CRC64NVME',
    });
    expect(byVersion.get('deleted.txt\u0000dm-1')).toMatchObject({
      isDeleteMarker: true,
      size: 0,
      etag: undefined,
      replicationStatus: 'NONE',
    });
    // Every odd key came back exactly.
    expect(new Set(got.map((v) => v.key))).toEqual(new Set([...ODD_KEYS, 'deleted.txt']));
  });

  test('a current-versions report has no version ids and every row is the latest object', async () => {
    const w = writeInventory(dir, {
      bucket: 'rep',
      rows: [{ key: 'x y', size: 3, lastModified: T0, etag: 'a'.repeat(32), replicationStatus: 'REPLICA' }],
      schema: CURRENT_SCHEMA,
      fileCount: 1,
      createdAt: T0,
      lineEnd: '\r\n',
    });
    const manifest = parseInventoryManifest(readFileSync(w.manifestPath, 'utf8'));
    const [v] = await collect(readInventory(manifest, open(dir)));
    expect(v).toMatchObject({
      key: 'x y',
      versionId: undefined,
      isLatest: true,
      isDeleteMarker: false,
      replicationStatus: 'REPLICA',
    });
  });

  test('reads a file delivered in small chunks that cut lines and UTF-8 sequences', async () => {
    const rows: InvRow[] = ODD_KEYS.map((key, i) => ({ key, size: i, lastModified: T0, etag: 'b'.repeat(32) }));
    const w = writeInventory(dir, { bucket: 'src', rows, schema: CURRENT_SCHEMA, fileCount: 1, createdAt: T0 });
    const manifest = parseInventoryManifest(readFileSync(w.manifestPath, 'utf8'));
    const bytes = readFileSync(w.files[0].path);
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
    }
    const got = await collect(readDataFile(manifest, chunks(), { file: manifest.files[0] }));
    expect(got.map((v) => v.key)).toEqual(ODD_KEYS);
  });

  describe('fails with the file, the line and the value', () => {
    const manifestFor = (body: string, schema = CURRENT_SCHEMA) => {
      const gz = gzipSync(body);
      writeFileSync(join(dir, 'f.csv.gz'), gz);
      return parseInventoryManifest({
        sourceBucket: 'src',
        destinationBucket: 'arn:aws:s3:::r',
        version: '2016-11-30',
        creationTimestamp: String(T0),
        fileFormat: 'CSV',
        fileSchema: schema,
        files: [
          {
            key: 'f.csv.gz',
            size: gz.length,
            MD5checksum: require('node:crypto').createHash('md5').update(gz).digest('hex'),
          },
        ],
      });
    };
    const good = csvLine('src', CURRENT_SCHEMA, { key: 'ok', size: 1, lastModified: T0, etag: 'c'.repeat(32) });

    test.each([
      [
        'a fractional size',
        good.replace('"1"', '"1.5"'),
        /f\.csv\.gz line 2: Size is "1\.5", expected a whole number of bytes/,
      ],
      [
        'a date that is not ISO 8601',
        good.replace(/"20\d\d-[^"]*"/, '"yesterday"'),
        /line 2: LastModifiedDate is "yesterday", expected an ISO 8601 date/,
      ],
      [
        'a row of another bucket',
        good.replace('"src"', '"other"'),
        /line 2: Bucket is "other", expected "src", the manifest's sourceBucket/,
      ],
      [
        'a malformed URL encoding',
        good.replace('"ok"', '"%E0%A4%A"'),
        /line 2: Key is "%E0%A4%A", expected a URL-encoded key/,
      ],
      ['a missing column', good.replace(',"STANDARD"', ''), /line 2: 9 fields, expected 10/],
      [
        'an unknown replication status',
        good.replace('"COMPLETED"', '"SOMETIMES"').replace(',"",', ',"SOMETIMES",'),
        /ReplicationStatus is "SOMETIMES"/,
      ],
      ['an unclosed quote at the end of the file', good.slice(0, -1), /line 2: a quoted field is not closed/],
    ])('%s', async (_label, bad, message) => {
      const m = manifestFor(`${good}\n${bad}\n`);
      await expect(collect(readInventory(m, open(dir)))).rejects.toThrow(message);
      await expect(collect(readInventory(m, open(dir)))).rejects.toThrow(InventoryFormatError);
    });

    test('a data file that does not match the manifest MD5 is refused', async () => {
      const m = manifestFor(`${good}\n`);
      writeFileSync(join(dir, 'f.csv.gz'), gzipSync(`${good}\n${good}\n`));
      await expect(collect(readInventory(m, open(dir)))).rejects.toThrow(
        /f\.csv\.gz has \d+ bytes with MD5 [0-9a-f]{32}, but the manifest lists \d+ bytes with MD5/,
      );
    });

    test('a file that is not gzip is refused', async () => {
      const m = manifestFor(`${good}\n`);
      writeFileSync(join(dir, 'f.csv.gz'), `${good}\n`);
      await expect(collect(readInventory(m, open(dir)))).rejects.toThrow(/f\.csv\.gz could not be read as gzip/);
    });

    test('a failing source stream fails the read with its own error', async () => {
      const m = manifestFor(`${good}\n`);
      const bytes = readFileSync(join(dir, 'f.csv.gz'));
      async function* broken() {
        yield bytes.subarray(0, 10);
        throw new Error('socket hang up');
      }
      await expect(collect(readDataFile(m, broken()))).rejects.toThrow(/^socket hang up$/);
    });

    test('a schema without the audit fields is refused before reading', async () => {
      const m = manifestFor(`"src","k"\n`, 'Bucket, Key');
      await expect(collect(readInventory(m, open(dir)))).rejects.toThrow(
        /the inventory of bucket src has no Size, LastModifiedDate, ETag column: add Size, LastModifiedDate, ETag to the inventory configuration's optional fields/,
      );
    });
  });
});
