/**
 * Writes S3 Inventory reports in AWS's documented layout into a folder: a manifest.json with its
 * manifest.checksum, and gzipped CSV data files (no header; every field in double quotes; keys
 * URL-encoded as Java's URLEncoder does, a space as "+"; null-version objects with an empty
 * VersionId in all-versions reports).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface InvRow {
  key: string;
  versionId?: string;
  isLatest?: boolean;
  isDeleteMarker?: boolean;
  size?: number;
  lastModified: number;
  etag?: string;
  storageClass?: string;
  replicationStatus?: string;
  encryptionStatus?: string;
  checksumAlgorithm?: string;
}

export const CURRENT_SCHEMA =
  'Bucket, Key, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ChecksumAlgorithm';
export const VERSIONS_SCHEMA =
  'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm';

/** Java URLEncoder (UTF-8): letters, digits and ".-*_" stay, a space becomes "+", the rest %XX. */
export function formEncode(key: string): string {
  let out = '';
  for (const b of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9.\-*_]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

function field(bucket: string, name: string, r: InvRow): string {
  switch (name) {
    case 'Bucket':
      return bucket;
    case 'Key':
      return formEncode(r.key);
    case 'VersionId':
      return r.versionId === undefined || r.versionId === 'null' ? '' : r.versionId;
    case 'IsLatest':
      return String(r.isLatest ?? true);
    case 'IsDeleteMarker':
      return String(r.isDeleteMarker ?? false);
    case 'Size':
      return r.isDeleteMarker ? '' : String(r.size ?? 0);
    case 'LastModifiedDate':
      return new Date(r.lastModified).toISOString();
    case 'ETag':
      return r.isDeleteMarker ? '' : (r.etag ?? '');
    case 'StorageClass':
      return r.isDeleteMarker ? '' : (r.storageClass ?? 'STANDARD');
    case 'IsMultipartUploaded':
      return String(/-\d+$/.test(r.etag ?? ''));
    case 'ReplicationStatus':
      return r.replicationStatus ?? '';
    case 'EncryptionStatus':
      return r.isDeleteMarker ? '' : (r.encryptionStatus ?? 'SSE-S3');
    case 'ChecksumAlgorithm':
      return r.checksumAlgorithm ?? '';
    default:
      return '';
  }
}

export function csvLine(bucket: string, schema: string, r: InvRow): string {
  const names = schema.split(',').map((s) => s.trim());
  return names.map((n) => q(field(bucket, n, r))).join(',');
}

export interface WrittenInventory {
  /** The folder of manifest.json. */
  readonly dir: string;
  readonly manifestPath: string;
  readonly manifestText: string;
  readonly checksumText: string;
  /** Data file keys (relative to the destination bucket) in manifest order, and their local paths. */
  readonly files: { key: string; path: string }[];
}

/**
 * Writes a report of `rows` split over `fileCount` data files, rows dealt round-robin so no file
 * is in key order and files interleave.
 */
export function writeInventory(
  root: string,
  o: {
    bucket: string;
    rows: readonly InvRow[];
    schema: string;
    fileCount: number;
    createdAt: number;
    configId?: string;
    lineEnd?: string;
  },
): WrittenInventory {
  const configId = o.configId ?? 'audit';
  const stamp = new Date(o.createdAt).toISOString().slice(0, 16).replace(':', '-') + 'Z';
  const base = join(root, o.bucket, configId);
  const dir = join(base, stamp);
  mkdirSync(join(base, 'data'), { recursive: true });
  mkdirSync(dir, { recursive: true });
  const parts: string[][] = Array.from({ length: o.fileCount }, () => []);
  o.rows.forEach((r, i) => parts[i % o.fileCount].push(csvLine(o.bucket, o.schema, r)));
  // S3 names data files with a fresh UUID per report; the creation time stands for it, so the
  // reports of several days share the data/ folder without overwriting each other's files.
  const files = parts.map((lines, i) => {
    const name = `${o.createdAt.toString(16)}-${String(i).padStart(4, '0')}-${o.bucket}.csv.gz`;
    const key = `${o.bucket}/${configId}/data/${name}`;
    const path = join(base, 'data', name);
    const body = gzipSync(Buffer.from(lines.map((l) => l + (o.lineEnd ?? '\n')).join(''), 'utf8'));
    writeFileSync(path, body);
    return { key, path, size: body.length, md5: createHash('md5').update(body).digest('hex') };
  });
  const manifestText = JSON.stringify(
    {
      sourceBucket: o.bucket,
      destinationBucket: 'arn:aws:s3:::inventory-reports',
      version: '2016-11-30',
      creationTimestamp: String(o.createdAt),
      fileFormat: 'CSV',
      fileSchema: o.schema,
      files: files.map((f) => ({ key: f.key, size: f.size, MD5checksum: f.md5 })),
    },
    null,
    4,
  );
  const manifestPath = join(dir, 'manifest.json');
  writeFileSync(manifestPath, manifestText);
  const checksumText = createHash('md5').update(manifestText).digest('hex');
  writeFileSync(join(dir, 'manifest.checksum'), checksumText);
  return { dir, manifestPath, manifestText, checksumText, files: files.map(({ key, path }) => ({ key, path })) };
}
