/**
 * An audit from S3 Inventory reports: finds each side's latest complete report, compares them
 * with the pure library (./inventory), reads every differing key again live on both sides with
 * the listing audit's own lookups (runAudit over that one key), and writes the FAILED-replication
 * Batch Operations manifest of the source report. The records and the summary are therefore
 * those of a listing audit, while the live work is proportional to the differences.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { isNotFound, UsageError } from '../shared/errors';
import { S3Access } from '../shared/s3-access';
import { RequestStats } from '../shared/s3-options';
import { formatS3Uri, S3Location } from '../shared/s3-uri';
import { AuditSummary, mergeSummaries } from './core';
import {
  compareInventories,
  inventoryReferenceTime,
  InventoryManifest,
  parseInventoryManifest,
  readInventory,
  replicationManifest,
  verifyManifestChecksum,
} from './inventory';
import { AuditOptions, engineOptions, runAudit } from './run-audit';
import { RecordSink } from './sink';

/** A dated folder of an inventory configuration: `YYYY-MM-DDTHH-MMZ/`. */
const DATED_FOLDER = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}Z\/$/;

/** The newest complete report of one inventory configuration. */
export interface LatestInventory {
  /** The folder holding manifest.json (`s3://bucket/<config prefix>/<date>/`). */
  readonly folder: string;
  readonly manifest: InventoryManifest;
  /** Where its data files are read from (the bucket of the manifest). */
  readonly bucket: string;
}

/**
 * The newest dated folder under `location` (the configuration's folder,
 * `<destination prefix>/<source bucket>/<configuration id>/`) whose manifest.json and
 * manifest.checksum both exist, its checksum verified. A folder S3 is still writing (no checksum
 * yet) is skipped for the one before it.
 */
export async function latestInventory(client: S3Client, location: S3Location): Promise<LatestInventory> {
  const base = location.prefix === '' || location.prefix.endsWith('/') ? location.prefix : `${location.prefix}/`;
  const folders: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: location.bucket,
        Prefix: base || undefined,
        Delimiter: '/',
        ContinuationToken: token,
      }),
    );
    for (const p of page.CommonPrefixes ?? []) {
      const rel = p.Prefix?.slice(base.length) ?? '';
      if (DATED_FOLDER.test(rel)) folders.push(p.Prefix!);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  folders.sort().reverse();
  const where = formatS3Uri({ bucket: location.bucket, prefix: base });
  for (const folder of folders) {
    const [manifest, checksum] = await Promise.all([
      getBytes(client, location.bucket, `${folder}manifest.json`),
      getBytes(client, location.bucket, `${folder}manifest.checksum`),
    ]);
    if (!manifest || !checksum) continue;
    const uri = `s3://${location.bucket}/${folder}manifest.json`;
    verifyManifestChecksum(manifest, checksum.toString('utf8'));
    return {
      folder: `s3://${location.bucket}/${folder}`,
      manifest: parseInventoryManifest(manifest.toString('utf8'), uri),
      bucket: location.bucket,
    };
  }
  throw new UsageError(
    `no complete inventory under ${where}: no dated folder (YYYY-MM-DDTHH-MMZ/) with both manifest.json and manifest.checksum; give the folder of the inventory configuration (<destination prefix>/<source bucket>/<configuration id>/), and wait for its first daily report`,
  );
}

async function getBytes(client: S3Client, bucket: string, key: string): Promise<Buffer | undefined> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Streams the rows of a report, data file after data file (GetObject bodies, not buffered whole). */
function rowsOf(client: S3Client, inv: LatestInventory) {
  return readInventory(inv.manifest, async (file) => {
    const out = await client.send(new GetObjectCommand({ Bucket: inv.bucket, Key: file.key }));
    return out.Body as Readable;
  });
}

export interface InventoryAuditOptions extends Omit<AuditOptions, 'checkpoint' | 'timeBudgetMs' | 'hints' | 'now'> {
  /** The source inventory configuration's folder. */
  readonly sourceInventory: S3Location;
  /** The replica inventory configuration's folder. */
  readonly replicaInventory: S3Location;
  /** Where the sort spills. @default the system's temporary folder */
  readonly tmpDir?: string;
  /** Rows per sorted run. @default 250000 */
  readonly runRows?: number;
  /**
   * Writes the Batch Operations manifest of the source versions whose replication FAILED (CSV
   * lines, no header) and returns where it went.
   * @default - not written
   */
  readonly writeFailedManifest?: (csv: string) => Promise<string>;
}

export interface InventoryAuditDeps {
  /** Reads both inventories (the function's own region: inventories are delivered beside each bucket). */
  readonly sourceInventoryClient: S3Client;
  readonly replicaInventoryClient: S3Client;
  /** The live lookups of the differing keys. */
  readonly sourceClient: S3Client | S3Access;
  readonly replicaClient: S3Client | S3Access;
  readonly stats?: RequestStats;
  readonly sink: RecordSink;
  readonly clock?: () => number;
}

export interface InventoryAuditResult {
  readonly summary: AuditSummary;
  readonly source: LatestInventory;
  readonly replica: LatestInventory;
  /** Keys read again live. */
  readonly recheckedKeys: number;
  /** Lines of the failed-replication manifest, and where it is (when written). */
  readonly failedVersions?: number;
  readonly failedManifest?: string;
}

/**
 * Runs an inventory-backed audit to completion (not resumable: one invocation; split large
 * buckets by `range`). Records reach `deps.sink` in key order, from the live re-check only.
 */
export async function runInventoryAudit(
  options: InventoryAuditOptions,
  deps: InventoryAuditDeps,
): Promise<InventoryAuditResult> {
  const clock = deps.clock ?? Date.now;
  const [source, replica] = await Promise.all([
    latestInventory(deps.sourceInventoryClient, options.sourceInventory),
    latestInventory(deps.replicaInventoryClient, options.replicaInventory),
  ]);
  const snapshotOpts = engineOptions(options, inventoryReferenceTime(source.manifest, replica.manifest));
  // The live re-check is a listing audit of one key: both sides listed with the key as the prefix,
  // up to the key itself (relative key ''), HEADs and version lookups as a listing audit makes them.
  const started = clock();
  const live: AuditSummary[] = [];
  const recheck = async (key: string) => {
    const result = await runAudit(
      {
        ...options,
        source: { bucket: options.source.bucket, prefix: options.source.prefix + key },
        replica: { bucket: options.replica.bucket, prefix: options.replica.prefix + key },
        range: { endAt: '' },
        pageSize: 100,
        now: started,
      },
      {
        sourceClient: deps.sourceClient,
        replicaClient: deps.replicaClient,
        stats: deps.stats,
        sink: keyedSink(deps.sink, key),
      },
    );
    live.push(result.summary);
  };
  const compared = await compareInventories(
    { ...snapshotOpts, sort: { tmpDir: options.tmpDir ?? tmpdir(), runRows: options.runRows } },
    {
      source: {
        rows: rowsOf(deps.sourceInventoryClient, source),
        manifest: source.manifest,
        prefix: options.source.prefix,
      },
      replica: {
        rows: rowsOf(deps.replicaInventoryClient, replica),
        manifest: replica.manifest,
        prefix: options.replica.prefix,
      },
      sink: () => undefined, // the snapshot's records are replaced by the live re-check's
      recheck,
    },
  );
  const liveOpts = engineOptions(options, started);
  const summary = mergeSummaries([
    { ...compared.unchanged, startedAt: new Date(started).toISOString(), lagWindowSeconds: liveOpts.lagWindowSeconds },
    ...live,
  ]);
  summary.durationMs = clock() - started;
  let failedVersions: number | undefined;
  let failedManifest: string | undefined;
  if (options.writeFailedManifest) {
    // Held in memory: failed replications are few (each one is also an alarm).
    const lines: string[] = [];
    for await (const line of replicationManifest(rowsOf(deps.sourceInventoryClient, source))) lines.push(line);
    failedManifest = await options.writeFailedManifest(lines.join(''));
    failedVersions = lines.length;
  }
  return {
    summary,
    source,
    replica,
    recheckedKeys: compared.recheckKeys,
    ...(failedManifest ? { failedVersions, failedManifest } : {}),
  };
}

/** A sink for the live audit of one key: its records carry the key (the audit saw it as ''). */
function keyedSink(sink: RecordSink, key: string): RecordSink {
  return {
    write: (record) => sink.write({ ...record, key: record.key === '' ? key : key + record.key }),
    close: async () => undefined,
    readBack: (limit) => sink.readBack(limit),
    position: () => sink.position(),
  };
}
