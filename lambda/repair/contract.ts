/**
 * The contract between the ReplicationRepair construct and the repair handler: the pair and the
 * direction the construct deploys the function for (`toEnv` at synth time, `fromEnv` in the
 * handler), and the metrics the handler publishes. A function deployed by the construct repairs
 * its own pair in its own direction only; the event then carries only what changes per run.
 * Pure: no AWS SDK, no aws-cdk-lib.
 */
import { Env, EnvEncoding, EnvReader, PLAIN_ENCODING } from '../shared/env';
import { METRIC_NAMESPACE } from '../shared/metrics';
import { DEFAULTS as AUDIT_DEFAULTS, LIMITS as AUDIT_LIMITS } from '../audit/contract';
import type { RepairTarget } from './core/plan';

export interface RepairConfigSide {
  readonly bucket: string;
  readonly region: string;
  /** @default '' */
  readonly prefix: string;
  /** A custom endpoint (an S3-compatible server). @default - the AWS regional endpoint */
  readonly endpoint?: string;
}

/** What a deployed repair function is for. */
export interface RepairConfig {
  readonly source: RepairConfigSide;
  readonly replica: RepairConfigSide;
  /** The side the function writes to: the only one its role may write. */
  readonly to: RepairTarget;
  /** Whether an event may ask for `delete: true` (the role may delete on the written side). */
  readonly allowDelete: boolean;
  /** Default of the event's `lagWindowSeconds`. */
  readonly lagWindowSeconds: number;
  /** The audit mode of every run: the role may list versions only when it is `versions`. */
  readonly mode: 'current' | 'versions';
}

export const REPAIR_TARGETS: readonly RepairTarget[] = ['replica', 'source'];
export const REPAIR_MODES: readonly RepairConfig['mode'][] = ['current', 'versions'];

export const DEFAULTS = {
  to: 'replica' as RepairTarget,
  allowDelete: false,
  lagWindowSeconds: AUDIT_DEFAULTS.lagWindowSeconds,
  mode: 'current' as RepairConfig['mode'],
};

export const LIMITS = {
  /** As the audit's: a longer window hides real replication faults. */
  lagWindowSeconds: AUDIT_LIMITS.lagWindowSeconds,
};

export const ENV = {
  sourceBucket: 'SOURCE_BUCKET',
  sourceRegion: 'SOURCE_REGION',
  sourcePrefix: 'SOURCE_PREFIX',
  sourceEndpoint: 'SOURCE_ENDPOINT',
  replicaBucket: 'REPLICA_BUCKET',
  replicaRegion: 'REPLICA_REGION',
  replicaPrefix: 'REPLICA_PREFIX',
  replicaEndpoint: 'REPLICA_ENDPOINT',
  to: 'REPAIR_TO',
  allowDelete: 'REPAIR_ALLOW_DELETE',
  lagWindowSeconds: 'LAG_WINDOW_SECONDS',
  mode: 'AUDIT_MODE',
} as const;

/** Published per run, in namespace METRICS.namespace with dimensions `Repair` and `To`. */
export const METRICS = {
  namespace: METRIC_NAMESPACE,
  dimension: 'Repair',
  toDimension: 'To',
  writes: 'RepairWrites',
  remaining: 'RepairRemaining',
} as const;

export function toEnv(c: RepairConfig, encoding: EnvEncoding = PLAIN_ENCODING): Record<string, string> {
  const side = (s: RepairConfigSide, b: string, r: string, p: string, e: string) => ({
    [b]: s.bucket,
    [r]: s.region,
    ...(s.prefix ? { [p]: s.prefix } : {}),
    ...(s.endpoint ? { [e]: s.endpoint } : {}),
  });
  return {
    ...side(c.source, ENV.sourceBucket, ENV.sourceRegion, ENV.sourcePrefix, ENV.sourceEndpoint),
    ...side(c.replica, ENV.replicaBucket, ENV.replicaRegion, ENV.replicaPrefix, ENV.replicaEndpoint),
    [ENV.to]: c.to,
    [ENV.allowDelete]: String(c.allowDelete),
    [ENV.lagWindowSeconds]: encoding.number(c.lagWindowSeconds),
    [ENV.mode]: c.mode,
  };
}

/** Whether the environment holds a deployed function's configuration (the construct sets the source bucket). */
export function isConfigured(env: Env): boolean {
  return (env[ENV.sourceBucket] ?? '').trim() !== '';
}

/** The configuration from the environment; one UsageError names every bad variable, its value and the fix. */
export function fromEnv(env: Env): RepairConfig {
  const r = new EnvReader(env, 'repair');
  const side = (b: string, reg: string, p: string, e: string, whose: string): RepairConfigSide => {
    const bucket = r.bucket(b, whose);
    const endpoint = r.endpoint(e);
    const region = r.region(reg, whose, undefined, endpoint);
    const prefix = r.prefix(p);
    return endpoint ? { bucket, region, prefix, endpoint } : { bucket, region, prefix };
  };
  const config: RepairConfig = {
    source: side(ENV.sourceBucket, ENV.sourceRegion, ENV.sourcePrefix, ENV.sourceEndpoint, 'source'),
    replica: side(ENV.replicaBucket, ENV.replicaRegion, ENV.replicaPrefix, ENV.replicaEndpoint, 'replica'),
    to: r.oneOf(ENV.to, REPAIR_TARGETS, DEFAULTS.to),
    allowDelete: r.boolean(ENV.allowDelete, DEFAULTS.allowDelete),
    lagWindowSeconds: r.wholeNumber(
      ENV.lagWindowSeconds,
      LIMITS.lagWindowSeconds,
      DEFAULTS.lagWindowSeconds,
      'seconds',
    ),
    mode: r.oneOf(ENV.mode, REPAIR_MODES, DEFAULTS.mode),
  };
  r.done();
  return config;
}
