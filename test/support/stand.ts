/**
 * Test support for the local two-region S3 stand (scripts/stand.sh): Ceph RGW multisite, zone za
 * (the source region) and zone zb (the replica region). A bucket created through one zone appears on
 * the other with the same name; objects replicate asynchronously with preserved version ids and
 * ETags. The stand project's global setup starts the stand and writes `$STAND_DIR/env.json`.
 *
 * Credentials: the SDK reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment, so
 * `useStandCredentials()` sets them from env.json; `standClient()` calls it for you. A test that
 * builds its own clients with `createS3Client` calls `useStandCredentials()` once (or sets the two
 * variables from `standEnv()` itself).
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectVersionsCommandOutput,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createS3Client, RequestStats } from '../../lambda/shared/s3-client';

export type { FaultProxy, FaultProxyOptions, FaultProxyStats, FaultRates } from './fault-proxy';
export { startFaultProxy } from './fault-proxy';

export type Zone = 'za' | 'zb';
export const ZONES: readonly Zone[] = ['za', 'zb'];

/** What `scripts/stand.sh` writes to `$STAND_DIR/env.json`. */
export interface StandEnv {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Key id of the stand's built-in `testing` KMS backend, for SSE-KMS requests. */
  readonly kmsKeyId: string;
  readonly zones: Record<Zone, { readonly endpoint: string; readonly region: string }>;
}

/** One entry of ListObjectVersions: a version or a delete marker. */
export interface VersionEntry {
  readonly key: string;
  readonly versionId: string;
  readonly isLatest: boolean;
  readonly isDeleteMarker: boolean;
  /** Absent for delete markers. */
  readonly etag?: string;
  /** Absent for delete markers. */
  readonly size?: number;
}

export const REPO_ROOT = resolve(__dirname, '..', '..');
const STAND_SCRIPT = join(REPO_ROOT, 'scripts', 'stand.sh');

/** The stand's state directory: `STAND_DIR`, default `.stand/` in the repository root. */
export function standDir(): string {
  return process.env.STAND_DIR ? resolve(process.env.STAND_DIR) : join(REPO_ROOT, '.stand');
}

let cachedEnv: StandEnv | undefined;

/** Reads `$STAND_DIR/env.json` (once per test file). */
export function standEnv(): StandEnv {
  if (cachedEnv) return cachedEnv;
  const path = join(standDir(), 'env.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(
      `no stand environment at ${path}: run the stand tests through jest's stand project (its global setup starts the stand) or run 'npm run stand -- ensure'`,
    );
  }
  cachedEnv = JSON.parse(text) as StandEnv;
  return cachedEnv;
}

/** A side as `createS3Client` and the handlers take it: the zone's signing region and endpoint. */
export function standSide(zone: Zone): { region: string; endpoint: string } {
  const z = standEnv().zones[checkZone(zone)];
  return { region: z.region, endpoint: z.endpoint };
}

/**
 * The pair flags of `audit`, `repair` and `drill` for two buckets of one zone (no replication
 * between them, so planted differences stay put), with no lag window: every difference counts.
 */
export function oneZonePairArgs(side: { region: string; endpoint: string }, source: string, replica: string): string[] {
  return [
    '--source',
    `s3://${source}`,
    '--replica',
    `s3://${replica}`,
    '--source-endpoint',
    side.endpoint,
    '--replica-endpoint',
    side.endpoint,
    '--source-region',
    side.region,
    '--replica-region',
    side.region,
    '--lag-window',
    '0',
  ];
}

/** Puts the stand's credentials into the process environment, where the SDK looks for them. */
export function useStandCredentials(): void {
  const env = standEnv();
  process.env.AWS_ACCESS_KEY_ID = env.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = env.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}

export interface StandClientOptions {
  /** @default 10 (createS3Client's default) */
  readonly maxAttempts?: number;
  readonly stats?: RequestStats;
  /** Another endpoint for the zone, e.g. a fault proxy in front of it. */
  readonly endpoint?: string;
}

/** A client for one zone, built like the handlers build theirs (`createS3Client`). */
export function standClient(zone: Zone, opts: StandClientOptions = {}): S3Client {
  useStandCredentials();
  const side = standSide(zone);
  return createS3Client({
    region: side.region,
    endpoint: opts.endpoint ?? side.endpoint,
    maxAttempts: opts.maxAttempts,
    stats: opts.stats,
  });
}

const clients = new Map<Zone, S3Client>();
function zoneClient(zone: Zone): S3Client {
  let c = clients.get(zone);
  if (!c) {
    c = standClient(zone);
    clients.set(zone, c);
  }
  return c;
}

export interface CreateBucketOptions {
  /** @default false */
  readonly versioned?: boolean;
  /** Object Lock enabled at creation (implies versioning). @default false */
  readonly objectLock?: boolean;
  /** @default `t-<random>` */
  readonly name?: string;
  /**
   * Whether the other zone replicates the bucket's objects. A test that plants its differences in
   * two buckets of one zone does not need it: without it planting is about twice as fast, and
   * emptying the bucket afterwards does not race replicated deletes.
   * @default true
   */
  readonly replicated?: boolean;
}

/** A unique bucket name for a test: `t-<random>`, optionally with a readable middle part. */
export function uniqueBucketName(hint = ''): string {
  const middle = hint
    ? `${hint
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-')
        .slice(0, 30)}-`
    : '';
  return `t-${middle}${randomBytes(6).toString('hex')}`;
}

/**
 * Creates a bucket through `zone` and returns its name once both zones know it (multisite
 * metadata sync), so writes through either zone replicate from the first one.
 */
export async function createBucket(zone: Zone, opts: CreateBucketOptions = {}): Promise<string> {
  const bucket = opts.name ?? uniqueBucketName();
  const client = zoneClient(zone);
  await client.send(
    new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: opts.objectLock || undefined }),
  );
  if (opts.versioned && !opts.objectLock) {
    await client.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  }
  await Promise.all(ZONES.map((z) => waitForBucketOnZone(z, bucket)));
  if (opts.replicated === false) await disableBucketSync(bucket);
  return bucket;
}

/** Waits until `bucket` answers HeadBucket on `zone`. */
export async function waitForBucketOnZone(zone: Zone, bucket: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      await zoneClient(zone).send(new HeadBucketCommand({ Bucket: bucket }));
      return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `bucket ${bucket} did not appear on zone ${zone} within ${timeoutMs} ms (last error: ${String(last)})`,
      );
    }
    await sleep(250);
  }
}

export interface PutResult {
  readonly key: string;
  readonly versionId?: string;
  readonly etag?: string;
}

/**
 * Puts objects with bounded concurrency. `objects` is a list of keys (the body is the key) or
 * of `[key, body]` pairs. Results are in input order.
 *
 * The two-core stand is the bound, not the client: with 64 PUTs in flight (the SDK's 50 sockets
 * full) 4,800 small objects took 31-39 s, against 51-58 s with 16.
 */
export async function putObjects(
  client: S3Client,
  bucket: string,
  objects: readonly string[] | readonly (readonly [string, string | Uint8Array])[],
  concurrency = 64,
): Promise<PutResult[]> {
  const items = objects.map((o, i) => [i, ...(typeof o === 'string' ? [o, o] : o)] as const);
  const results: PutResult[] = new Array(items.length);
  await pool(items, concurrency, async ([i, key, body]) => {
    const out = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    results[i] = { key, versionId: out.VersionId, etag: out.ETag };
  });
  return results;
}

/** Calls `fn` on every item, at most `concurrency` at once; rejects with the first failure. */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

/** Every version and delete marker of a bucket (optionally under a prefix), in listing order. */
export async function listAllVersions(
  clientOrZone: S3Client | Zone,
  bucket: string,
  prefix?: string,
): Promise<VersionEntry[]> {
  const client = typeof clientOrZone === 'string' ? zoneClient(checkZone(clientOrZone)) : clientOrZone;
  const out: VersionEntry[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page: ListObjectVersionsCommandOutput = await client.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      }),
    );
    // Versions and delete markers come in two lists; merge them back into listing order
    // (key ascending, newest first within a key).
    const entries: (VersionEntry & { t: number })[] = [];
    for (const v of page.Versions ?? []) {
      entries.push({
        key: v.Key!,
        versionId: v.VersionId ?? 'null',
        isLatest: v.IsLatest ?? false,
        isDeleteMarker: false,
        etag: v.ETag,
        size: v.Size,
        t: v.LastModified?.getTime() ?? 0,
      });
    }
    for (const m of page.DeleteMarkers ?? []) {
      entries.push({
        key: m.Key!,
        versionId: m.VersionId ?? 'null',
        isLatest: m.IsLatest ?? false,
        isDeleteMarker: true,
        t: m.LastModified?.getTime() ?? 0,
      });
    }
    entries.sort((a, b) => compareUtf8(a.key, b.key) || Number(b.isLatest) - Number(a.isLatest) || b.t - a.t);
    for (const { t: _t, ...e } of entries) out.push(e);
    if (!page.IsTruncated) return out;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
}

/**
 * Waits until zone zb holds what zone za holds: for a list of keys, every version and delete
 * marker za has of those keys (same version ids and ETags); for a predicate, until it accepts
 * zb's listing. Returns zb's listing.
 */
export async function waitForReplication(
  bucket: string,
  want: readonly string[] | ((zbVersions: VersionEntry[]) => boolean),
  timeoutMs = 60_000,
): Promise<VersionEntry[]> {
  const deadline = Date.now() + timeoutMs;
  const id = (v: VersionEntry) => `${v.key}@${v.versionId}${v.isDeleteMarker ? ' (delete marker)' : ` ${v.etag}`}`;
  for (;;) {
    const zb = await listAllVersions('zb', bucket).catch(() => [] as VersionEntry[]);
    let missing: string[];
    if (typeof want === 'function') {
      if (want(zb)) return zb;
      missing = ['(predicate not satisfied)'];
    } else {
      const keys = new Set(want);
      const za = (await listAllVersions('za', bucket)).filter((v) => keys.has(v.key));
      const present = new Set(zb.map(id));
      const found = new Set(za.map((v) => v.key));
      missing = [
        ...za.map(id).filter((x) => !present.has(x)),
        ...want.filter((k) => !found.has(k)).map((k) => `${k} (not on za)`),
      ];
      if (missing.length === 0) return zb;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `replication of bucket ${bucket} to zone zb not done within ${timeoutMs} ms; missing: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}`,
      );
    }
    await sleep(300);
  }
}

/**
 * Deletes every version and delete marker of a test bucket, then the bucket (governance-mode
 * retention is bypassed; compliance-mode retention cannot be). Empties both zones, since the other
 * zone may hold writes that have not replicated back yet. A missing bucket is not an error.
 */
export async function emptyAndDeleteBucket(zone: Zone, bucket: string): Promise<void> {
  const other: Zone = zone === 'za' ? 'zb' : 'za';
  for (let round = 1; ; round++) {
    try {
      await emptyBucket(zone, bucket);
      await emptyBucket(other, bucket);
      await zoneClient(zone).send(new DeleteBucketCommand({ Bucket: bucket }));
      return;
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'NoSuchBucket') return;
      if (round >= 5 || name !== 'BucketNotEmpty') throw err;
      await sleep(1000);
    }
  }
}

/** Versions per DeleteObjects request, and requests in flight, when emptying a bucket. */
const DELETE_BATCH = 100;
const DELETE_CONCURRENCY = 8;

async function emptyBucket(zone: Zone, bucket: string): Promise<void> {
  const client = zoneClient(zone);
  // Replication catching up after an outage can bring deleted versions back for a while: give up
  // after a bounded number of passes (cleanup is best effort; the stand is scratch space).
  for (let pass = 1; ; pass++) {
    const versions = await listAllVersions(client, bucket);
    if (versions.length === 0) return;
    if (pass > 20) throw new Error(`bucket ${bucket} on zone ${zone} still has versions after 20 passes`);
    // RGW deletes the keys of one request one after another, so several small requests go at once:
    // on the stand they emptied 4,800 versions of one zone in 11-18 s, where the whole cleanup of
    // both zones with one request of 1,000 at a time had taken 31-41 s.
    const batches: VersionEntry[][] = [];
    for (let i = 0; i < versions.length; i += DELETE_BATCH) batches.push(versions.slice(i, i + DELETE_BATCH));
    await pool(batches, DELETE_CONCURRENCY, async (batch) => {
      const out = await client.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          BypassGovernanceRetention: true,
          Delete: { Quiet: true, Objects: batch.map((v) => ({ Key: v.key, VersionId: v.versionId })) },
        }),
      );
      if (out.Errors?.length) {
        const e = out.Errors[0];
        throw new Error(
          `could not empty bucket ${bucket} on zone ${zone}: ${e.Key}@${e.VersionId}: ${e.Code} ${e.Message}`,
        );
      }
    });
  }
}

/** Stops zone's radosgw: a regional outage of that side. Always pair with `startZone` in a finally. */
export function stopZone(zone: Zone): Promise<void> {
  return runStand('stop-zone', checkZone(zone));
}

/**
 * Starts zone's radosgw again and waits until it serves the test user and replication works
 * again both ways: after a zone restarts, each zone's multisite sync from the other recovers
 * with a backoff (a minute or two), and a test that relies on replication must not start before.
 */
export async function startZone(zone: Zone, replicationTimeoutMs = 240_000): Promise<void> {
  await runStand('start-zone', checkZone(zone));
  await waitForReplicationToResume(replicationTimeoutMs);
}

/**
 * Writes a canary through za and one through zb, and waits until each zone serves the other's;
 * removes them and their bucket after.
 */
export async function waitForReplicationToResume(timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const bucket = uniqueBucketName();
  await zoneClient('za').send(new CreateBucketCommand({ Bucket: bucket }));
  try {
    await waitForBucketOnZone('zb', bucket, timeoutMs);
    await zoneClient('za').send(new PutObjectCommand({ Bucket: bucket, Key: 'from-za', Body: 'x' }));
    await zoneClient('zb').send(new PutObjectCommand({ Bucket: bucket, Key: 'from-zb', Body: 'x' }));
    for (const [zone, key] of [
      ['zb', 'from-za'],
      ['za', 'from-zb'],
    ] as const) {
      for (;;) {
        try {
          await zoneClient(zone).send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
          break;
        } catch (err) {
          if (Date.now() > deadline) {
            throw new Error(`replication to ${zone} did not resume within ${timeoutMs} ms: ${String(err)}`);
          }
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  } finally {
    await emptyAndDeleteBucket('za', bucket).catch(() => undefined);
  }
}

/**
 * Stops replication of one bucket both ways (per-bucket switch, no period commit; returns once
 * both zones have it): writes through za then stay off zb, a durable planted difference on the
 * same bucket name, and a restore target written through zb is not copied back to za.
 * `enableBucketSync` turns it back on (the other zone catches up in about 15 s).
 */
export function disableBucketSync(bucket: string): Promise<void> {
  return runStand('bucket-sync', 'disable', bucket);
}

export function enableBucketSync(bucket: string): Promise<void> {
  return runStand('bucket-sync', 'enable', bucket);
}

function runStand(...args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'bash',
      [STAND_SCRIPT, ...args],
      { env: { ...process.env, STAND_DIR: standDir() }, timeout: 180_000 },
      (err, _out, stderr) => {
        if (err) reject(new Error(`stand.sh ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        else resolvePromise();
      },
    );
  });
}

function checkZone(zone: string): Zone {
  if (zone !== 'za' && zone !== 'zb') throw new Error(`unknown zone '${zone}': use 'za' or 'zb'`);
  return zone;
}

/** S3 key order: UTF-8 byte order. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
