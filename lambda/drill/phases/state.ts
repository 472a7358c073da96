import { GetBucketVersioningCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { AccessError, describeError, errorNameOf, IncompleteError } from '../../shared/errors';
import { RawS3 } from '../../shared/raw-s3';
import { createS3Client, RequestStats, S3ClientOptions } from '../../shared/s3-client';
import { drillRoot, newDrillId } from '../core/key-mapping';
import { DrillLocation, DrillOptions, planDrill } from '../core/options';
import { DrillReport, WrittenObject } from '../core/report';
import { newDrillReport } from '../core/run-report';
import { newSeed } from '../core/sampling';

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

/**
 * The state of one drill run, passed explicitly from phase to phase: the options, the clients of
 * the three sides, the report being filled in, and what the run wrote to the restore target (so
 * the cleanup phase can remove it whatever happened before).
 */
export interface DrillRun {
  readonly options: DrillOptions;
  readonly report: DrillReport;
  /** The drill's own prefix in the restore target: every scratch write goes under it. */
  readonly root: string;
  readonly replica: S3Client;
  readonly source: S3Client;
  readonly target: S3Client;
  /**
   * Copies go out as raw signed requests (about a third of the SDK's CPU per request) when the
   * target client is one of ours; another client (a test's, say) is used as it is.
   */
  readonly rawTarget?: RawS3;
  readonly stats: RequestStats;
  readonly progress: (p: DrillProgress) => void;
  /**
   * The source availability probe, started with the run and awaited before verification (the
   * first phase that reads the source), so its round trip overlaps the listing and the restore.
   * Never rejects: an unavailable source is a note in the report.
   */
  readonly sourceChecked: Promise<void>;
  /** Whether the restore target keeps versions (writes are then deleted by version id). */
  readonly targetVersioned: boolean;
  /** Scratch writes whose version is known (or that are deleted by key). */
  readonly written: WrittenObject[];
  /** Target keys written whose version id the reply did not name: learned from a listing. */
  readonly pending: Set<string>;
  /** performance.now() when the run started. */
  readonly startedMs: number;
  readonly wall: () => number;
}

/** The failure as the service worded it (never lower-cased: error codes keep their case). */
export const short = describeError;

/**
 * Opens a run: builds the clients and the empty report, then checks the restore target exists
 * (learning whether it keeps versions) before anything is read, and starts asking whether the
 * source answers (`sourceChecked`).
 * Throws AccessError for a missing target, IncompleteError for one that cannot be read.
 */
export async function openRun(options: DrillOptions, deps: DrillDeps, startedMs: number): Promise<DrillRun> {
  const wall = deps.now ?? Date.now;
  const stats = deps.stats ?? new RequestStats();
  const build = deps.clientFor ?? createS3Client;
  const clientOf = (loc: DrillLocation, maxAttempts = options.maxAttempts) =>
    build({ region: loc.region, endpoint: loc.endpoint, maxAttempts, stats });
  const replica = clientOf(options.replica);
  const source = clientOf(options.source);
  const target = clientOf(options.restoreTo);

  const drillId = options.drillId ?? newDrillId(new Date(wall()));
  const seed = options.seed ?? newSeed(() => randomBytes(4).readUInt32BE() / 0x100000000);
  const report = newDrillReport(options, {
    drillId,
    seed,
    plan: planDrill(options, drillId, seed),
    startedAt: new Date(wall()).toISOString(),
  });
  let targetVersioned: boolean;
  try {
    targetVersioned = await targetKeepsVersions(target, options.restoreTo);
  } catch (err) {
    replica.destroy();
    source.destroy();
    target.destroy();
    throw err;
  }
  const sourceChecked = probeSource(
    clientOf(options.source, 1),
    options.source,
    report,
    deps.sourceProbeTimeoutMs ?? 10_000,
  );
  return {
    options,
    report,
    root: drillRoot(options.restoreTo.prefix, drillId),
    replica,
    source,
    target,
    rawTarget: RawS3.for(target),
    stats,
    progress: deps.onProgress ?? (() => undefined),
    sourceChecked,
    targetVersioned,
    written: [],
    pending: new Set(),
    startedMs,
    wall,
  };
}

/** Releases the clients of a run. */
export function closeRun(run: DrillRun): void {
  run.replica.destroy();
  run.source.destroy();
  run.target.destroy();
}

/** Preflight: the target must exist; its versioning decides how scratch writes are deleted. */
async function targetKeepsVersions(target: S3Client, loc: DrillLocation): Promise<boolean> {
  try {
    const v = await target.send(new GetBucketVersioningCommand({ Bucket: loc.bucket }));
    return v.Status === 'Enabled' || v.Status === 'Suspended';
  } catch (err) {
    if (errorNameOf(err) === 'NoSuchBucket') {
      throw new AccessError(
        `restore target bucket "${loc.bucket}" does not exist${loc.endpoint ? ` at ${loc.endpoint}` : ''}`,
        'create a scratch bucket for drills, or give an existing one (check --restore-region and --restore-endpoint)',
        { cause: err },
      );
    }
    throw new IncompleteError(
      `the restore target s3://${loc.bucket} could not be read: ${short(err)}`,
      'check the restore target endpoint, region and permissions (s3:GetBucketVersioning), then run the drill again',
      undefined,
      { cause: err },
    );
  }
}

/** Is the source there to verify against? A short probe, so a region outage costs seconds. */
async function probeSource(probe: S3Client, loc: DrillLocation, report: DrillReport, timeoutMs: number): Promise<void> {
  try {
    await probe.send(new HeadBucketCommand({ Bucket: loc.bucket }), { abortSignal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    report.sourceAvailable = false;
    report.notes.push(
      `the source s3://${loc.bucket}${loc.endpoint ? ` at ${loc.endpoint}` : ''} was unavailable (${short(err)}): objects were verified against what the replica recorded (stored checksum or plain-md5 etag), or marked unverifiable`,
    );
  } finally {
    probe.destroy();
  }
}

/**
 * Verification found the source unreachable midway: later objects are verified against what the
 * replica recorded. Noted once.
 */
export function sourceWentDown(run: DrillRun, err: unknown): void {
  if (!run.report.sourceAvailable) return;
  run.report.sourceAvailable = false;
  run.report.notes.push(
    `the source became unavailable during verification (${short(err)}): later objects were verified against what the replica recorded, or marked unverifiable`,
  );
}
