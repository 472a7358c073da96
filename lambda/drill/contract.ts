/**
 * The contract between the RestoreDrill construct and the drill handler: the configuration, its
 * defaults and limits, the environment variables that carry it (`toEnv` at synth time, `fromEnv`
 * in the handler) and the metrics the drill publishes. Pure: no AWS SDK, no aws-cdk-lib.
 * Cross-field rules (the restore target is neither source nor replica, a server-side copy needs
 * one endpoint, which copy mode `auto` picks) are the drill options' own (core/options.ts), applied after `fromEnv`.
 */
import { Env, EnvEncoding, EnvReader, PLAIN_ENCODING } from '../shared/env';
import { METRIC_NAMESPACE } from '../shared/metrics';
import { DRILL_PREFIX } from '../shared/reserved';
import { Limits } from '../shared/rules';

export type SampleMode = 'random' | 'newest' | 'prefix';
export const SAMPLE_MODES: readonly SampleMode[] = ['random', 'newest', 'prefix'];

/**
 * How a drill copies objects into the restore target: `auto` copies server-side (CopyObject,
 * the target reads the replica directly) where replica and target share an endpoint, and streams
 * (GET from the replica, PUT to the target) where they do not; the other two force one way.
 */
export type CopyMode = 'auto' | 'server-side' | 'stream';
export const COPY_MODES: readonly CopyMode[] = ['auto', 'server-side', 'stream'];

/** One side of a drill: a bucket and prefix, where it lives. */
export interface DrillLocation {
  readonly bucket: string;
  /** Key prefix; '' for the whole bucket. */
  readonly prefix: string;
  readonly region: string;
  /** A custom endpoint (an S3-compatible server). @default - the AWS regional endpoint */
  readonly endpoint?: string;
}

/** What the construct configures; the handler turns it into drill options. */
export interface DrillEnvConfig {
  /** Name in reports and the `Drill` metric dimension. */
  readonly name: string;
  readonly source: DrillLocation;
  /** The replica; its prefix is the drilled scope. */
  readonly replica: DrillLocation;
  /** Where restored objects are written (under its prefix only). */
  readonly restore: DrillLocation;
  /** Where reports go, as `<prefix><name>/<drillId>.json`. */
  readonly reports: DrillLocation;
  readonly sampleSize: number;
  readonly sampleMode: SampleMode;
  readonly concurrency: number;
  readonly copyMode: CopyMode;
  /** Attempts per S3 operation, first included. @default - the client's default */
  readonly maxAttempts?: number;
  /** Let objects that cannot be verified pass the drill. */
  readonly allowUnverifiable: boolean;
}

export const DEFAULTS = {
  name: 'default',
  sampleSize: 100,
  sampleMode: 'random' as SampleMode,
  /**
   * Requests in flight at once in each phase. A server-side copy moves no bytes through the
   * drill, so its pace is the server's: 32 keeps a server busier than 10 does (bench/RESULTS.md,
   * the drill at 10 and at 32 at once), stays under the SDK's 50 sockets per host, and far under
   * S3's 3,500 writes per second per prefix or a shared KMS quota.
   */
  concurrency: 32,
  copyMode: 'auto' as CopyMode,
  allowUnverifiable: false,
  /** Where the construct's drills write restored objects. */
  restorePrefix: DRILL_PREFIX,
  /** Where the construct's drills write their reports in the reports bucket. */
  reportsPrefix: 'drills/',
};

export const LIMITS = {
  sampleSize: { min: 1, max: 100_000 } as Limits,
  concurrency: { min: 1, max: 256 } as Limits,
  maxAttempts: { min: 1, max: 100 } as Limits,
};

/** A drill name: a metric dimension value and a folder of report keys. */
export const DRILL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const DRILL_NAME_FIX =
  'use 1-128 letters, digits, dots, hyphens or underscores, starting with a letter or digit';

/** The nearest drill name to any text (what the construct does to a bucket name or a given name). */
export function drillName(text: string): string {
  const near = text
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[._-]+/, '')
    .slice(0, 128);
  return near === '' ? DEFAULTS.name : near;
}

export const ENV = {
  name: 'DRILL_NAME',
  sampleSize: 'SAMPLE_SIZE',
  sampleMode: 'SAMPLE_MODE',
  concurrency: 'CONCURRENCY',
  copyMode: 'COPY_MODE',
  maxAttempts: 'MAX_ATTEMPTS',
  allowUnverifiable: 'ALLOW_UNVERIFIABLE',
  /** Each location is `<SIDE>_BUCKET`, `<SIDE>_PREFIX`, `<SIDE>_REGION`, `<SIDE>_ENDPOINT`. */
  sides: { source: 'SOURCE', replica: 'REPLICA', restore: 'RESTORE', reports: 'REPORTS' },
} as const;

type Side = keyof typeof ENV.sides;
const SIDES: readonly Side[] = ['source', 'replica', 'restore', 'reports'];

/** The variable of one field of one location, for example `RESTORE_BUCKET`. */
export function sideEnv(side: Side, field: 'bucket' | 'prefix' | 'region' | 'endpoint'): string {
  return `${ENV.sides[side]}_${field.toUpperCase()}`;
}

/** Published per drill, in namespace METRICS.namespace with dimension `Drill` = the drill name. */
export const METRICS = {
  namespace: METRIC_NAMESPACE,
  dimension: 'Drill',
  drillPassed: 'DrillPassed',
  objectsRestored: 'ObjectsRestored',
  bytesRestored: 'BytesRestored',
  verificationFailures: 'VerificationFailures',
  restoreThroughputBytesPerSecond: 'RestoreThroughputBytesPerSecond',
  drillDurationSeconds: 'DrillDurationSeconds',
  rtoEstimateSeconds: 'RtoEstimateSeconds',
} as const;

export function toEnv(c: DrillEnvConfig, encoding: EnvEncoding = PLAIN_ENCODING): Record<string, string> {
  const env: Record<string, string> = { [ENV.name]: c.name };
  for (const side of SIDES) {
    const loc = c[side];
    env[sideEnv(side, 'bucket')] = loc.bucket;
    env[sideEnv(side, 'region')] = loc.region;
    env[sideEnv(side, 'prefix')] = loc.prefix;
    if (loc.endpoint) env[sideEnv(side, 'endpoint')] = loc.endpoint;
  }
  env[ENV.sampleSize] = encoding.number(c.sampleSize);
  env[ENV.sampleMode] = c.sampleMode;
  env[ENV.concurrency] = encoding.number(c.concurrency);
  env[ENV.copyMode] = c.copyMode;
  if (c.maxAttempts !== undefined) env[ENV.maxAttempts] = encoding.number(c.maxAttempts);
  if (c.allowUnverifiable) env[ENV.allowUnverifiable] = 'true';
  return env;
}

/** The configuration from the environment; one UsageError names every bad variable, its value and the fix. */
export function fromEnv(env: Env): DrillEnvConfig {
  const r = new EnvReader(env, 'drill');
  const location = (side: Side): DrillLocation => {
    const whose = side === 'restore' ? 'restore target' : side;
    const bucket = r.bucket(sideEnv(side, 'bucket'), whose);
    const prefix = r.prefix(sideEnv(side, 'prefix'));
    const endpoint = r.endpoint(sideEnv(side, 'endpoint'));
    const region = r.region(sideEnv(side, 'region'), whose, env.AWS_REGION, endpoint);
    return endpoint ? { bucket, prefix, region, endpoint } : { bucket, prefix, region };
  };
  const maxAttempts =
    r.raw(ENV.maxAttempts) === undefined ? undefined : r.wholeNumber(ENV.maxAttempts, LIMITS.maxAttempts, 1);
  const config: DrillEnvConfig = {
    name: r.name(ENV.name, DRILL_NAME, DRILL_NAME_FIX, DEFAULTS.name),
    source: location('source'),
    replica: location('replica'),
    restore: location('restore'),
    reports: location('reports'),
    sampleSize: r.wholeNumber(ENV.sampleSize, LIMITS.sampleSize, DEFAULTS.sampleSize),
    sampleMode: r.oneOf(ENV.sampleMode, SAMPLE_MODES, DEFAULTS.sampleMode),
    concurrency: r.wholeNumber(ENV.concurrency, LIMITS.concurrency, DEFAULTS.concurrency),
    copyMode: r.oneOf(ENV.copyMode, COPY_MODES, DEFAULTS.copyMode),
    ...(maxAttempts !== undefined ? { maxAttempts } : {}),
    allowUnverifiable: r.boolean(ENV.allowUnverifiable, DEFAULTS.allowUnverifiable),
  };
  r.done();
  return config;
}
