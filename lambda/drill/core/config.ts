import { UsageError } from '../../shared/errors';
import {
  assertDrillOptions,
  DEFAULT_CONCURRENCY,
  DEFAULT_SAMPLE_SIZE,
  DrillLocation,
  DrillOptions,
  MAX_CONCURRENCY,
  MAX_SAMPLE_SIZE,
  sameBucket,
} from './options';
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
  restoreTo: 'RESTORE_BUCKET',
  sampleSize: 'SAMPLE_SIZE',
  sampleMode: 'SAMPLE_MODE',
  concurrency: 'CONCURRENCY',
  maxAttempts: 'MAX_ATTEMPTS',
  asOf: 'asOf',
  serverSideCopy: 'SERVER_SIDE_COPY',
};

type Env = Record<string, string | undefined>;

function location(env: Env, side: string, problems: string[], required: boolean): DrillLocation | undefined {
  const bucket = env[`${side}_BUCKET`]?.trim();
  const region = env[`${side}_REGION`]?.trim() || env.AWS_REGION;
  if (!bucket) {
    if (required) problems.push(`${side}_BUCKET is not set: set it to the ${side.toLowerCase()} bucket's name`);
    return undefined;
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    problems.push(
      `${side}_BUCKET "${bucket}" is not a valid bucket name: use 3-63 lower-case letters, digits, dots and hyphens`,
    );
  }
  if (!region) {
    problems.push(`${side}_REGION is not set (nor AWS_REGION): set it to the ${side.toLowerCase()} bucket's region`);
  }
  const endpoint = env[`${side}_ENDPOINT`]?.trim() || undefined;
  if (endpoint && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) {
    problems.push(`${side}_ENDPOINT "${endpoint}" is not an http(s) endpoint: write http://host:port`);
  }
  const prefix = env[`${side}_PREFIX`] ?? '';
  if (prefix.startsWith('/')) {
    problems.push(`${side}_PREFIX "${prefix}" starts with "/": write it without the leading slash`);
  }
  return { bucket, prefix, region: region ?? '', endpoint };
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

/** Reads and validates the environment; one UsageError lists every problem found. */
export function parseDrillEnv(env: Env): DrillConfig {
  const problems: string[] = [];
  const replica = location(env, 'REPLICA', problems, true);
  const source = location(env, 'SOURCE', problems, true);
  const restoreTo = location(env, 'RESTORE', problems, true);
  const reports = location(env, 'REPORTS', problems, true);
  const sampleSize = env.SAMPLE_SIZE
    ? collect(problems, () => parseWholeNumber('SAMPLE_SIZE', env.SAMPLE_SIZE!, 1, MAX_SAMPLE_SIZE))
    : DEFAULT_SAMPLE_SIZE;
  const sampleMode = env.SAMPLE_MODE
    ? collect(problems, () => parseSampleMode('SAMPLE_MODE', env.SAMPLE_MODE!))
    : 'random';
  const concurrency = env.CONCURRENCY
    ? collect(problems, () => parseWholeNumber('CONCURRENCY', env.CONCURRENCY!, 1, MAX_CONCURRENCY))
    : DEFAULT_CONCURRENCY;
  const maxAttempts = env.MAX_ATTEMPTS
    ? collect(problems, () => parseWholeNumber('MAX_ATTEMPTS', env.MAX_ATTEMPTS!, 1, 100))
    : undefined;
  const copy = env.SERVER_SIDE_COPY?.trim();
  if (copy !== undefined && copy !== '' && copy !== 'true' && copy !== 'false') {
    problems.push(`SERVER_SIDE_COPY "${copy}" must be true or false`);
  }
  const name = env.DRILL_NAME?.trim() || 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name)) {
    problems.push(`DRILL_NAME "${name}" must be 1-128 letters, digits, dots, hyphens or underscores`);
  }
  if (reports && source && sameBucket(reports, source)) {
    problems.push(
      `REPORTS_BUCKET "${reports.bucket}" is the source bucket: reports never go to source data, give another bucket`,
    );
  }
  if (reports && replica && sameBucket(reports, replica)) {
    problems.push(
      `REPORTS_BUCKET "${reports.bucket}" is the replica bucket: reports never go to replica data, give another bucket`,
    );
  }
  if (problems.length > 0 || !replica || !source || !restoreTo || !reports) {
    throw new UsageError('bad drill configuration:' + problems.map((p) => `\n  - ${p}`).join(''));
  }
  const options: DrillOptions = {
    source,
    replica,
    restoreTo,
    sampleSize: sampleSize!,
    sampleMode: sampleMode!,
    concurrency: concurrency!,
    maxAttempts,
    allowUnverifiable: env.ALLOW_UNVERIFIABLE === 'true',
    serverSideCopy: copy === 'true',
    name,
  };
  assertDrillOptions(options, ENV_NAMES);
  return { options, reports, name };
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
        `event field prefix "${e.prefix}" is outside REPLICA_PREFIX "${base.replica.prefix}": give a prefix that starts with "${base.replica.prefix}"`,
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
