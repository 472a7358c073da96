import { UsageError } from '../../shared/errors';
import { ENV, fromEnv, sideEnv } from '../contract';
import { assertDrillOptions, DrillLocation, DrillOptions, MAX_SAMPLE_SIZE, sameBucket } from './options';
import { parseIsoTime, parseSampleMode, parseWholeNumber } from './parse';

/** The event a scheduled or manual invocation may send: overrides of the configured drill. */
export interface DrillEvent {
  readonly sampleSize?: number;
  readonly sampleMode?: string;
  /** A narrower key prefix to drill; must lie inside REPLICA_PREFIX. */
  readonly prefix?: string;
  /** ISO 8601 time: restore the prefix as it was then. */
  readonly asOf?: string;
}

/** The Lambda's configuration, from its environment. */
export interface DrillConfig {
  readonly options: DrillOptions;
  /** Where the JSON reports go, as `<prefix><name>/<drillId>.json`. */
  readonly reports: DrillLocation;
  readonly name: string;
}

/** Option names as the Lambda's environment and event spell them, for error messages. */
export const ENV_NAMES = {
  source: sideEnv('source', 'bucket'),
  replica: sideEnv('replica', 'bucket'),
  restoreTo: sideEnv('restore', 'bucket'),
  sampleSize: ENV.sampleSize,
  sampleMode: ENV.sampleMode,
  concurrency: ENV.concurrency,
  maxAttempts: ENV.maxAttempts,
  asOf: 'asOf',
  copyMode: ENV.copyMode,
};

type Env = Record<string, string | undefined>;

/**
 * Reads and validates the environment (the drill contract's `fromEnv`), then the rules across
 * fields; one UsageError lists every problem found.
 */
export function parseDrillEnv(env: Env): DrillConfig {
  const c = fromEnv(env);
  const problems: string[] = [];
  const reportsBucket = sideEnv('reports', 'bucket');
  if (sameBucket(c.reports, c.source)) {
    problems.push(
      `${reportsBucket} "${c.reports.bucket}" is the source bucket: reports never go to source data, give another bucket`,
    );
  }
  if (sameBucket(c.reports, c.replica)) {
    problems.push(
      `${reportsBucket} "${c.reports.bucket}" is the replica bucket: reports never go to replica data, give another bucket`,
    );
  }
  if (problems.length > 0)
    throw new UsageError('bad drill configuration:' + problems.map((p) => `\n  - ${p}`).join(''));
  const options: DrillOptions = {
    source: c.source,
    replica: c.replica,
    restoreTo: c.restore,
    sampleSize: c.sampleSize,
    sampleMode: c.sampleMode,
    concurrency: c.concurrency,
    maxAttempts: c.maxAttempts,
    allowUnverifiable: c.allowUnverifiable,
    copyMode: c.copyMode,
    name: c.name,
  };
  assertDrillOptions(options, ENV_NAMES);
  return { options, reports: c.reports, name: c.name };
}

function collect<T>(problems: string[], f: () => T): T | undefined {
  try {
    return f();
  } catch (err) {
    if (err instanceof UsageError) {
      problems.push(err.message);
      return undefined;
    }
    throw err;
  }
}

/** Applies an invocation's overrides; one UsageError names every bad field. */
export function applyDrillEvent(base: DrillOptions, event: unknown): DrillOptions {
  if (event === undefined || event === null) return base;
  if (typeof event !== 'object' || Array.isArray(event)) {
    throw new UsageError(`the drill event must be a JSON object like {"sampleSize": 50}, not ${JSON.stringify(event)}`);
  }
  const e = event as Record<string, unknown>;
  const problems: string[] = [];
  const known = new Set(['sampleSize', 'sampleMode', 'prefix', 'asOf']);
  for (const k of Object.keys(e)) {
    // Scheduler and console test events carry their own fields; only near-misses are errors.
    if (!known.has(k) && [...known].some((n) => n.toLowerCase() === k.toLowerCase())) {
      problems.push(
        `event field "${k}" is misspelled: write ${[...known].find((n) => n.toLowerCase() === k.toLowerCase())}`,
      );
    }
  }
  let o: DrillOptions = base;
  if (e.sampleSize !== undefined) {
    const v = e.sampleSize;
    const n =
      typeof v === 'number' || typeof v === 'string'
        ? collect(problems, () => parseWholeNumber('event field sampleSize', v, 1, MAX_SAMPLE_SIZE))
        : (problems.push(
            `event field sampleSize ${JSON.stringify(v)} must be a whole number from 1 to ${MAX_SAMPLE_SIZE}`,
          ),
          undefined);
    if (n !== undefined) o = { ...o, sampleSize: n };
  }
  if (e.sampleMode !== undefined) {
    const m = collect(problems, () => parseSampleMode('event field sampleMode', String(e.sampleMode)));
    if (m) o = { ...o, sampleMode: m };
  }
  if (e.prefix !== undefined) {
    if (typeof e.prefix !== 'string') {
      problems.push(`event field prefix ${JSON.stringify(e.prefix)} must be a string`);
    } else if (!e.prefix.startsWith(base.replica.prefix)) {
      problems.push(
        `event field prefix "${e.prefix}" is outside ${sideEnv('replica', 'prefix')} "${base.replica.prefix}": give a prefix that starts with "${base.replica.prefix}"`,
      );
    } else {
      const rel = e.prefix.slice(base.replica.prefix.length);
      o = {
        ...o,
        replica: { ...o.replica, prefix: e.prefix },
        source: { ...o.source, prefix: o.source.prefix + rel },
      };
    }
  }
  if (e.asOf !== undefined) {
    const d =
      typeof e.asOf === 'string'
        ? collect(problems, () => parseIsoTime('event field asOf', e.asOf as string))
        : (problems.push(
            `event field asOf ${JSON.stringify(e.asOf)} must be an ISO 8601 time like 2026-11-20T12:00:00Z`,
          ),
          undefined);
    if (d) o = { ...o, asOf: d };
  }
  if (problems.length === 1) throw new UsageError(problems[0]);
  if (problems.length > 1) throw new UsageError('bad drill event:' + problems.map((p) => `\n  - ${p}`).join(''));
  return o;
}
