import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectCommandOutput,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Readable, Transform } from 'node:stream';
import { AccessError, describeError, IncompleteError, UsageError } from '../shared/errors';
import { CopyObjectResult, RawS3 } from '../shared/raw-s3';
import { createS3Client, RequestStats, S3ClientOptions } from '../shared/s3-client';
import { drillRoot, newDrillId, sourceKeyFor, targetKey, targetKeyProblem } from './core/key-mapping';
import { assertDrillOptions, DrillLocation, DrillOptions, planDrill } from './core/options';
import {
  emptyPointInTimeStats,
  mergeVersionPage,
  PointInTimeStats,
  ResolvedVersion,
  resolveAsOf,
  VersionEntry,
} from './core/point-in-time';
import { DrillObjectResult, DrillReport, WrittenObject } from './core/report';
import { estimateRto } from './core/rto';
import { createSampler, newSeed, Sampleable } from './core/sampling';
import {
  ChecksumAlgorithm,
  chooseVerification,
  DigestBuilder,
  Digests,
  judge,
  ReplicaRecord,
  VerificationRule,
  VerifiedAgainst,
} from './core/verification';

/** Objects per DeleteObjects request in cleanup (S3 allows up to 1,000). */
const DELETE_BATCH = 100;

/** PutObject's limit; larger objects would need a multipart copy. */
const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

export interface DrillProgress {
  readonly phase: 'list' | 'restore' | 'verify' | 'cleanup';
  readonly done: number;
  readonly total?: number;
}

export interface DrillDeps {
  /** Builds the S3 client of one side. @default createS3Client */
  readonly clientFor?: (opts: S3ClientOptions) => S3Client;
  /** Shared request counters. @default a fresh RequestStats */
  readonly stats?: RequestStats;
  readonly onProgress?: (p: DrillProgress) => void;
  /** How long the source may take to answer the availability probe. @default 10000 */
  readonly sourceProbeTimeoutMs?: number;
  /** Wall clock for the report's timestamps. @default Date.now */
  readonly now?: () => number;
}

interface Candidate extends Sampleable {
  readonly versionId?: string;
  readonly etag?: string;
  readonly since?: ResolvedVersion['since'];
}

interface Restored {
  readonly result: DrillObjectResult;
  /**
   * What the replica recorded about the restored version. A server-side copy does not read it
   * (the copy is pinned to the listed ETag or version id instead); verification reads it only
   * when it needs the replica's checksums, that is when the source cannot be used.
   */
  record?: ReplicaRecord;
  /** The replica's ETag of the restored version, from the listing or the read. */
  readonly etag?: string;
  /** SHA-256 of the bytes read from the replica while streaming (not in server-side copy mode). */
  readonly replicaSha256?: string;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
]);

/** True for errors that mean the endpoint could not be reached (as opposed to an S3 answer). */
export function isUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const x = e as {
      code?: string;
      name?: string;
      errors?: unknown[];
      cause?: unknown;
      $metadata?: { httpStatusCode?: number };
    };
    if (x.code && UNREACHABLE_CODES.has(x.code)) return true;
    if (x.name === 'TimeoutError' || x.name === 'AbortError' || x.name === 'RequestTimeout') return true;
    if (Array.isArray(x.errors) && x.errors.some((i) => isUnreachable(i))) return true;
    const status = x.$metadata?.httpStatusCode;
    if (status === 502 || status === 503 || status === 504) return true;
    e = x.cause;
  }
  return false;
}

function errorName(err: unknown): string {
  return (err as { name?: string; Code?: string }).name ?? '';
}

function isPreconditionFailed(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return errorName(err) === 'PreconditionFailed' || status === 412;
}

function isMissing(err: unknown): boolean {
  const n = errorName(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return n === 'NoSuchKey' || n === 'NoSuchVersion' || n === 'NotFound' || n === 'InvalidArgument' || status === 404;
}

/** The failure as the service worded it (never lower-cased: error codes keep their case). */
function short(err: unknown): string {
  return describeError(err);
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function* listCurrent(client: S3Client, loc: DrillLocation): AsyncGenerator<Candidate> {
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: loc.prefix || undefined, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      if (!o.Key) continue;
      yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0), etag: o.ETag };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** Every version and delete marker under a prefix, grouped by key, newest first within a key. */
export async function* listVersions(client: S3Client, bucket: string, prefix: string): AsyncGenerator<VersionEntry> {
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const page = await client.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix || undefined,
        KeyMarker: keyMarker,
        VersionIdMarker: versionMarker,
      }),
    );
    const versions: VersionEntry[] = (page.Versions ?? []).map((v) => ({
      key: v.Key!,
      versionId: v.VersionId ?? 'null',
      lastModified: v.LastModified ?? new Date(0),
      isDeleteMarker: false,
      isLatest: v.IsLatest,
      size: v.Size ?? 0,
      etag: v.ETag,
    }));
    const markers: VersionEntry[] = (page.DeleteMarkers ?? []).map((m) => ({
      key: m.Key!,
      versionId: m.VersionId ?? 'null',
      lastModified: m.LastModified ?? new Date(0),
      isDeleteMarker: true,
      isLatest: m.IsLatest,
    }));
    yield* mergeVersionPage(versions, markers);
    if (!page.IsTruncated) return;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
}

function recordOf(o: {
  ETag?: string;
  ServerSideEncryption?: string;
  SSECustomerAlgorithm?: string;
  ChecksumSHA256?: string;
  ChecksumSHA1?: string;
  ChecksumCRC32?: string;
  ChecksumCRC32C?: string;
  ChecksumCRC64NVME?: string;
  ChecksumType?: string;
}): ReplicaRecord {
  return {
    etag: o.ETag,
    serverSideEncryption: o.ServerSideEncryption,
    sseCustomerAlgorithm: o.SSECustomerAlgorithm,
    checksums: {
      SHA256: o.ChecksumSHA256,
      SHA1: o.ChecksumSHA1,
      CRC32: o.ChecksumCRC32,
      CRC32C: o.ChecksumCRC32C,
      CRC64NVME: o.ChecksumCRC64NVME,
    },
    checksumType: o.ChecksumType,
  };
}

async function digestBody(
  body: GetObjectCommandOutput['Body'],
  extra: readonly ChecksumAlgorithm[] = [],
): Promise<Digests> {
  const d = new DigestBuilder(extra);
  if (body) for await (const chunk of body as Readable) d.update(chunk as Uint8Array);
  return d.digest();
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/**
 * Runs one restore drill: lists the replica, samples, restores the sample into the scratch
 * target, verifies every restored object byte for byte, removes everything it wrote (also when
 * it fails midway) and returns the report. Throws UsageError for bad options or a missing
 * restore target (nothing done), IncompleteError when the replica cannot be read.
 */
export async function runDrill(options: DrillOptions, deps: DrillDeps = {}): Promise<DrillReport> {
  assertDrillOptions(options);
  const wall = deps.now ?? Date.now;
  const started = performance.now();
  const stats = deps.stats ?? new RequestStats();
  const build = deps.clientFor ?? createS3Client;
  const clientOf = (loc: DrillLocation, maxAttempts = options.maxAttempts) =>
    build({ region: loc.region, endpoint: loc.endpoint, maxAttempts, stats });
  const replica = clientOf(options.replica);
  const source = clientOf(options.source);
  const target = clientOf(options.restoreTo);
  // Copies go out as raw signed requests (about a third of the SDK's CPU per request) when the
  // target client is one of ours; another client (a test's, say) is used as it is.
  const rawTarget = RawS3.for(target);
  const progress = deps.onProgress ?? (() => undefined);

  const drillId = options.drillId ?? newDrillId(new Date(wall()));
  const seed = options.seed ?? newSeed(() => randomBytes(4).readUInt32BE() / 0x100000000);
  const plan = planDrill(options, drillId, seed);
  const root = drillRoot(options.restoreTo.prefix, drillId);
  const report: DrillReport = {
    drillId,
    name: options.name,
    passed: false,
    startedAt: new Date(wall()).toISOString(),
    finishedAt: '',
    plan,
    sourceAvailable: true,
    notes: [],
    sample: {
      mode: options.sampleMode,
      requested: options.sampleSize,
      selected: 0,
      seed,
      asOf: options.asOf?.toISOString(),
      listedObjects: 0,
      listedBytes: 0,
    },
    durations: { listSeconds: 0, restoreSeconds: 0, verifySeconds: 0, cleanupSeconds: 0, totalSeconds: 0 },
    restored: { objects: 0, bytes: 0 },
    verified: {
      objects: 0,
      bytes: 0,
      against: { 'source-sha256': 0, 'replica-checksum': 0, 'replica-etag-md5': 0, unverifiable: 0 },
    },
    throughput: { restoreObjectsPerSecond: 0, restoreBytesPerSecond: 0, verifyBytesPerSecond: 0 },
    failures: [],
    cleanup: { written: 0, deleted: 0, swept: 0, complete: true, leftovers: [] },
    requests: { total: 0, retries: 0, byOperation: {} },
    objects: [],
  };

  // Preflight: the target must exist (and we learn whether it keeps versions), before anything is read.
  let targetVersioned: boolean;
  try {
    const v = await target.send(new GetBucketVersioningCommand({ Bucket: options.restoreTo.bucket }));
    targetVersioned = v.Status === 'Enabled' || v.Status === 'Suspended';
  } catch (err) {
    if (errorName(err) === 'NoSuchBucket') {
      throw new AccessError(
        `restore target bucket "${options.restoreTo.bucket}" does not exist${options.restoreTo.endpoint ? ` at ${options.restoreTo.endpoint}` : ''}`,
        'create a scratch bucket for drills, or give an existing one (check --restore-region and --restore-endpoint)',
        { cause: err },
      );
    }
    throw new IncompleteError(
      `the restore target s3://${options.restoreTo.bucket} could not be read: ${short(err)}`,
      'check the restore target endpoint, region and permissions (s3:GetBucketVersioning), then run the drill again',
      undefined,
      { cause: err },
    );
  }

  // Is the source there to verify against? A short probe, so a region outage costs seconds.
  const probe = clientOf(options.source, 1);
  try {
    await probe.send(new HeadBucketCommand({ Bucket: options.source.bucket }), {
      abortSignal: AbortSignal.timeout(deps.sourceProbeTimeoutMs ?? 10_000),
    });
  } catch (err) {
    report.sourceAvailable = false;
    report.notes.push(
      `the source s3://${options.source.bucket}${options.source.endpoint ? ` at ${options.source.endpoint}` : ''} was unavailable (${short(err)}): objects were verified against what the replica recorded (stored checksum or plain-md5 etag), or marked unverifiable`,
    );
  } finally {
    probe.destroy();
  }
  let sourceDownNoted = !report.sourceAvailable;
  const sourceWentDown = (err: unknown) => {
    report.sourceAvailable = false;
    if (!sourceDownNoted) {
      sourceDownNoted = true;
      report.notes.push(
        `the source became unavailable during verification (${short(err)}): later objects were verified against what the replica recorded, or marked unverifiable`,
      );
    }
  };

  const written: WrittenObject[] = [];
  const pending = new Set<string>();
  let fatal: unknown;
  try {
    // 1. List and sample.
    const t0 = performance.now();
    const sampler = createSampler<Candidate>(options.sampleMode, options.sampleSize, seed);
    let pit: PointInTimeStats | undefined;
    try {
      if (options.asOf) {
        pit = emptyPointInTimeStats();
        const entries = listVersions(replica, options.replica.bucket, options.replica.prefix);
        for await (const r of resolveAsOf(entries, options.asOf, pit)) {
          sampler.offer(r);
          if (sampler.seen % 1000 === 0) progress({ phase: 'list', done: sampler.seen });
        }
      } else {
        for await (const c of listCurrent(replica, options.replica)) {
          sampler.offer(c);
          if (sampler.seen % 1000 === 0) progress({ phase: 'list', done: sampler.seen });
        }
      }
    } catch (err) {
      if (errorName(err) === 'NoSuchBucket') {
        throw new AccessError(
          `replica bucket "${options.replica.bucket}" does not exist${options.replica.endpoint ? ` at ${options.replica.endpoint}` : ''}`,
          'check the replica bucket name, --replica-region and --replica-endpoint',
          { cause: err },
        );
      }
      throw new IncompleteError(
        `the replica s3://${options.replica.bucket}/${options.replica.prefix} could not be listed: ${short(err)}`,
        'check the replica endpoint, region and permissions (s3:ListBucket, s3:ListBucketVersions); if its region is down, a drill cannot run until it is back',
        undefined,
        { cause: err },
      );
    }
    const sample = sampler.result();
    report.durations.listSeconds = seconds(performance.now() - t0);
    report.sample.listedObjects = sampler.seen;
    report.sample.listedBytes = sampler.seenBytes;
    report.sample.selected = sample.length;
    if (pit) report.sample.pointInTime = pit;
    progress({ phase: 'list', done: sampler.seen, total: sampler.seen });
    if (sample.length === 0) {
      report.notes.push(
        `nothing to restore: the replica has no objects under "${options.replica.prefix}"${options.asOf ? ` as of ${options.asOf.toISOString()}` : ''}, so the drill proved nothing`,
      );
    }
    report.objects = sample.map((c) => ({
      key: c.key,
      versionId: c.versionId,
      size: c.size,
      lastModified: c.lastModified.toISOString(),
      since: c.since,
      targetKey: targetKey(root, c.key),
      restored: false,
      verified: false,
    }));

    // 2. Restore.
    const t1 = performance.now();
    let restoredCount = 0;
    const restored = await mapPool(report.objects, options.concurrency, async (result, i) => {
      const r = await restoreOne(result, sample[i]).catch((err: unknown) => {
        if (isUnreachable(err)) fatal ??= err;
        result.reason = `restore failed: ${short(err)}`;
        report.failures.push({ key: result.key, versionId: result.versionId, phase: 'restore', reason: result.reason });
        return undefined;
      });
      progress({ phase: 'restore', done: ++restoredCount, total: report.objects.length });
      return r;
    });
    await learnTargetVersions(restored);
    const restoreMs = performance.now() - t1;
    report.durations.restoreSeconds = seconds(restoreMs);
    if (fatal && report.restored.objects === 0 && report.objects.length > 0) {
      throw new IncompleteError(
        `no object could be restored: ${short(fatal)}`,
        'check that the replica and the restore target are reachable, then run the drill again',
        undefined,
        { cause: fatal },
      );
    }

    // 3. Verify.
    const t2 = performance.now();
    let verifiedCount = 0;
    const ok = restored.filter((r): r is Restored => r !== undefined);
    await mapPool(ok, options.concurrency, async (r) => {
      await verifyOne(r).catch((err: unknown) => {
        r.result.reason = `verification failed: ${short(err)}`;
      });
      if (!r.result.verified) {
        report.failures.push({
          key: r.result.key,
          versionId: r.result.versionId,
          phase: 'verify',
          reason: r.result.reason ?? 'not verified',
        });
      }
      progress({ phase: 'verify', done: ++verifiedCount, total: ok.length });
    });
    const verifyMs = performance.now() - t2;
    report.durations.verifySeconds = seconds(verifyMs);
    report.throughput = {
      restoreObjectsPerSecond: restoreMs > 0 ? report.restored.objects / (restoreMs / 1000) : 0,
      restoreBytesPerSecond: restoreMs > 0 ? report.restored.bytes / (restoreMs / 1000) : 0,
      verifyBytesPerSecond: verifyMs > 0 ? report.verified.bytes / (verifyMs / 1000) : 0,
    };
    report.rto = estimateRto({
      sampleObjects: report.restored.objects,
      sampleBytes: report.restored.bytes,
      restoreSeconds: restoreMs / 1000,
      concurrency: options.concurrency,
      totalObjects: report.sample.listedObjects,
      totalBytes: report.sample.listedBytes,
      listSeconds: report.durations.listSeconds,
    });
  } finally {
    const t3 = performance.now();
    await cleanup();
    report.durations.cleanupSeconds = seconds(performance.now() - t3);
    report.durations.totalSeconds = seconds(performance.now() - started);
    report.finishedAt = new Date(wall()).toISOString();
    report.requests = { total: stats.requests, retries: stats.retries, byOperation: { ...stats.byOperation } };
    replica.destroy();
    source.destroy();
    target.destroy();
  }
  report.failures.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const unverifiableOk = (o: DrillObjectResult) =>
    options.allowUnverifiable === true && o.verifiedAgainst === 'unverifiable';
  report.passed =
    report.objects.length > 0 &&
    report.objects.every((o) => o.restored && (o.verified || unverifiableOk(o))) &&
    report.cleanup.complete;
  if (options.allowUnverifiable && report.verified.against.unverifiable > 0) {
    report.notes.push(`${report.verified.against.unverifiable} object(s) were unverifiable and allowed to pass`);
  }
  return report;

  async function restoreOne(result: DrillObjectResult, listed: Candidate): Promise<Restored> {
    const problem = targetKeyProblem(result.targetKey);
    if (problem) throw new UsageError(problem);
    if (result.size > MAX_SINGLE_PUT_BYTES) {
      throw new UsageError(`the object is ${result.size} bytes, over the 5 GiB a single put can restore`);
    }
    pending.add(result.targetKey);
    const r = options.serverSideCopy ? await copyOne(result, listed) : await streamOne(result);
    if (!targetVersioned || result.targetVersionId) {
      written.push({ key: result.targetKey, versionId: targetVersioned ? result.targetVersionId : undefined });
      pending.delete(result.targetKey);
    }
    // else: the server did not say which version it wrote; learnTargetVersions lists them.
    result.restored = true;
    report.restored.objects++;
    report.restored.bytes += result.size;
    return r;
  }

  /** GET from the replica, PUT to the target, hashing the bytes on the way. */
  async function streamOne(result: DrillObjectResult): Promise<Restored> {
    const got = await replica.send(
      new GetObjectCommand({
        Bucket: options.replica.bucket,
        Key: result.key,
        VersionId: result.versionId,
        ChecksumMode: 'ENABLED',
      }),
    );
    result.versionId ??= got.VersionId;
    const bytes = got.ContentLength ?? 0;
    const digest = new DigestBuilder();
    const body = got.Body as Readable;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        digest.update(chunk);
        cb(null, chunk);
      },
    });
    body.on('error', (err) => tap.destroy(err));
    body.pipe(tap);
    const out = await target
      .send(
        new PutObjectCommand({
          Bucket: options.restoreTo.bucket,
          Key: result.targetKey,
          Body: tap,
          ContentLength: bytes,
          ContentType: got.ContentType,
          CacheControl: got.CacheControl,
          ContentDisposition: got.ContentDisposition,
          ContentEncoding: got.ContentEncoding,
          ContentLanguage: got.ContentLanguage,
          Metadata: got.Metadata,
        }),
      )
      .catch((err: unknown) => {
        // Free the replica connection when the put fails before reading the whole body.
        body.destroy();
        throw err;
      });
    const d = digest.digest();
    if (d.bytes !== bytes) throw new Error(`read ${d.bytes} bytes from the replica, expected ${bytes}`);
    result.targetVersionId = out.VersionId;
    result.size = bytes;
    return { result, record: recordOf(got), etag: got.ETag, replicaSha256: d.sha256 };
  }

  /**
   * One CopyObject per object, as `aws s3 sync` does. The copy is pinned to what the listing
   * saw: its version id, or else its ETag (CopySourceIfMatch), so the listed size and ETag
   * describe the restored bytes without a HEAD. When the object changed since the listing, the
   * copy is refused (412) and retried pinned to the version the replica holds now. (Ceph RGW
   * reads that precondition under another header name and copies the current version: the
   * listing of the drill's prefix then records what was written, and verification compares the
   * restored bytes as always.)
   */
  async function copyOne(result: DrillObjectResult, listed: Candidate): Promise<Restored> {
    // A listed 'null' version id (written before versioning) names a version too.
    const byVersion = (v?: string): v is string => v !== undefined;
    const copy = async (ifMatch?: string): Promise<CopyObjectResult> => {
      const source =
        `${options.replica.bucket}/${encodeURIComponent(result.key)}` +
        (byVersion(result.versionId) ? `?versionId=${encodeURIComponent(result.versionId)}` : '');
      const pin = byVersion(result.versionId) ? undefined : ifMatch;
      if (rawTarget) return rawTarget.copyObject(options.restoreTo.bucket, result.targetKey, source, pin);
      const out = await target.send(
        new CopyObjectCommand({
          Bucket: options.restoreTo.bucket,
          Key: result.targetKey,
          CopySource: source,
          CopySourceIfMatch: pin,
        }),
      );
      return {
        etag: out.CopyObjectResult?.ETag,
        versionId: out.VersionId,
        copySourceVersionId: out.CopySourceVersionId,
      };
    };
    try {
      const out = await copy(listed.etag);
      result.versionId ??= out.copySourceVersionId;
      result.targetVersionId = out.versionId;
      return { result, etag: listed.etag };
    } catch (err) {
      if (!isPreconditionFailed(err) || byVersion(result.versionId)) throw err;
    }
    const head = await headReplica(result);
    result.versionId ??= head.VersionId;
    result.size = head.ContentLength ?? result.size;
    const out = await copy(head.ETag);
    result.targetVersionId = out.versionId;
    return { result, record: recordOf(head), etag: head.ETag };
  }

  function headReplica(result: DrillObjectResult) {
    return replica.send(
      new HeadObjectCommand({
        Bucket: options.replica.bucket,
        Key: result.key,
        VersionId: result.versionId,
        ChecksumMode: 'ENABLED',
      }),
    );
  }

  /**
   * The replica's record of the restored version, read when verification first needs it: by
   * version id when known, else the current version (verifyOne says so when it has changed).
   */
  async function replicaRecord(r: Restored): Promise<ReplicaRecord> {
    if (!r.record) {
      try {
        r.record = recordOf(await headReplica(r.result));
      } catch (err) {
        throw new Error(`the replica's checksums could not be read: ${short(err)}`);
      }
    }
    return r.record;
  }

  /**
   * Learns the version ids (and sizes) of writes whose reply named none (Ceph's CopyObject, for
   * one) from one listing of the drill's own prefix (its id is unique, so every version there is
   * the drill's: the latest of a key is the last write), instead of a HEAD per object.
   */
  async function learnTargetVersions(restored: readonly (Restored | undefined)[]): Promise<void> {
    const unknown = restored.filter((r): r is Restored => r !== undefined && pending.has(r.result.targetKey));
    if (unknown.length === 0) return;
    const latest = new Map<string, VersionEntry>();
    try {
      for await (const e of listVersions(target, options.restoreTo.bucket, root)) {
        if (e.isLatest && !e.isDeleteMarker) latest.set(e.key, e);
      }
    } catch (err) {
      report.notes.push(
        `the restore target's versions could not be listed (${short(err)}): restored objects were read back by key, and the cleanup sweep removes every version under the drill's prefix`,
      );
    }
    for (const { result } of unknown) {
      const e = latest.get(result.targetKey);
      result.targetVersionId = e?.versionId;
      if (e?.size !== undefined && e.size !== result.size) {
        // A server that ignored the copy's ETag pin copied a newer version: record what it wrote.
        report.restored.bytes += e.size - result.size;
        result.size = e.size;
      }
      written.push({ key: result.targetKey, versionId: result.targetVersionId });
      pending.delete(result.targetKey);
    }
  }

  async function sourceSha256(result: DrillObjectResult): Promise<{ sha256?: string; note?: string }> {
    const key = sourceKeyFor(result.key, options.replica.prefix, options.source.prefix);
    const get = async (versionId?: string) =>
      digestBody(
        (await source.send(new GetObjectCommand({ Bucket: options.source.bucket, Key: key, VersionId: versionId })))
          .Body,
      );
    try {
      return { sha256: (await get(result.versionId)).sha256 };
    } catch (err) {
      if (!isMissing(err) || !result.versionId || options.asOf) throw err;
    }
    // Not a replica with preserved version ids (or the source version was removed):
    // the current source version is the best reference for a drill of current objects.
    try {
      const d = await get(undefined);
      return {
        sha256: d.sha256,
        note: `the source has no version ${result.versionId} of s3://${options.source.bucket}/${key}: compared with its current version`,
      };
    } catch (err) {
      if (isMissing(err)) return { note: `the source has no object s3://${options.source.bucket}/${key}` };
      throw err;
    }
  }

  async function verifyOne(r: Restored): Promise<void> {
    const { result } = r;
    let rule: VerificationRule = report.sourceAvailable
      ? chooseVerification(true, {})
      : chooseVerification(false, await replicaRecord(r));
    let expectedSha: string | undefined;
    if (rule.against === 'source-sha256') {
      try {
        const s = await sourceSha256(result);
        expectedSha = s.sha256;
        if (s.note) result.note = s.note;
      } catch (err) {
        if (!isUnreachable(err)) throw new Error(`the source could not be read: ${short(err)}`);
        sourceWentDown(err);
      }
      if (!expectedSha) {
        const sourceUp = report.sourceAvailable;
        rule = chooseVerification(false, await replicaRecord(r));
        if (sourceUp && options.asOf && !result.note) {
          result.note = `the source has no version ${result.versionId}`;
        }
      }
    }
    const extra = rule.algorithm ? [rule.algorithm] : [];
    const got = await target.send(
      new GetObjectCommand({
        Bucket: options.restoreTo.bucket,
        Key: result.targetKey,
        VersionId: result.targetVersionId,
      }),
    );
    const restored = await digestBody(got.Body, extra);
    result.sha256 = restored.sha256;
    result.verifiedAgainst = rule.against;
    result.expected = rule.against === 'source-sha256' ? expectedSha : rule.expected;
    const j = judge(rule, restored, expectedSha);
    bump(rule.against);
    if (j.ok) {
      result.verified = true;
      report.verified.objects++;
      report.verified.bytes += restored.bytes;
      return;
    }
    let reason = j.reason ?? 'not verified';
    if (rule.against === 'source-sha256' && r.replicaSha256) {
      if (r.replicaSha256 !== expectedSha) {
        reason += `; the replica's own bytes (sha-256 ${r.replicaSha256}) differ from the source version: the replica copy is corrupt or stale`;
      } else if (r.replicaSha256 !== restored.sha256) {
        reason += '; the replica matched the source, so the copy to the restore target was corrupted';
      }
    }
    if (r.record?.etag && r.etag && r.record.etag !== r.etag) {
      reason += `; the replica object changed during the drill (etag ${r.etag} when listed, ${r.record.etag} now)`;
    }
    if (result.note) reason += ` (${result.note})`;
    result.reason = reason;
  }

  function bump(a: VerifiedAgainst): void {
    report.verified.against[a]++;
  }

  async function cleanup(): Promise<void> {
    const c = report.cleanup;
    c.written = written.length;
    const failedDeletes: WrittenObject[] = [];
    try {
      // Deletes in batches of 100, several at once (a server works through one DeleteObjects
      // request object by object: one request of 1,000 took as long as the restore itself),
      // counting what went and what failed.
      const deleteAll = async (objects: WrittenObject[], onBatch?: (done: number) => void) => {
        const batches: WrittenObject[][] = [];
        for (let i = 0; i < objects.length; i += DELETE_BATCH) batches.push(objects.slice(i, i + DELETE_BATCH));
        let done = 0;
        await mapPool(batches, options.concurrency, async (batch) => {
          const out = await target.send(
            new DeleteObjectsCommand({
              Bucket: options.restoreTo.bucket,
              Delete: { Objects: batch.map((w) => ({ Key: w.key, VersionId: w.versionId })), Quiet: true },
            }),
          );
          for (const e of out.Errors ?? []) failedDeletes.push({ key: e.Key!, versionId: e.VersionId });
          c.deleted += batch.length - (out.Errors?.length ?? 0);
          onBatch?.((done += batch.length));
        });
      };
      // The recorded writes, exactly, by version id on versioned targets.
      await deleteAll(written, (done) => progress({ phase: 'cleanup', done, total: written.length }));
      // A sweep of the drill's own prefix (its id is unique): writes whose reply was lost,
      // delete markers an unversioned delete left, anything a failed delete missed.
      const leftover: WrittenObject[] = [];
      for await (const e of listVersions(target, options.restoreTo.bucket, root)) {
        if (!e.key.startsWith(root)) continue;
        leftover.push({ key: e.key, versionId: targetVersioned ? e.versionId : undefined });
      }
      const recorded = new Set(written.map((w) => `${w.key}\u0000${w.versionId ?? ''}`));
      c.swept = leftover.filter((w) => !recorded.has(`${w.key}\u0000${w.versionId ?? ''}`)).length;
      failedDeletes.length = 0;
      await deleteAll(leftover);
      c.leftovers = failedDeletes;
      c.complete = failedDeletes.length === 0;
      if (!c.complete) c.error = `${failedDeletes.length} scratch version(s) could not be deleted`;
    } catch (err) {
      c.complete = false;
      c.error = `cleanup failed: ${short(err)}`;
      // Not known which deletes went through: list everything the drill may have written.
      c.leftovers = [...written, ...[...pending].map((key) => ({ key }))];
    }
    if (!c.complete) {
      report.notes.push(
        `cleanup incomplete (${c.error}): delete the listed leftovers under s3://${options.restoreTo.bucket}/${root} by version id`,
      );
    }
  }
}
