import { createHash } from 'node:crypto';
import {
  InventoryFormatError,
  missingAuditFields,
  parseInventoryManifest,
  verifyManifestChecksum,
} from '../../../../lambda/audit/inventory';

// The CSV example of the S3 user guide ("Inventory manifest").
const DOC_EXAMPLE = {
  sourceBucket: 'example-source-bucket',
  destinationBucket: 'arn:aws:s3:::example-inventory-destination-bucket',
  version: '2016-11-30',
  creationTimestamp: '1514944800000',
  fileFormat: 'CSV',
  fileSchema:
    'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm',
  files: [
    {
      key: 'Inventory/example-source-bucket/2016-11-06T21-32Z/files/939c6d46-85a9-4ba8-87bd-9db705a579ce.csv.gz',
      size: 2147483647,
      MD5checksum: 'f11166069f1990abeb9c97ace9cdfabc',
    },
  ],
};

const with_ = (over: Record<string, unknown>) => JSON.stringify({ ...DOC_EXAMPLE, ...over });

describe('parseInventoryManifest', () => {
  test("parses the user guide's CSV example", () => {
    const m = parseInventoryManifest(JSON.stringify(DOC_EXAMPLE));
    expect(m.sourceBucket).toBe('example-source-bucket');
    expect(m.destinationBucket).toBe('arn:aws:s3:::example-inventory-destination-bucket');
    expect(m.creationTimestamp).toBe(1514944800000);
    expect(m.fileFormat).toBe('CSV');
    expect(m.fileSchema.slice(0, 4)).toEqual(['Bucket', 'Key', 'VersionId', 'IsLatest']);
    expect(m.fileSchema).toHaveLength(18);
    expect(m.allVersions).toBe(true);
    expect(m.files).toEqual([
      { key: DOC_EXAMPLE.files[0].key, size: 2147483647, md5: 'f11166069f1990abeb9c97ace9cdfabc' },
    ]);
    expect(missingAuditFields(m)).toEqual([]);
  });

  test('a current-versions schema is not all-versions; missing audit fields are named', () => {
    const m = parseInventoryManifest(with_({ fileSchema: 'Bucket, Key, Size' }));
    expect(m.allVersions).toBe(false);
    expect(missingAuditFields(m)).toEqual(['LastModifiedDate', 'ETag']);
  });

  test('fails when the file format is Parquet or ORC, saying to configure CSV', () => {
    for (const fmt of ['Parquet', 'ORC']) {
      expect(() => parseInventoryManifest(with_({ fileFormat: fmt }))).toThrow(
        new RegExp(`fileFormat is "${fmt}", which is not supported: configure the inventory with format CSV`),
      );
    }
    expect(() => parseInventoryManifest(with_({ fileFormat: 'TSV' }))).toThrow(/fileFormat is "TSV", expected "CSV"/);
  });

  test.each([
    [{ sourceBucket: '' }, /sourceBucket is "", expected a non-empty string/],
    [{ destinationBucket: 7 }, /destinationBucket is 7, expected a non-empty string/],
    [{ version: undefined }, /version is missing/],
    [{ creationTimestamp: '2018-01-03' }, /creationTimestamp is "2018-01-03", expected epoch milliseconds/],
    [{ fileSchema: 'Bucket, Size' }, /has no Key column/],
    [{ fileSchema: 'Bucket, Key, Key' }, /names the column Key twice/],
    [{ fileSchema: 'Bucket,, Key' }, /has the column "", expected comma-separated field names/],
    [{ files: {} }, /files is \{\}, expected an array of data files/],
    [{ files: [{ key: 'a', size: -1, MD5checksum: 'f11166069f1990abeb9c97ace9cdfabc' }] }, /files\[0\]\.size is -1/],
    [
      { files: [{ key: 'a', size: 1, MD5checksum: 'xyz' }] },
      /files\[0\]\.MD5checksum is "xyz", expected 32 hex digits/,
    ],
    [{ files: [{ size: 1, MD5checksum: 'f11166069f1990abeb9c97ace9cdfabc' }] }, /files\[0\]\.key is missing/],
    [
      { files: [DOC_EXAMPLE.files[0], DOC_EXAMPLE.files[0]] },
      /files\[1\]\.key "Inventory\/example-source-bucket.*" is listed twice/,
    ],
  ])('fails when a field is invalid: %j', (over, message) => {
    expect(() => parseInventoryManifest(with_(over))).toThrow(message);
    expect(() => parseInventoryManifest(with_(over))).toThrow(InventoryFormatError);
  });

  test('fails when the text is not a JSON object, naming the file', () => {
    expect(() => parseInventoryManifest('{', 's3://reports/m.json')).toThrow(/^s3:\/\/reports\/m\.json is not JSON/);
    expect(() => parseInventoryManifest('[1]')).toThrow(/manifest\.json is \[1\], expected a JSON object/);
  });

  test('accepts a numeric creationTimestamp and the already parsed object', () => {
    expect(parseInventoryManifest({ ...DOC_EXAMPLE, creationTimestamp: 1514944800000 }).creationTimestamp).toBe(
      1514944800000,
    );
  });
});

describe('verifyManifestChecksum', () => {
  const text = JSON.stringify(DOC_EXAMPLE);
  const md5 = createHash('md5').update(text).digest('hex');

  test('accepts the MD5 of the manifest bytes, with a trailing newline', () => {
    expect(() => verifyManifestChecksum(Buffer.from(text), `${md5}\n`)).not.toThrow();
  });

  test('fails when the manifest changed', () => {
    expect(() => verifyManifestChecksum(`${text} `, md5)).toThrow(
      /manifest\.json has MD5 [0-9a-f]{32} but manifest\.checksum says/,
    );
    expect(() => verifyManifestChecksum(text, 'nope')).toThrow(/manifest\.checksum is "nope", expected 32 hex digits/);
  });
});
