/**
 * A streaming reader of S3 Inventory CSV data files (gzip-compressed, no header row, one object
 * version per line, columns in the manifest's fileSchema order, fields in double quotes with
 * quotes doubled inside, keys URL-encoded in form encoding: "+" is a space, "%2B" a plus). Rows
 * become the audit's ListedVersion plus the fields only an inventory has. Holds one line at a
 * time; checks each file's size and MD5 against the manifest.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory.html
 */
import { createHash } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ListedVersion } from '../core/types';
import { describe, InventoryDataFile, InventoryFormatError, InventoryManifest, missingAuditFields } from './manifest';

/**
 * The inventory's ReplicationStatus: COMPLETED, PENDING, FAILED, REPLICA (a replica written by
 * replication), or NONE where the field is empty (no replication rule applies).
 */
export type ReplicationStatus = 'COMPLETED' | 'PENDING' | 'FAILED' | 'REPLICA' | 'NONE';

const REPLICATION_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'PENDING', 'FAILED', 'REPLICA']);

/** One inventory row: a listed version as the audit sees it, with the inventory-only fields. */
export interface InventoryVersion extends ListedVersion {
  /** The full key (the audit's prefix is not removed here). */
  readonly key: string;
  readonly bucket: string;
  /** Absent when the report has no ReplicationStatus column. */
  readonly replicationStatus?: ReplicationStatus;
  /** The flexible checksum algorithm (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), when there is one. */
  readonly checksumAlgorithm?: string;
  readonly storageClass?: string;
  /** SSE-S3, SSE-KMS, SSE-C, NOT-SSE, ... */
  readonly encryptionStatus?: string;
}

/** Splits one CSV record (RFC 4180: quoted fields, "" inside quotes) into its fields. */
export function parseCsvRecord(line: string): string[] {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 34 /* " */) {
      let val = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) throw new Error(`a quoted field starting at column ${i + 1} has no closing quote`);
        val += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 34) {
          val += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(val);
      if (i === n) return out;
      if (line.charCodeAt(i) !== 44 /* , */) throw new Error(`expected a comma after the quoted field at column ${i}`);
      i++;
    } else {
      const c = line.indexOf(',', i);
      if (c < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, c));
      i = c + 1;
    }
  }
}

/** Decodes an inventory key (form URL encoding: "+" is a space). */
export function decodeInventoryKey(s: string): string {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

/** Maps the fields of one row to an InventoryVersion; throws InventoryFormatError naming the line. */
export type RowMapper = (fields: readonly string[], where: string) => InventoryVersion;

/** Builds the row mapper of a manifest's schema; throws when the schema lacks the audit's fields. */
export function rowMapper(manifest: InventoryManifest): RowMapper {
  const missing = missingAuditFields(manifest);
  if (missing.length > 0) {
    throw new InventoryFormatError(
      `the inventory of bucket ${manifest.sourceBucket} has no ${missing.join(', ')} column: add ${missing.join(', ')} to the inventory configuration's optional fields`,
    );
  }
  const col = (name: string): number => manifest.fileSchema.indexOf(name);
  const width = manifest.fileSchema.length;
  const [iBucket, iKey, iVersion, iLatest, iDm, iSize, iModified, iEtag] = [
    'Bucket',
    'Key',
    'VersionId',
    'IsLatest',
    'IsDeleteMarker',
    'Size',
    'LastModifiedDate',
    'ETag',
  ].map(col);
  const [iRepl, iAlgo, iClass, iEnc] = [
    'ReplicationStatus',
    'ChecksumAlgorithm',
    'StorageClass',
    'EncryptionStatus',
  ].map(col);
  const bucket = manifest.sourceBucket;

  return (f, where) => {
    const bad = (name: string, value: string, expected: string): InventoryFormatError =>
      new InventoryFormatError(`${where}: ${name} is ${describe(value)}, expected ${expected}`);
    if (f.length !== width) {
      throw new InventoryFormatError(
        `${where}: ${f.length} fields, expected ${width} (fileSchema ${manifest.fileSchema.join(', ')})`,
      );
    }
    if (f[iBucket] !== bucket)
      throw bad('Bucket', f[iBucket], `${JSON.stringify(bucket)}, the manifest's sourceBucket`);
    let key: string;
    try {
      key = decodeInventoryKey(f[iKey]);
    } catch {
      throw bad('Key', f[iKey], 'a URL-encoded key');
    }
    if (key.length === 0) throw bad('Key', f[iKey], 'a non-empty key');
    const bool = (i: number, name: string, dflt: boolean): boolean => {
      if (i < 0) return dflt;
      const v = f[i].toLowerCase();
      if (v === 'true') return true;
      if (v === 'false' || (v === '' && name === 'IsDeleteMarker')) return false;
      throw bad(name, f[i], '"true" or "false"');
    };
    const isDeleteMarker = bool(iDm, 'IsDeleteMarker', false);
    const isLatest = bool(iLatest, 'IsLatest', true);
    const sizeText = f[iSize];
    let size = 0;
    if (sizeText !== '' || !isDeleteMarker) {
      if (!/^\d{1,16}$/.test(sizeText)) throw bad('Size', sizeText, 'a whole number of bytes');
      size = Number(sizeText);
    }
    const lastModified = Date.parse(f[iModified]);
    if (Number.isNaN(lastModified)) throw bad('LastModifiedDate', f[iModified], 'an ISO 8601 date');
    const etagText = f[iEtag].replace(/^"|"$/g, '');
    const opt = (i: number): string | undefined => (i >= 0 && f[i] !== '' ? f[i] : undefined);
    let replicationStatus: ReplicationStatus | undefined;
    if (iRepl >= 0) {
      const r = f[iRepl].toUpperCase();
      if (r === '') replicationStatus = 'NONE';
      else if (REPLICATION_STATUSES.has(r)) replicationStatus = r as ReplicationStatus;
      else throw bad('ReplicationStatus', f[iRepl], 'COMPLETED, PENDING, FAILED, REPLICA or empty');
    }
    return {
      key,
      bucket,
      // All-versions reports leave the version id of null-version objects empty; S3 calls it "null".
      versionId: iVersion < 0 ? undefined : f[iVersion] === '' ? 'null' : f[iVersion],
      isDeleteMarker,
      isLatest,
      size,
      etag: isDeleteMarker || etagText === '' ? undefined : etagText,
      lastModified,
      replicationStatus,
      checksumAlgorithm: opt(iAlgo),
      storageClass: opt(iClass),
      encryptionStatus: opt(iEnc),
    };
  };
}

export interface ReadDataFileOptions {
  /** The file as the manifest lists it: its size and MD5 are checked when the stream ends. */
  readonly file?: InventoryDataFile;
  /** A name for messages. @default the file's key */
  readonly name?: string;
}

/**
 * Streams the rows of one gzipped CSV data file. `input` is the compressed bytes (a file or a
 * GetObject body). Holds one line at a time.
 */
export async function* readDataFile(
  manifest: InventoryManifest,
  input: Readable | AsyncIterable<Uint8Array>,
  options: ReadDataFileOptions = {},
): AsyncGenerator<InventoryVersion> {
  let map: RowMapper;
  try {
    map = rowMapper(manifest);
  } catch (err) {
    if (input instanceof Readable) input.destroy();
    throw err;
  }
  const name = options.name ?? options.file?.key ?? 'inventory data file';
  const md5 = createHash('md5');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      md5.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const source = input instanceof Readable ? input : Readable.from(input);
  let failure: Error | undefined;
  const gunzip = pipeline(source, tap, createGunzip(), (err) => {
    if (err) failure = err;
  });
  gunzip.setEncoding('utf8');

  let lineNo = 0;
  let pending = ''; // an incomplete line, or a record whose quoted field spans lines
  let pendingStart = 0;
  const take = function* (text: string, last: boolean): Generator<InventoryVersion> {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      lineNo++;
      let line = text.slice(start, nl);
      start = nl + 1;
      if (pending !== '') {
        line = pending + line;
        pending = '';
      } else pendingStart = lineNo;
      if (!balanced(line)) {
        pending = `${line}\n`;
        continue;
      }
      const row = finish(line);
      if (row) yield row;
    }
    const rest = text.slice(start);
    if (last) {
      const line = pending + rest;
      if (line !== '') {
        if (pending === '') pendingStart = lineNo + 1;
        if (!balanced(line))
          throw new InventoryFormatError(`${name} line ${pendingStart}: a quoted field is not closed`);
        const row = finish(line);
        if (row) yield row;
      }
    } else if (rest !== '') {
      if (pending === '') pendingStart = lineNo + 1;
      pending += rest;
    }
  };
  const finish = (raw: string): InventoryVersion | undefined => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') return undefined;
    const where = `${name} line ${pendingStart}`;
    let fields: string[];
    try {
      fields = parseCsvRecord(line);
    } catch (err) {
      throw new InventoryFormatError(`${where}: ${(err as Error).message}`);
    }
    return map(fields, where);
  };

  try {
    for await (const chunk of gunzip) {
      // A line cut at the chunk's end waits in `pending` for the next chunk.
      yield* take(chunk as string, false);
    }
  } catch (err) {
    throw readFailure(name, err);
  }
  if (failure) throw readFailure(name, failure);
  yield* take('', true);
  const file = options.file;
  if (file) {
    const digest = md5.digest('hex');
    if (bytes !== file.size || digest !== file.md5) {
      throw new InventoryFormatError(
        `${name} has ${bytes} bytes with MD5 ${digest}, but the manifest lists ${file.size} bytes with MD5 ${file.md5}: the file was changed or read partially`,
      );
    }
  }
}

/** A zlib error is a malformed file; any other (the source stream failing) is passed on as it is. */
function readFailure(name: string, err: unknown): unknown {
  if (err instanceof InventoryFormatError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new InventoryFormatError(`${name} could not be read as gzip: ${(err as Error).message}`);
  }
  return err;
}

/** An even number of quotes: the record is complete (quotes inside fields are doubled). */
function balanced(line: string): boolean {
  let n = 0;
  for (let i = line.indexOf('"'); i >= 0; i = line.indexOf('"', i + 1)) n++;
  return n % 2 === 0;
}

/** Opens a data file of the manifest: its compressed bytes (a local file, a GetObject body). */
export type OpenDataFile = (file: InventoryDataFile) => Promise<Readable | AsyncIterable<Uint8Array>>;

/** Streams every row of every data file of the manifest, file after file (not in key order). */
export async function* readInventory(
  manifest: InventoryManifest,
  open: OpenDataFile,
): AsyncGenerator<InventoryVersion> {
  rowMapper(manifest); // refuses a schema without the audit's fields before any file is opened
  for (const file of manifest.files) yield* readDataFile(manifest, await open(file), { file });
}
