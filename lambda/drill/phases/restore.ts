import { CopyObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { performance } from 'node:perf_hooks';
import { Readable, Transform } from 'node:stream';
import { IncompleteError, isPreconditionFailed, UsageError } from '../../shared/errors';
import { isUnreachable } from '../../shared/network-errors';
import { mapPool } from '../../shared/pool';
import { CopyObjectResult } from '../../shared/raw-s3';
import { targetKeyProblem } from '../core/key-mapping';
import { VersionEntry } from '../core/point-in-time';
import { DrillObjectResult } from '../core/report';
import { Candidate, seconds } from '../core/run-report';
import { DigestBuilder } from '../core/verification';
import { headReplica, listVersions, recordOf, Restored } from './s3-objects';
import { DrillRun, short } from './state';

/** PutObject's limit; larger objects would need a multipart copy. */
const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

/** What the restore phase produced: one entry per sampled object, undefined where it failed. */
export interface RestoreOutcome {
  readonly restored: readonly (Restored | undefined)[];
  readonly restoreMs: number;
}

/**
 * Phase 2, restore: copies every sampled object into the drill's scratch prefix of the restore
 * target (streamed through the function, or a server-side copy), records each write for the
 * cleanup phase and each failure in the report. Throws IncompleteError when nothing could be
 * restored because a side was unreachable.
 */
export async function restorePhase(run: DrillRun, candidates: readonly Candidate[]): Promise<RestoreOutcome> {
  const { report, options, progress } = run;
  const t1 = performance.now();
  let fatal: unknown;
  let restoredCount = 0;
  const restored = await mapPool(report.objects, options.concurrency, async (result, i) => {
    const r = await restoreOne(run, result, candidates[i]).catch((err: unknown) => {
      if (isUnreachable(err)) fatal ??= err;
      result.reason = `restore failed: ${short(err)}`;
      report.failures.push({ key: result.key, versionId: result.versionId, phase: 'restore', reason: result.reason });
      return undefined;
    });
    progress({ phase: 'restore', done: ++restoredCount, total: report.objects.length });
    return r;
  });
  await learnTargetVersions(run, restored);
  const restoreMs = performance.now() - t1;
  report.restoredAt = new Date(run.wall()).toISOString();
  report.durations.restoreSeconds = seconds(restoreMs);
  if (fatal && report.restored.objects === 0 && report.objects.length > 0) {
    throw new IncompleteError(
      `no object could be restored: ${short(fatal)}`,
      'check that the replica and the restore target are reachable, then run the drill again',
      undefined,
      { cause: fatal },
    );
  }
  return { restored, restoreMs };
}

async function restoreOne(run: DrillRun, result: DrillObjectResult, listed: Candidate): Promise<Restored> {
  const problem = targetKeyProblem(result.targetKey);
  if (problem) throw new UsageError(problem);
  if (result.size > MAX_SINGLE_PUT_BYTES) {
    throw new UsageError(`the object is ${result.size} bytes, over the 5 GiB a single put can restore`);
  }
  run.pending.add(result.targetKey);
  const r = run.report.plan.copy === 'server-side' ? await copyOne(run, result, listed) : await streamOne(run, result);
  if (!run.targetVersioned || result.targetVersionId) {
    run.written.push({ key: result.targetKey, versionId: run.targetVersioned ? result.targetVersionId : undefined });
    run.pending.delete(result.targetKey);
  }
  // else: the server did not say which version it wrote; learnTargetVersions lists them.
  result.restored = true;
  run.report.restored.objects++;
  run.report.restored.bytes += result.size;
  return r;
}

/** GET from the replica, PUT to the target, hashing the bytes on the way. */
async function streamOne(run: DrillRun, result: DrillObjectResult): Promise<Restored> {
  const { options } = run;
  const got = await run.replica.send(
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
  const out = await run.target
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
async function copyOne(run: DrillRun, result: DrillObjectResult, listed: Candidate): Promise<Restored> {
  const { options, rawTarget } = run;
  // A listed 'null' version id (written before versioning) names a version too.
  const byVersion = (v?: string): v is string => v !== undefined;
  const copy = async (ifMatch?: string): Promise<CopyObjectResult> => {
    const source =
      `${options.replica.bucket}/${encodeURIComponent(result.key)}` +
      (byVersion(result.versionId) ? `?versionId=${encodeURIComponent(result.versionId)}` : '');
    const pin = byVersion(result.versionId) ? undefined : ifMatch;
    if (rawTarget) return rawTarget.copyObject(options.restoreTo.bucket, result.targetKey, source, pin);
    const out = await run.target.send(
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
  const head = await headReplica(run, result);
  result.versionId ??= head.VersionId;
  result.size = head.ContentLength ?? result.size;
  const out = await copy(head.ETag);
  result.targetVersionId = out.versionId;
  return { result, record: recordOf(head), etag: head.ETag };
}

/**
 * Learns the version ids (and sizes) of writes whose reply named none (Ceph's CopyObject, for
 * one) from one listing of the drill's own prefix (its id is unique, so every version there is
 * the drill's: the latest of a key is the last write), instead of a HEAD per object.
 */
async function learnTargetVersions(run: DrillRun, restored: readonly (Restored | undefined)[]): Promise<void> {
  const { report, options } = run;
  const unknown = restored.filter((r): r is Restored => r !== undefined && run.pending.has(r.result.targetKey));
  if (unknown.length === 0) return;
  const latest = new Map<string, VersionEntry>();
  try {
    for await (const e of listVersions(run.target, options.restoreTo.bucket, run.root)) {
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
    run.written.push({ key: result.targetKey, versionId: result.targetVersionId });
    run.pending.delete(result.targetKey);
  }
}
