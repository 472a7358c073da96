/**
 * The contract between the ReplicationProbe construct and the probe handler: the configuration,
 * its defaults and limits, the environment variables that carry it (`toEnv` at synth time,
 * `fromEnv` in the handler) and the metrics the probe publishes (which the failover controller
 * reads back). Pure: no AWS SDK, no aws-cdk-lib.
 */
import { Env, EnvEncoding, EnvReader, PLAIN_ENCODING } from '../shared/env';
import { METRIC_NAMESPACE } from '../shared/metrics';
import { Limits } from '../shared/rules';

export interface ProbeSide {
  readonly bucket: string;
  readonly region: string;
  /** A custom endpoint (an S3-compatible server). @default - the AWS regional endpoint */
  readonly endpoint?: string;
}

export interface ProbeConfig {
  readonly source: ProbeSide;
  readonly replica: ProbeSide;
  /** The probe's name: the `Probe` metric dimension and the canary sub-prefix. */
  readonly probeName: string;
  /** Stop polling the replica after this many seconds: CanaryNotReplicated = 1. */
  readonly lagDeadlineSeconds: number;
  /** Canaries kept in the source (older ones are deleted by version id). */
  readonly keep: number;
  /** Time budget of each source request (a dead region must not hang the probe). */
  readonly sourceTimeoutSeconds: number;
}

export const DEFAULTS = {
  keep: 5,
  sourceTimeoutSeconds: 10,
  /** Seconds between probes. */
  intervalSeconds: 300,
  /** Canaries slower than this count as late. */
  lagThresholdSeconds: 900,
  /** The unavailable alarm fires when the source failed `unavailableProbes` of `unavailableWindow` probes. */
  unavailableProbes: 3,
  unavailableWindow: 5,
};

export const LIMITS = {
  /** A Lambda runs for at most 15 minutes; the deadline must leave room for the cleanup. */
  lagDeadlineSeconds: { min: 1, max: 840 } as Limits,
  keep: { min: 1, max: 1000 } as Limits,
  sourceTimeoutSeconds: { min: 1, max: 120 } as Limits,
  unavailableProbes: { min: 1, max: 100 } as Limits,
};

/** A probe name: a metric dimension value and a key prefix segment. */
export const PROBE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
export const PROBE_NAME_FIX = 'use 1-64 letters, digits, dots, underscores and hyphens';

export const ENV = {
  sourceBucket: 'SOURCE_BUCKET',
  sourceRegion: 'SOURCE_REGION',
  sourceEndpoint: 'SOURCE_ENDPOINT',
  replicaBucket: 'REPLICA_BUCKET',
  replicaRegion: 'REPLICA_REGION',
  replicaEndpoint: 'REPLICA_ENDPOINT',
  probeName: 'PROBE_NAME',
  lagDeadlineSeconds: 'LAG_DEADLINE_SECONDS',
  keep: 'CANARY_KEEP',
  sourceTimeoutSeconds: 'SOURCE_TIMEOUT_SECONDS',
} as const;

/** Published per probe, in namespace METRICS.namespace with dimension `Probe` = the probe name. */
export const METRICS = {
  namespace: METRIC_NAMESPACE,
  dimension: 'Probe',
  sourceAvailable: 'SourceAvailable',
  sourceLatencyMs: 'SourceLatencyMs',
  replicationLagSeconds: 'ReplicationLagSeconds',
  canaryNotReplicated: 'CanaryNotReplicated',
} as const;

export function toEnv(c: ProbeConfig, encoding: EnvEncoding = PLAIN_ENCODING): Record<string, string> {
  return {
    [ENV.sourceBucket]: c.source.bucket,
    [ENV.sourceRegion]: c.source.region,
    ...(c.source.endpoint ? { [ENV.sourceEndpoint]: c.source.endpoint } : {}),
    [ENV.replicaBucket]: c.replica.bucket,
    [ENV.replicaRegion]: c.replica.region,
    ...(c.replica.endpoint ? { [ENV.replicaEndpoint]: c.replica.endpoint } : {}),
    [ENV.probeName]: c.probeName,
    [ENV.lagDeadlineSeconds]: encoding.number(c.lagDeadlineSeconds),
    ...(c.keep !== DEFAULTS.keep ? { [ENV.keep]: encoding.number(c.keep) } : {}),
    ...(c.sourceTimeoutSeconds !== DEFAULTS.sourceTimeoutSeconds
      ? { [ENV.sourceTimeoutSeconds]: encoding.number(c.sourceTimeoutSeconds) }
      : {}),
  };
}

/** The configuration from the environment; one UsageError names every bad variable, its value and the fix. */
export function fromEnv(env: Env): ProbeConfig {
  const r = new EnvReader(env, 'probe');
  const side = (b: string, reg: string, e: string, whose: string): ProbeSide => {
    const bucket = r.bucket(b, whose);
    const endpoint = r.endpoint(e);
    const region = r.region(reg, whose, undefined, endpoint);
    return endpoint ? { bucket, region, endpoint } : { bucket, region };
  };
  const config: ProbeConfig = {
    source: side(ENV.sourceBucket, ENV.sourceRegion, ENV.sourceEndpoint, 'source'),
    replica: side(ENV.replicaBucket, ENV.replicaRegion, ENV.replicaEndpoint, 'replica'),
    probeName: r.name(ENV.probeName, PROBE_NAME, PROBE_NAME_FIX),
    lagDeadlineSeconds: r.wholeNumber(ENV.lagDeadlineSeconds, LIMITS.lagDeadlineSeconds, undefined, 'seconds'),
    keep: r.wholeNumber(ENV.keep, LIMITS.keep, DEFAULTS.keep),
    sourceTimeoutSeconds: r.wholeNumber(
      ENV.sourceTimeoutSeconds,
      LIMITS.sourceTimeoutSeconds,
      DEFAULTS.sourceTimeoutSeconds,
      'seconds',
    ),
  };
  r.done();
  return config;
}
