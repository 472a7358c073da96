/**
 * The manifest.json of an S3 Inventory report, parsed and validated. Pure: the caller reads the
 * file. Only CSV inventories are read by this package: ORC and Parquet manifests are refused with
 * a message saying how to configure a CSV inventory (no columnar reader is bundled).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory-location.html
 */
import { createHash } from 'node:crypto';

/** A malformed or unsupported inventory manifest or data file; the message names the field and the value. */
export class InventoryFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InventoryFormatError';
  }
}

/** One data file of the inventory, as the manifest lists it. */
export interface InventoryDataFile {
  /** Key of the gzipped CSV file in the destination bucket. */
  readonly key: string;
  /** Bytes of the (compressed) file. */
  readonly size: number;
  /** Hex MD5 of the (compressed) file. */
  readonly md5: string;
}

export interface InventoryManifest {
  readonly sourceBucket: string;
  /** As the manifest gives it: an ARN (arn:aws:s3:::name). */
  readonly destinationBucket: string;
  readonly version: string;
  /** Epoch ms: when S3 began scanning the bucket for this report. */
  readonly creationTimestamp: number;
  readonly fileFormat: 'CSV';
  /** Column names in file order, as in `fileSchema` ("Bucket", "Key", "VersionId", ...). */
  readonly fileSchema: readonly string[];
  readonly files: readonly InventoryDataFile[];
  /** True when the report lists all versions (its schema has VersionId). */
  readonly allVersions: boolean;
}

/** The columns the audit compares; the inventory configuration must include them as optional fields. */
export const AUDIT_FIELDS = ['Size', 'LastModifiedDate', 'ETag'] as const;

const FORMAT_FIX =
  'configure the inventory with format CSV (the audit reads CSV inventories only; ORC and Parquet need a columnar reader it does not bundle)';

/** Parses and validates manifest.json (its text, or the already parsed JSON). */
export function parseInventoryManifest(input: string | unknown, where = 'manifest.json'): InventoryManifest {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (err) {
      throw new InventoryFormatError(`${where} is not JSON: ${(err as Error).message}`);
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new InventoryFormatError(`${where} is ${describe(doc)}, expected a JSON object`);
  }
  const m = doc as Record<string, unknown>;
  const str = (name: string): string => {
    const v = m[name];
    if (typeof v !== 'string' || v.length === 0) {
      throw new InventoryFormatError(`${where}: ${name} is ${describe(v)}, expected a non-empty string`);
    }
    return v;
  };
  const sourceBucket = str('sourceBucket');
  const destinationBucket = str('destinationBucket');
  const version = str('version');

  const ts = m.creationTimestamp;
  const tsText = typeof ts === 'number' ? String(ts) : ts;
  if (typeof tsText !== 'string' || !/^\d{1,16}$/.test(tsText)) {
    throw new InventoryFormatError(
      `${where}: creationTimestamp is ${describe(ts)}, expected epoch milliseconds as a string of digits (for example "1514944800000")`,
    );
  }
  const creationTimestamp = Number(tsText);

  const fileFormat = str('fileFormat');
  if (fileFormat !== 'CSV') {
    const known = fileFormat === 'ORC' || fileFormat === 'Parquet';
    throw new InventoryFormatError(
      `${where}: fileFormat is ${JSON.stringify(fileFormat)}${known ? ', which is not supported' : ', expected "CSV"'}: ${FORMAT_FIX}`,
    );
  }

  const schemaText = str('fileSchema');
  const fileSchema = schemaText.split(',').map((c) => c.trim());
  const seen = new Set<string>();
  for (const c of fileSchema) {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(c)) {
      throw new InventoryFormatError(
        `${where}: fileSchema ${JSON.stringify(schemaText)} has the column ${JSON.stringify(c)}, expected comma-separated field names such as "Bucket, Key, Size"`,
      );
    }
    if (seen.has(c)) throw new InventoryFormatError(`${where}: fileSchema names the column ${c} twice`);
    seen.add(c);
  }
  for (const required of ['Bucket', 'Key']) {
    if (!seen.has(required)) {
      throw new InventoryFormatError(`${where}: fileSchema ${JSON.stringify(schemaText)} has no ${required} column`);
    }
  }

  if (!Array.isArray(m.files)) {
    throw new InventoryFormatError(`${where}: files is ${describe(m.files)}, expected an array of data files`);
  }
  const keys = new Set<string>();
  const files = m.files.map((f: unknown, i: number): InventoryDataFile => {
    const at = `${where}: files[${i}]`;
    if (typeof f !== 'object' || f === null)
      throw new InventoryFormatError(`${at} is ${describe(f)}, expected an object`);
    const o = f as Record<string, unknown>;
    if (typeof o.key !== 'string' || o.key.length === 0) {
      throw new InventoryFormatError(`${at}.key is ${describe(o.key)}, expected a non-empty string`);
    }
    if (keys.has(o.key)) throw new InventoryFormatError(`${at}.key ${JSON.stringify(o.key)} is listed twice`);
    keys.add(o.key);
    if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) {
      throw new InventoryFormatError(`${at}.size is ${describe(o.size)}, expected a whole number of bytes`);
    }
    if (typeof o.MD5checksum !== 'string' || !/^[0-9a-f]{32}$/i.test(o.MD5checksum)) {
      throw new InventoryFormatError(`${at}.MD5checksum is ${describe(o.MD5checksum)}, expected 32 hex digits`);
    }
    return { key: o.key, size: o.size, md5: o.MD5checksum.toLowerCase() };
  });

  return {
    sourceBucket,
    destinationBucket,
    version,
    creationTimestamp,
    fileFormat: 'CSV',
    fileSchema,
    files,
    allVersions: seen.has('VersionId'),
  };
}

/** The audit fields (AUDIT_FIELDS) the manifest's schema lacks; empty when it can be audited. */
export function missingAuditFields(manifest: Pick<InventoryManifest, 'fileSchema'>): string[] {
  return AUDIT_FIELDS.filter((f) => !manifest.fileSchema.includes(f));
}

/**
 * Checks manifest.json against its manifest.checksum (the hex MD5 of manifest.json's bytes);
 * throws when they differ.
 */
export function verifyManifestChecksum(manifestBytes: Buffer | string, checksumText: string): void {
  const expected = checksumText.trim().toLowerCase();
  const actual = createHash('md5').update(manifestBytes).digest('hex');
  if (!/^[0-9a-f]{32}$/.test(expected)) {
    throw new InventoryFormatError(`manifest.checksum is ${describe(checksumText)}, expected 32 hex digits`);
  }
  if (actual !== expected) {
    throw new InventoryFormatError(
      `manifest.json has MD5 ${actual} but manifest.checksum says ${expected}: the manifest was changed or read partially; read both again`,
    );
  }
}

export function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
