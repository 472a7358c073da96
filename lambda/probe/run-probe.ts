/**
 * The replication probe: from the replica region, writes one small canary object under the
 * reserved canary prefix of the source (the only write this library makes to a source), polls
 * the replica until it appears or a deadline passes (the measured end-to-end replication lag,
 * an RPO sample), and measures the source's availability and latency from outside its region.
 * A source that is down is a result (sourceAvailable false), never an exception.
 */
import {
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { describeError, httpStatusOf } from '../shared/errors';
import { Metrics } from '../shared/metrics';
import { CANARY_PREFIX } from '../shared/reserved';
import { METRICS } from './contract';
import { createS3Client } from '../shared/s3-client';
import { canariesToDelete, canaryKey, ProbeConfig } from './config';

export interface ProbeDeps {
  readonly sourceClient?: S3Client;
  readonly replicaClient?: S3Client;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Delay between replica polls. @default 100 ms for the first 5 s, then 1 s */
  readonly pollIntervalMs?: (elapsedMs: number) => number;
}

export interface ProbeResult {
  readonly probeName: string;
  readonly canaryKey: string;
  readonly canaryId: string;
  /** ISO 8601: when the canary PUT was sent (also in the canary's body). */
  readonly writtenAt: string;
  /** The PUT and a HEAD of the canary on the source both succeeded. */
  readonly sourceAvailable: boolean;
  readonly sourcePutMs?: number;
  readonly sourceHeadMs?: number;
  readonly sourceError?: string;
  /** The canary was seen on the replica before the deadline. */
  readonly replicated: boolean;
  /** Seconds from the write to the first HEAD that found it on the replica. */
  readonly lagSeconds?: number;
  /** The canary was written but not seen on the replica by the deadline. */
  readonly notReplicated: boolean;
  readonly replicaPolls: number;
  readonly replicaError?: string;
  readonly cleanup: { readonly deleted: number; readonly kept: number; readonly error?: string };
}

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const defaultInterval = (elapsed: number) => (elapsed < 5000 ? 100 : 1000);

export async function runProbe(config: ProbeConfig, deps: ProbeDeps = {}): Promise<ProbeResult> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? sleepMs;
  const interval = deps.pollIntervalMs ?? defaultInterval;
  // Few attempts on the source: an outage must show as such within the request budget.
  const source = deps.sourceClient ?? createS3Client({ ...config.source, maxAttempts: 2 });
  const replica = deps.replicaClient ?? createS3Client({ ...config.replica, maxAttempts: 3 });
  const budget = () => ({ abortSignal: AbortSignal.timeout(config.sourceTimeoutSeconds * 1000) });

  const id = randomUUID();
  const writtenAtMs = now();
  const writtenAt = new Date(writtenAtMs).toISOString();
  const key = canaryKey(CANARY_PREFIX, config.probeName, writtenAtMs, id);
  const body = JSON.stringify({ id, writtenAt, probe: config.probeName });

  let sourcePutMs: number | undefined;
  let sourceHeadMs: number | undefined;
  let sourceError: string | undefined;
  let written = false;
  try {
    const t0 = now();
    await source.send(
      new PutObjectCommand({ Bucket: config.source.bucket, Key: key, Body: body, ContentType: 'application/json' }),
      budget(),
    );
    sourcePutMs = now() - t0;
    written = true;
    const t1 = now();
    await source.send(new HeadObjectCommand({ Bucket: config.source.bucket, Key: key }), budget());
    sourceHeadMs = now() - t1;
  } catch (err) {
    sourceError = describeError(err);
  }
  const sourceAvailable = sourceError === undefined;

  let replicated = false;
  let lagSeconds: number | undefined;
  let replicaPolls = 0;
  let replicaError: string | undefined;
  if (written) {
    const deadline = writtenAtMs + config.lagDeadlineSeconds * 1000;
    for (;;) {
      replicaPolls++;
      try {
        await replica.send(new HeadObjectCommand({ Bucket: config.replica.bucket, Key: key }));
        replicated = true;
        lagSeconds = (now() - writtenAtMs) / 1000;
        break;
      } catch (err) {
        if (httpStatusOf(err) !== 404) replicaError = describeError(err);
      }
      const t = now();
      if (t >= deadline) break;
      await sleep(Math.min(interval(t - writtenAtMs), deadline - t));
    }
  }

  const cleanup = sourceAvailable
    ? await cleanUp(source, config, budget)
    : { deleted: 0, kept: 0, error: 'skipped: source unavailable' };
  return {
    probeName: config.probeName,
    canaryKey: key,
    canaryId: id,
    writtenAt,
    sourceAvailable,
    sourcePutMs,
    sourceHeadMs,
    sourceError,
    replicated,
    lagSeconds,
    notReplicated: written && !replicated,
    replicaPolls,
    replicaError,
    cleanup,
  };
}

/** Deletes all but the newest `keep` canaries of this probe, by version id, only under its prefix. */
async function cleanUp(
  s3: S3Client,
  config: ProbeConfig,
  budget: () => { abortSignal: AbortSignal },
): Promise<{ deleted: number; kept: number; error?: string }> {
  const prefix = `${CANARY_PREFIX}${config.probeName}/`;
  try {
    const versions: { key: string; versionId?: string }[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectVersionsCommand({
          Bucket: config.source.bucket,
          Prefix: prefix,
          KeyMarker: keyMarker,
          VersionIdMarker: versionMarker,
        }),
        budget(),
      );
      for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
        if (v.Key) versions.push({ key: v.Key, versionId: v.VersionId });
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
    const doomed = canariesToDelete(versions, prefix, config.keep);
    const kept = new Set(versions.map((v) => v.key)).size - new Set(doomed.map((v) => v.key)).size;
    let deleted = 0;
    const errors: string[] = [];
    for (let i = 0; i < doomed.length; i += 1000) {
      const batch = doomed.slice(i, i + 1000);
      const out = await s3.send(
        new DeleteObjectsCommand({
          Bucket: config.source.bucket,
          Delete: { Quiet: true, Objects: batch.map((v) => ({ Key: v.key, VersionId: v.versionId })) },
        }),
        budget(),
      );
      deleted += batch.length - (out.Errors?.length ?? 0);
      for (const e of out.Errors ?? []) errors.push(`${e.Key}: ${e.Code}`);
    }
    return { deleted, kept, ...(errors.length ? { error: errors.slice(0, 3).join('; ') } : {}) };
  } catch (err) {
    return { deleted: 0, kept: 0, error: describeError(err) };
  }
}

/** The probe's EMF metrics, dimension Probe. */
export function probeMetrics(result: ProbeResult): Metrics {
  const m = new Metrics({ [METRICS.dimension]: result.probeName }, METRICS.namespace);
  m.add(METRICS.sourceAvailable, result.sourceAvailable ? 1 : 0);
  if (result.sourcePutMs !== undefined) m.add(METRICS.sourceLatencyMs, result.sourcePutMs, 'Milliseconds');
  if (result.lagSeconds !== undefined) m.add(METRICS.replicationLagSeconds, result.lagSeconds, 'Seconds');
  if (result.sourcePutMs !== undefined) m.add(METRICS.canaryNotReplicated, result.notReplicated ? 1 : 0);
  return m;
}
