/** The replication probe's configuration from its environment. Pure: no AWS SDK. */
import { UsageError } from '../shared/errors';

export interface ProbeSide {
  readonly bucket: string;
  readonly region: string;
  readonly endpoint?: string;
}

export interface ProbeConfig {
  readonly source: ProbeSide;
  readonly replica: ProbeSide;
  /** The probe's name: the `Probe` metric dimension and the canary sub-prefix. */
  readonly probeName: string;
  /** Stop polling the replica after this many seconds: CanaryNotReplicated = 1. */
  readonly lagDeadlineSeconds: number;
  /** Canaries kept in the source (older ones are deleted by version id). @default 5 */
  readonly keep: number;
  /** Time budget of each source request (a dead region must not hang the probe). @default 10 */
  readonly sourceTimeoutSeconds: number;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Reads SOURCE_BUCKET, SOURCE_REGION, REPLICA_BUCKET, REPLICA_REGION, PROBE_NAME, LAG_DEADLINE_SECONDS (and optional *_ENDPOINT, CANARY_KEEP, SOURCE_TIMEOUT_SECONDS). */
export function parseProbeEnv(env: Record<string, string | undefined>): ProbeConfig {
  const errors: string[] = [];
  const req = (name: string, pattern: RegExp, fix: string): string => {
    const v = env[name];
    if (v === undefined || v === '') errors.push(`${name} is required: ${fix}`);
    else if (!pattern.test(v)) errors.push(`${name} "${v}" is not valid: ${fix}`);
    return v ?? '';
  };
  const endpoint = (name: string): string | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    if (!/^https?:\/\/[^/]+/.test(v)) errors.push(`${name} "${v}" is not valid: write it as http(s)://host:port`);
    return v;
  };
  const num = (name: string, def: number | undefined, min: number, max: number): number => {
    const v = env[name];
    if (v === undefined || v === '') {
      if (def === undefined) errors.push(`${name} is required: a number of seconds from ${min} to ${max}`);
      return def ?? min;
    }
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) errors.push(`${name} "${v}" must be a number from ${min} to ${max}`);
    return n;
  };
  const bucketFix = 'bucket names are 3-63 lower-case letters, digits, dots and hyphens';
  const regionFix = 'use a region name such as eu-west-1';
  const source = {
    bucket: req('SOURCE_BUCKET', BUCKET, bucketFix),
    region: req('SOURCE_REGION', REGION, regionFix),
    endpoint: endpoint('SOURCE_ENDPOINT'),
  };
  const replica = {
    bucket: req('REPLICA_BUCKET', BUCKET, bucketFix),
    region: req('REPLICA_REGION', REGION, regionFix),
    endpoint: endpoint('REPLICA_ENDPOINT'),
  };
  const probeName = req('PROBE_NAME', NAME, 'use 1-64 letters, digits, dots, underscores and hyphens');
  // A Lambda runs for at most 15 minutes; the deadline must leave room for the cleanup.
  const lagDeadlineSeconds = num('LAG_DEADLINE_SECONDS', undefined, 1, 840);
  const keep = num('CANARY_KEEP', 5, 1, 1000);
  const sourceTimeoutSeconds = num('SOURCE_TIMEOUT_SECONDS', 10, 1, 120);
  if (errors.length) throw new UsageError(`invalid probe configuration:\n  - ${errors.join('\n  - ')}`);
  return {
    source: strip(source),
    replica: strip(replica),
    probeName,
    lagDeadlineSeconds,
    keep: Math.floor(keep),
    sourceTimeoutSeconds,
  };
}

function strip(s: { bucket: string; region: string; endpoint?: string }): ProbeSide {
  return s.endpoint ? s : { bucket: s.bucket, region: s.region };
}

/** Canary keys sort by write time: `<CANARY_PREFIX><probe>/<ISO time>-<id>.json`. */
export function canaryKey(prefix: string, probeName: string, writtenAt: number, id: string): string {
  return `${prefix}${probeName}/${new Date(writtenAt).toISOString()}-${id}.json`;
}

/**
 * Which canary versions to delete: every version of every key but the newest `keep` keys,
 * and only keys under `prefix` (anything else is never touched).
 */
export function canariesToDelete(
  versions: readonly { key: string; versionId?: string }[],
  prefix: string,
  keep: number,
): { key: string; versionId?: string }[] {
  const mine = versions.filter((v) => v.key.startsWith(prefix));
  const keys = [...new Set(mine.map((v) => v.key))].sort();
  const kept = new Set(keys.slice(Math.max(0, keys.length - keep)));
  return mine.filter((v) => !kept.has(v.key));
}
