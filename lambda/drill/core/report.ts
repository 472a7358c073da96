import { DrillPlan } from './options';
import { PointInTimeStats } from './point-in-time';
import { RtoEstimate } from './rto';
import { SampleMode } from './sampling';
import { VerifiedAgainst } from './verification';

/** One sampled object: where it came from, where it went, what it was verified against. */
export interface DrillObjectResult {
  /** The replica key. */
  readonly key: string;
  /** The replica version restored (the same id as the source version under S3 replication). */
  versionId?: string;
  size: number;
  lastModified?: string;
  /** Point-in-time mode: what happened to the key after T. */
  since?: 'unchanged' | 'overwritten' | 'deleted';
  readonly targetKey: string;
  targetVersionId?: string;
  restored: boolean;
  verified: boolean;
  verifiedAgainst?: VerifiedAgainst;
  /** SHA-256 (hex) of the restored object as read back from the target. */
  sha256?: string;
  /** What the restored object was compared with (hex sha-256 or md5, or a base64 checksum). */
  expected?: string;
  /** Which source version was used, when not the one with the same version id. */
  note?: string;
  /** Why it failed, lower case. */
  reason?: string;
}

export interface DrillFailure {
  readonly key: string;
  readonly versionId?: string;
  readonly phase: 'restore' | 'verify';
  readonly reason: string;
}

export interface WrittenObject {
  readonly key: string;
  /** Absent on unversioned targets (deleted by key). */
  readonly versionId?: string;
}

export interface DrillReport {
  readonly drillId: string;
  readonly name?: string;
  passed: boolean;
  readonly startedAt: string;
  finishedAt: string;
  /** When the sample was in the target (the restore phase ended): what a plain copy would take. */
  restoredAt?: string;
  readonly plan: DrillPlan;
  /** False when the source could not be read: objects were verified against what the replica recorded. */
  sourceAvailable: boolean;
  /** Top-level notes, lower case (the source was unavailable, nothing to restore, ...). */
  readonly notes: string[];
  sample: {
    readonly mode: SampleMode;
    readonly requested: number;
    selected: number;
    readonly seed: string;
    readonly asOf?: string;
    /** Everything under the drilled prefix (current objects, or versions at T). */
    listedObjects: number;
    listedBytes: number;
    pointInTime?: PointInTimeStats;
  };
  durations: {
    listSeconds: number;
    restoreSeconds: number;
    verifySeconds: number;
    cleanupSeconds: number;
    totalSeconds: number;
  };
  restored: { objects: number; bytes: number };
  verified: { objects: number; bytes: number; against: Record<VerifiedAgainst, number> };
  throughput: { restoreObjectsPerSecond: number; restoreBytesPerSecond: number; verifyBytesPerSecond: number };
  failures: DrillFailure[];
  rto?: RtoEstimate;
  cleanup: {
    /** Objects the drill recorded writing. */
    written: number;
    /** Versions deleted, the recorded ones and any found by the final sweep of the drill's prefix. */
    deleted: number;
    /** Versions found under the drill's prefix that were not recorded (a write whose reply was lost). */
    swept: number;
    complete: boolean;
    /** What could not be removed; delete these by version id. */
    leftovers: WrittenObject[];
    error?: string;
  };
  requests: { total: number; retries: number; byOperation: Record<string, number> };
  objects: DrillObjectResult[];
}

function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

function fmtSeconds(s: number): string {
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** A short human summary (a few lines) of a drill report. */
export function summarizeDrill(r: DrillReport): string[] {
  const lines: string[] = [];
  lines.push(
    `drill ${r.drillId}: ${r.passed ? 'PASSED' : 'FAILED'}: restored ${r.restored.objects}/${r.sample.selected} objects (${fmtBytes(r.restored.bytes)}), verified ${r.verified.objects}`,
  );
  const against = Object.entries(r.verified.against)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  if (against) lines.push(`verified against: ${against}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  for (const f of r.failures.slice(0, 10))
    lines.push(`failed ${f.phase} ${f.key}${f.versionId ? ` (${f.versionId})` : ''}: ${f.reason}`);
  if (r.failures.length > 10) lines.push(`... and ${r.failures.length - 10} more failures (see the report)`);
  lines.push(`copy: ${r.plan.copy} (${r.plan.copyReason})`);
  lines.push(
    `times: list ${fmtSeconds(r.durations.listSeconds)}, restore ${fmtSeconds(r.durations.restoreSeconds)}, verify ${fmtSeconds(r.durations.verifySeconds)}, cleanup ${fmtSeconds(r.durations.cleanupSeconds)}`,
  );
  if (r.rto) {
    lines.push(
      `rto estimate: ${fmtSeconds(r.rto.seconds)} for ${r.rto.totalObjects} objects (${fmtBytes(r.rto.totalBytes)}) at ${r.rto.objectsPerSecond.toFixed(1)} obj/s, ${fmtBytes(r.rto.bytesPerSecond)}/s, concurrency ${r.rto.concurrency} (bound by ${r.rto.boundBy})`,
    );
  }
  if (!r.cleanup.complete) {
    lines.push(
      `cleanup incomplete: ${r.cleanup.leftovers.length} scratch object version(s) left under ${r.plan.writes.target}`,
    );
  }
  return lines;
}
