import { UsageError } from '../../shared/errors';
import { wholeNumberProblem } from '../../shared/rules';
import { CopyMode, COPY_MODES, DEFAULTS, DrillLocation, LIMITS } from '../contract';
import { drillIdProblem, drillRoot } from './key-mapping';
import { SAMPLE_MODES, SampleMode } from './sampling';

export type { CopyMode, DrillLocation };

export interface DrillOptions {
  /** The source: read only, to verify restored bytes against the same object version. */
  readonly source: DrillLocation;
  /** The replica: read only; the drill restores from here. Its prefix is the drilled scope. */
  readonly replica: DrillLocation;
  /** Where scratch copies go: under `<prefix>/<drillId>/`, removed at the end. @default prefix DRILL_PREFIX */
  readonly restoreTo: DrillLocation;
  /** Objects to restore. @default 100 */
  readonly sampleSize: number;
  /** @default 'random' */
  readonly sampleMode: SampleMode;
  /** Seed of the random sample. @default - a fresh seed, recorded in the report */
  readonly seed?: string;
  /** Restore the prefix as it was at this time (point-in-time mode). @default - the current versions */
  readonly asOf?: Date;
  /** Parallel restores and verifications. @default 8 */
  readonly concurrency: number;
  /** Let objects that cannot be verified pass the drill. @default false */
  readonly allowUnverifiable?: boolean;
  /**
   * How objects are copied into the target: `auto` copies server-side (CopyObject) when replica
   * and target share an endpoint and streams otherwise; `server-side` and `stream` force a way.
   * @default 'auto'
   */
  readonly copyMode?: CopyMode;
  /** Attempts per S3 operation, first included. @default 10 */
  readonly maxAttempts?: number;
  /** A name for the drill, recorded in the report and used as the metric dimension. */
  readonly name?: string;
  /** A fixed drill id (tests). @default - generated from the start time */
  readonly drillId?: string;
}

export const DEFAULT_SAMPLE_SIZE = DEFAULTS.sampleSize;
export const DEFAULT_CONCURRENCY = DEFAULTS.concurrency;
export const MAX_SAMPLE_SIZE = LIMITS.sampleSize.max;
export const MAX_CONCURRENCY = LIMITS.concurrency.max;

/**
 * A comparable identity of an endpoint: every AWS endpoint (none given, or *.amazonaws.com)
 * shares one global bucket namespace; a custom endpoint is its origin.
 */
export function endpointIdentity(endpoint: string | undefined): string {
  if (!endpoint) return 'aws';
  try {
    const u = new URL(endpoint);
    if (u.hostname.toLowerCase().endsWith('.amazonaws.com')) return 'aws';
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    return `${u.protocol}//${u.hostname.toLowerCase()}:${port}`;
  } catch {
    return endpoint.toLowerCase().replace(/\/+$/, '');
  }
}

/** True when two locations name the same bucket on the same endpoint. */
export function sameBucket(a: DrillLocation, b: DrillLocation): boolean {
  return a.bucket === b.bucket && endpointIdentity(a.endpoint) === endpointIdentity(b.endpoint);
}

/** The AWS partition of a region (its bucket namespace: S3 copies across regions, never across partitions). */
export function partitionOf(region: string): string {
  const r = region.toLowerCase();
  if (r.startsWith('cn-')) return 'aws-cn';
  if (r.startsWith('us-gov-')) return 'aws-us-gov';
  if (r.startsWith('us-isob-')) return 'aws-iso-b';
  if (r.startsWith('us-isof-')) return 'aws-iso-f';
  if (r.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (r.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/**
 * Where a CopyObject can read from: an AWS partition (every region of it; no endpoint, or an
 * amazonaws.com one), or one custom endpoint (its origin). A restore target can copy from the
 * replica server-side only when both are in one such place.
 */
export function copyPlace(loc: DrillLocation): string {
  const id = endpointIdentity(loc.endpoint);
  if (id !== 'aws' && !/\.amazonaws\.com\.cn(:\d+)?$/.test(id)) return id;
  return `AWS partition ${partitionOf(loc.region)}`;
}

/** What a drill copies with, and why (recorded in the plan and the report). */
export interface CopyChoice {
  readonly mode: 'server-side' | 'stream';
  readonly reason: string;
}

/**
 * The copy a drill makes: server-side (CopyObject: the target reads the replica directly, no
 * bytes pass through the drill) whenever replica and target are in one place, streamed (GET +
 * PUT) only where they are not or when asked. An explicit `server-side` across places is refused
 * by `drillOptionProblems`; here it is reported as asked.
 */
export function chooseCopy(o: Pick<DrillOptions, 'replica' | 'restoreTo' | 'copyMode'>): CopyChoice {
  const mode = o.copyMode ?? DEFAULTS.copyMode;
  const replica = copyPlace(o.replica);
  const target = copyPlace(o.restoreTo);
  if (mode === 'stream') {
    return { mode, reason: 'copy mode stream: each object is read from the replica and written to the target' };
  }
  if (replica === target) {
    return {
      mode: 'server-side',
      reason:
        mode === 'server-side'
          ? `copy mode server-side: replica and target are both in ${replica}`
          : `replica and target are both in ${replica}: the target copies from the replica directly`,
    };
  }
  if (mode === 'server-side') return { mode, reason: 'copy mode server-side' };
  return {
    mode: 'stream',
    reason: `the replica is in ${replica} and the target in ${target}: a server-side copy cannot read across them`,
  };
}

function endpointText(loc: DrillLocation): string {
  return loc.endpoint ? ` at ${loc.endpoint}` : '';
}

/**
 * Every problem with a set of drill options, as messages that name the option, the value and
 * the fix; empty when the options are good. `names` maps option names to how the caller
 * spells them (CLI flags, environment variables).
 */
export function drillOptionProblems(o: DrillOptions, names: Partial<Record<string, string>> = {}): string[] {
  const n = (k: string) => names[k] ?? k;
  const problems: string[] = [];
  if (sameBucket(o.source, o.replica) && o.source.region === o.replica.region) {
    problems.push(
      `${n('source')} and ${n('replica')} name the same bucket "${o.source.bucket}"${endpointText(o.source)} in ${o.source.region}: a drill verifies the replica against the source, give the replica bucket (or its region or endpoint)`,
    );
  }
  if (sameBucket(o.restoreTo, o.source)) {
    problems.push(
      `${n('restoreTo')} bucket "${o.restoreTo.bucket}"${endpointText(o.restoreTo)} is the source bucket: a drill never writes to the source, give a scratch bucket`,
    );
  }
  if (sameBucket(o.restoreTo, o.replica)) {
    problems.push(
      `${n('restoreTo')} bucket "${o.restoreTo.bucket}"${endpointText(o.restoreTo)} is the replica bucket: a drill never writes to the replica, give a scratch bucket`,
    );
  }
  if (!Number.isInteger(o.sampleSize) || o.sampleSize < 1 || o.sampleSize > MAX_SAMPLE_SIZE) {
    problems.push(`${n('sampleSize')} ${o.sampleSize} must be a whole number from 1 to ${MAX_SAMPLE_SIZE}`);
  }
  if (!SAMPLE_MODES.includes(o.sampleMode)) {
    problems.push(`${n('sampleMode')} "${o.sampleMode}" is not a sample mode: use one of ${SAMPLE_MODES.join(', ')}`);
  }
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1 || o.concurrency > MAX_CONCURRENCY) {
    problems.push(`${n('concurrency')} ${o.concurrency} must be a whole number from 1 to ${MAX_CONCURRENCY}`);
  }
  const attempts = LIMITS.maxAttempts;
  if (o.maxAttempts !== undefined && wholeNumberProblem(o.maxAttempts, attempts.min, attempts.max) !== undefined) {
    problems.push(
      `${n('maxAttempts')} ${o.maxAttempts} must be a whole number from ${attempts.min} to ${attempts.max}`,
    );
  }
  if (o.asOf !== undefined && Number.isNaN(o.asOf.getTime())) {
    problems.push(`${n('asOf')} is not a valid time: write 2026-11-20T12:00:00Z`);
  }
  if (o.copyMode !== undefined && !COPY_MODES.includes(o.copyMode)) {
    problems.push(`${n('copyMode')} "${o.copyMode}" is not a copy mode: use one of ${COPY_MODES.join(', ')}`);
  } else if (o.copyMode === 'server-side' && copyPlace(o.replica) !== copyPlace(o.restoreTo)) {
    problems.push(
      `${n('copyMode')} server-side needs the replica and the restore target on one endpoint (one AWS partition), but the replica is in ${copyPlace(o.replica)} and the target in ${copyPlace(o.restoreTo)}: use auto (the default), which streams where a server-side copy cannot read the replica, or stream`,
    );
  }
  if (o.drillId !== undefined) {
    const p = drillIdProblem(o.drillId);
    if (p) problems.push(p);
  }
  return problems;
}

/** Throws one UsageError listing every problem. */
export function assertDrillOptions(o: DrillOptions, names?: Partial<Record<string, string>>): void {
  const problems = drillOptionProblems(o, names);
  if (problems.length === 1) throw new UsageError(problems[0]);
  if (problems.length > 1) throw new UsageError('bad drill options:' + problems.map((p) => `\n  - ${p}`).join(''));
}

/** What a drill will read and where it will write, before it starts (printed and reported). */
export interface DrillPlan {
  readonly drillId: string;
  readonly name?: string;
  readonly reads: { readonly replica: string; readonly source: string; readonly listing: 'current' | 'versions' };
  readonly writes: { readonly target: string; readonly onlyUnder: string };
  readonly sample: { readonly mode: SampleMode; readonly size: number; readonly seed: string; readonly asOf?: string };
  readonly copy: CopyChoice['mode'];
  /** Why the drill copies that way. */
  readonly copyReason: string;
  readonly concurrency: number;
  readonly allowUnverifiable: boolean;
}

function uri(loc: DrillLocation, prefix = loc.prefix): string {
  return `s3://${loc.bucket}/${prefix}${endpointText(loc)} (${loc.region})`;
}

export function planDrill(o: DrillOptions, drillId: string, seed: string): DrillPlan {
  const root = drillRoot(o.restoreTo.prefix, drillId);
  const copy = chooseCopy(o);
  return {
    drillId,
    name: o.name,
    reads: {
      replica: uri(o.replica),
      source: uri(o.source),
      listing: o.asOf ? 'versions' : 'current',
    },
    writes: { target: uri(o.restoreTo, root), onlyUnder: root },
    sample: { mode: o.sampleMode, size: o.sampleSize, seed, asOf: o.asOf?.toISOString() },
    copy: copy.mode,
    copyReason: copy.reason,
    concurrency: o.concurrency,
    allowUnverifiable: o.allowUnverifiable ?? false,
  };
}

/** The plan as a few human lines. */
export function describePlan(p: DrillPlan): string[] {
  return [
    `drill ${p.drillId}${p.name ? ` (${p.name})` : ''}: ${p.sample.mode} sample of ${p.sample.size}${p.sample.mode === 'random' ? ` (seed ${p.sample.seed})` : ''}${p.sample.asOf ? ` as of ${p.sample.asOf}` : ''}`,
    `reads  ${p.reads.replica} (${p.reads.listing === 'versions' ? 'all versions' : 'current objects'}) and verifies against ${p.reads.source}`,
    `writes ${p.writes.target} only, and removes what it wrote`,
    `copies ${p.copy === 'server-side' ? 'server-side (CopyObject)' : 'streamed (GET + PUT)'}: ${p.copyReason}`,
  ];
}
