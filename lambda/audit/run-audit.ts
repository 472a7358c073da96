import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { accessErrorFrom, describeError, IncompleteError, serviceFailure, UsageError } from '../shared/errors';
import { S3Access } from '../shared/s3-access';
import { RequestStats } from '../shared/s3-options';
import { formatS3Uri, S3Location } from '../shared/s3-uri';
import {
  AuditCheckpoint,
  AuditInterruptedError,
  auditListings,
  AuditMode,
  AuditSummary,
  checkpointProblem,
  currentKeys,
  DEFAULT_LAG_WINDOW_SECONDS,
  Enrichment,
  EngineOptions,
  groupVersions,
  KeyRange,
  resumeAfter,
} from './core';
import { headInfo, latestVersion, listSide, SideError } from './lister';
import { RecordSink } from './sink';

export interface AuditOptions {
  readonly source: S3Location;
  readonly replica: S3Location;
  /** @default 'current' */
  readonly mode?: AuditMode;
  /** @default 900 */
  readonly lagWindowSeconds?: number;
  /** @default false */
  readonly deleteMarkerReplication?: boolean;
  /** @default true */
  readonly versionIdsPreserved?: boolean;
  /** HeadObject both sides of equal-size objects whose ETags differ. @default true */
  readonly headCheck?: boolean;
  /** @default - the whole prefix */
  readonly range?: KeyRange;
  /** Resume from this checkpoint (of the same audit and range). */
  readonly checkpoint?: AuditCheckpoint;
  /** Keys per list request. @default 1000 */
  readonly pageSize?: number;
  /** Stop at a key boundary once this many milliseconds have passed: status 'partial'. */
  readonly timeBudgetMs?: number;
  /** Reference time for ages (epoch ms). @default - now, or the checkpoint's start */
  readonly now?: number;
  /** Page boundaries of a previous run, per side: list ranges in parallel (current mode). */
  readonly hints?: { readonly source?: readonly string[]; readonly replica?: readonly string[] };
}

export interface AuditDeps {
  /** Each side's client, or its access described by options (the SDK is then loaded only if needed). */
  readonly sourceClient: S3Client | S3Access;
  readonly replicaClient: S3Client | S3Access;
  /** The RequestStats the clients were built with, for requests and retries in the summary. */
  readonly stats?: RequestStats;
  readonly sink: RecordSink;
  readonly clock?: () => number;
  /** Called after each key with the running summary. */
  readonly onProgress?: (summary: AuditSummary) => void;
  /** Receives the last key of every page listed, per side: hints for the next run. */
  readonly onPageEnd?: (side: 'source' | 'replica', lastKey: string) => void;
}

export interface AuditRunResult {
  readonly status: 'complete' | 'partial';
  readonly summary: AuditSummary;
  /** Present when partial: call again with it. */
  readonly checkpoint?: AuditCheckpoint;
}

/** Identifies what is audited and how, so a checkpoint cannot resume a different audit. */
export function auditFingerprint(o: AuditOptions): string {
  const id = JSON.stringify([
    formatS3Uri(o.source),
    formatS3Uri(o.replica),
    o.mode ?? 'current',
    o.lagWindowSeconds ?? DEFAULT_LAG_WINDOW_SECONDS,
    o.deleteMarkerReplication ?? false,
    o.versionIdsPreserved ?? true,
    o.headCheck ?? true,
  ]);
  return createHash('sha256').update(id).digest('hex').slice(0, 16);
}

/** The engine options for an audit (also used to validate checkpoints at the edge). */
export function engineOptions(o: AuditOptions, now: number): EngineOptions {
  return {
    mode: o.mode ?? 'current',
    range: o.range ?? {},
    fingerprint: auditFingerprint(o),
    lagWindowSeconds: o.lagWindowSeconds ?? DEFAULT_LAG_WINDOW_SECONDS,
    deleteMarkerReplication: o.deleteMarkerReplication ?? false,
    versionIdsPreserved: o.versionIdsPreserved ?? true,
    headCheck: o.headCheck ?? true,
    now,
  };
}

/**
 * Audits the replica against the source: lists both sides concurrently (one request per page
 * per side), classifies every key and streams records to the sink. Read-only on both buckets.
 * Returns 'partial' with a checkpoint when the time budget runs out; throws IncompleteError
 * (carrying the last checkpoint) when a side cannot be reached after retries.
 */
export async function runAudit(options: AuditOptions, deps: AuditDeps): Promise<AuditRunResult> {
  const clock = deps.clock ?? Date.now;
  const started = clock();
  const cp = options.checkpoint;
  const now = cp ? Date.parse(cp.summarySoFar.startedAt) : (options.now ?? started);
  const opts = engineOptions(options, now);
  if (cp) {
    const problem = checkpointProblem(cp, opts);
    if (problem) throw new UsageError(problem);
  }
  const mode = opts.mode;
  const after = resumeAfter(opts.range, cp);
  const side = (name: 'source' | 'replica', loc: S3Location, client: S3Client | S3Access) => {
    const versions = listSide({
      side: name,
      client,
      bucket: loc.bucket,
      prefix: loc.prefix,
      mode,
      startAfter: after,
      endAt: opts.range.endAt,
      pageSize: options.pageSize,
      hints: options.hints?.[name],
      onPageEnd: deps.onPageEnd ? (k) => deps.onPageEnd!(name, k) : undefined,
    });
    return mode === 'current' ? currentKeys(versions, name) : groupVersions(versions, name);
  };
  const stats = deps.stats;
  const req0 = stats?.requests ?? 0;
  const ret0 = stats?.retries ?? 0;
  const budget = options.timeBudgetMs;

  const enrich = async (
    pair: { key: string; source?: { latest: { versionId?: string } }; replica?: { latest: { versionId?: string } } },
    need: { heads: boolean; sourceLookup: boolean },
  ): Promise<Enrichment> => {
    if (need.sourceLookup) {
      const v = await latestVersion(
        'source',
        deps.sourceClient,
        options.source.bucket,
        options.source.prefix,
        pair.key,
      );
      return { sourceLookedUp: true, sourceLookup: v };
    }
    const [sourceHead, replicaHead] = await Promise.all([
      headInfo(
        'source',
        deps.sourceClient,
        options.source.bucket,
        options.source.prefix + pair.key,
        pair.source?.latest.versionId,
      ),
      headInfo(
        'replica',
        deps.replicaClient,
        options.replica.bucket,
        options.replica.prefix + pair.key,
        pair.replica?.latest.versionId,
      ),
    ]);
    return { sourceHead, replicaHead };
  };

  try {
    const result = await auditListings(
      opts,
      {
        source: side('source', options.source, deps.sourceClient),
        replica: side('replica', options.replica, deps.replicaClient),
        enrich,
        sink: (r) => deps.sink.write(r),
        shouldStop: budget === undefined ? undefined : () => clock() - started >= budget,
        partStats: () => ({
          requests: (stats?.requests ?? 0) - req0,
          retries: (stats?.retries ?? 0) - ret0,
          durationMs: clock() - started,
        }),
        onKey: deps.onProgress,
      },
      cp,
    );
    const checkpoint = withSinkPosition(result.checkpoint, deps.sink);
    return result.status === 'complete'
      ? { status: 'complete', summary: result.summary }
      : { status: 'partial', summary: result.summary, checkpoint };
  } catch (err) {
    if (!(err instanceof AuditInterruptedError)) throw err;
    const checkpoint = withSinkPosition(err.checkpoint, deps.sink);
    const cause = err.cause;
    if (cause instanceof SideError) {
      const inner = cause.cause;
      const failure = serviceFailure(inner);
      if (failure?.kind === 'access') {
        // Permissions and configuration do not heal by waiting: no checkpoint, a message naming the fix.
        throw accessErrorFrom(failure, `the ${cause.side} bucket "${cause.bucket}" could not be read`);
      }
      throw new IncompleteError(
        `the ${cause.side} bucket "${cause.bucket}" could not be read after ${checkpoint.summarySoFar.keys} keys: ${describeError(inner)}`,
        `once the ${cause.side} endpoint answers again, resume from the checkpoint`,
        checkpoint,
        { cause: inner },
      );
    }
    throw new IncompleteError(
      `the audit stopped after ${checkpoint.summarySoFar.keys} keys: ${describeError(cause)}`,
      'fix the cause, then resume from the checkpoint',
      checkpoint,
      { cause },
    );
  }
}

function withSinkPosition(cp: AuditCheckpoint, sink: RecordSink): AuditCheckpoint {
  return { ...cp, extra: { ...cp.extra, sinkPosition: sink.position() } };
}
