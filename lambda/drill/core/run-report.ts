import { DrillPlan, DrillOptions } from './options';
import { DrillObjectResult, DrillReport, WrittenObject } from './report';
import { targetKey } from './key-mapping';
import { ResolvedVersion } from './point-in-time';
import { Sampleable } from './sampling';

/**
 * The pure parts of a drill run: the report it starts from, the sample as report entries, the
 * figures computed from phase timings, the cleanup sweep and the verdict. No AWS SDK in here.
 */

/** An object the plan phase listed (and may sample). */
export interface Candidate extends Sampleable {
  readonly versionId?: string;
  /** The listed ETag, quotes included as S3 returns it. */
  readonly etag?: string;
  readonly since?: ResolvedVersion['since'];
}

/** The report a run starts from: nothing listed, restored or verified yet. */
export function newDrillReport(
  options: DrillOptions,
  ids: { drillId: string; seed: string; plan: DrillPlan; startedAt: string },
): DrillReport {
  return {
    drillId: ids.drillId,
    name: options.name,
    passed: false,
    startedAt: ids.startedAt,
    finishedAt: '',
    plan: ids.plan,
    sourceAvailable: true,
    notes: [],
    sample: {
      mode: options.sampleMode,
      requested: options.sampleSize,
      selected: 0,
      seed: ids.seed,
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
}

/** The sampled objects as report entries, each with its key under the drill's scratch root. */
export function sampledObjects(sample: readonly Candidate[], root: string): DrillObjectResult[] {
  return sample.map((c) => ({
    key: c.key,
    versionId: c.versionId,
    size: c.size,
    lastModified: c.lastModified.toISOString(),
    since: c.since,
    targetKey: targetKey(root, c.key),
    restored: false,
    verified: false,
  }));
}

/** Milliseconds as seconds with three decimals. */
export function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/** Objects and bytes per second of the restore, bytes per second of the verification. */
export function drillThroughput(
  restored: { objects: number; bytes: number },
  verifiedBytes: number,
  restoreMs: number,
  verifyMs: number,
): DrillReport['throughput'] {
  return {
    restoreObjectsPerSecond: restoreMs > 0 ? restored.objects / (restoreMs / 1000) : 0,
    restoreBytesPerSecond: restoreMs > 0 ? restored.bytes / (restoreMs / 1000) : 0,
    verifyBytesPerSecond: verifyMs > 0 ? verifiedBytes / (verifyMs / 1000) : 0,
  };
}

/** Splits the objects to delete into DeleteObjects requests of at most `size`. */
export function deleteBatches(objects: readonly WrittenObject[], size: number): WrittenObject[][] {
  const batches: WrittenObject[][] = [];
  for (let i = 0; i < objects.length; i += size) batches.push(objects.slice(i, i + size));
  return batches;
}

/**
 * What the cleanup sweep deletes: every version listed under the drill's root (by key alone on an
 * unversioned target), and how many of them the recorded writes did not name.
 */
export function sweepTargets(
  listed: readonly { key: string; versionId: string }[],
  root: string,
  targetVersioned: boolean,
  written: readonly WrittenObject[],
): { leftover: WrittenObject[]; swept: number } {
  const leftover: WrittenObject[] = [];
  for (const e of listed) {
    if (!e.key.startsWith(root)) continue;
    leftover.push({ key: e.key, versionId: targetVersioned ? e.versionId : undefined });
  }
  const recorded = new Set(written.map((w) => `${w.key}\u0000${w.versionId ?? ''}`));
  const swept = leftover.filter((w) => !recorded.has(`${w.key}\u0000${w.versionId ?? ''}`)).length;
  return { leftover, swept };
}

/**
 * The verdict: passed when something was restored, every object was restored and verified (or
 * unverifiable and allowed to be) and the cleanup completed; the note to add, if any.
 */
export function drillVerdict(
  report: Pick<DrillReport, 'objects' | 'cleanup' | 'verified'>,
  allowUnverifiable: boolean | undefined,
): { passed: boolean; note?: string } {
  const unverifiableOk = (o: DrillObjectResult) => allowUnverifiable === true && o.verifiedAgainst === 'unverifiable';
  const passed =
    report.objects.length > 0 &&
    report.objects.every((o) => o.restored && (o.verified || unverifiableOk(o))) &&
    report.cleanup.complete;
  const unverifiable = report.verified.against.unverifiable;
  return allowUnverifiable && unverifiable > 0
    ? { passed, note: `${unverifiable} object(s) were unverifiable and allowed to pass` }
    : { passed };
}

/** Failures in key order (the order the report lists them in). */
export function sortFailures<T extends { key: string }>(failures: T[]): T[] {
  return failures.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
