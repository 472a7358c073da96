/**
 * The object versions a source inventory reports as not replicated, as an S3 Batch Operations CSV
 * manifest (format S3BatchOperations_CSV_20180820, fields Bucket, Key[, VersionId]): one
 * `bucket,key[,versionId]` line per version, no header, the key URL-encoded (a space is %20, a
 * comma %2C; "/" stays), null-version objects with the version id "null". A manifest must give a
 * version id on every line or on none: with version ids, the backfill copies exactly the version
 * that failed even if the key was overwritten since.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-create-job.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_JobManifestSpec.html
 */
import { InventoryVersion, ReplicationStatus } from './csv';
import { InventoryFormatError } from './manifest';

export interface ReplicationManifestOptions {
  /** Which statuses to list. @default ['FAILED'] */
  readonly statuses?: readonly ReplicationStatus[];
  /**
   * Whether lines carry the version id (fields Bucket, Key, VersionId). Needs an all-versions
   * inventory. @default true when the rows have version ids
   */
  readonly versionIds?: boolean;
  /** Only latest versions (the backfill's usual need). @default false: every listed version */
  readonly latestOnly?: boolean;
}

/** The Fields of the JobManifestSpec that describes the lines written. */
export function batchManifestFields(versionIds: boolean): string[] {
  return versionIds ? ['Bucket', 'Key', 'VersionId'] : ['Bucket', 'Key'];
}

/** URL-encodes a key for a Batch Operations CSV manifest: percent-encoding with "/" kept. */
export function encodeBatchKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/');
}

/** One manifest line, with its newline. */
export function batchManifestLine(bucket: string, key: string, versionId?: string): string {
  const v = versionId === undefined ? '' : `,${versionId === '' ? 'null' : versionId}`;
  return `${bucket},${encodeBatchKey(key)}${v}\n`;
}

/**
 * Streams the manifest lines of the rows whose ReplicationStatus is one of `statuses` (delete
 * markers skipped: the backfill copies object versions, and a delete marker has no content). Rows
 * can come in any order; memory holds one row. Throws when the inventory has no
 * ReplicationStatus column.
 */
export async function* replicationManifest(
  rows: AsyncIterable<InventoryVersion>,
  options: ReplicationManifestOptions = {},
): AsyncGenerator<string> {
  const statuses = new Set<string>(options.statuses ?? ['FAILED']);
  let versionIds = options.versionIds;
  for await (const r of rows) {
    if (r.replicationStatus === undefined) {
      throw new InventoryFormatError(
        `the inventory of bucket ${r.bucket} has no ReplicationStatus column: add ReplicationStatus to the inventory configuration's optional fields`,
      );
    }
    versionIds ??= r.versionId !== undefined;
    if (versionIds && r.versionId === undefined) {
      throw new InventoryFormatError(
        `the inventory of bucket ${r.bucket} has no VersionId column, so the manifest cannot carry version ids: use an all-versions inventory, or set versionIds to false`,
      );
    }
    if (r.isDeleteMarker || !statuses.has(r.replicationStatus)) continue;
    if (options.latestOnly && !r.isLatest) continue;
    yield batchManifestLine(r.bucket, r.key, versionIds ? r.versionId : undefined);
  }
}
