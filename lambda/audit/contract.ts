/**
 * The contract between the ConsistencyAudit construct and the audit handler: the configuration,
 * its defaults and limits, the environment variables that carry it (`toEnv` at synth time,
 * `fromEnv` in the handler) and the metrics the handler publishes. Pure: no AWS SDK, no
 * aws-cdk-lib; both sides import it, so nothing here is spelled twice.
 */
import { Env, EnvEncoding, EnvReader, PLAIN_ENCODING } from '../shared/env';
import { METRIC_NAMESPACE } from '../shared/metrics';
import { Limits } from '../shared/rules';
import { formatS3Uri, parseS3Uri, S3Location } from '../shared/s3-uri';

export type AuditMode = 'current' | 'versions';
export const AUDIT_MODES: readonly AuditMode[] = ['current', 'versions'];

/** One audited side: a bucket, a key prefix ('' for the whole bucket), its region. */
export interface AuditSide {
  readonly bucket: string;
  readonly prefix: string;
  readonly region: string;
  /** A custom endpoint (an S3-compatible server). @default - the AWS regional endpoint */
  readonly endpoint?: string;
}

/** What the handler runs with. */
export interface AuditConfig {
  /** Name in reports and the `Audit` metric dimension. */
  readonly name: string;
  readonly source: AuditSide;
  readonly replica: AuditSide;
  readonly reportsBucket: string;
  readonly reportsPrefix: string;
  /** Region of the reports bucket: the Lambda's own region (the replica region), never the source's. */
  readonly reportsRegion: string;
  readonly reportsEndpoint?: string;
  readonly lagWindowSeconds: number;
  readonly mode: AuditMode;
  readonly deleteMarkerReplication: boolean;
  /**
   * Inventory mode: the folder of the source bucket's S3 Inventory configuration
   * (`<destination prefix>/<source bucket>/<configuration id>/`, in the source region, read with
   * the source's client). Given with `replicaInventory`. @default - a listing audit
   */
  readonly sourceInventory?: S3Location;
  /** Inventory mode: the folder of the replica bucket's inventory configuration (replica region). */
  readonly replicaInventory?: S3Location;
}

export const DEFAULTS = {
  lagWindowSeconds: 900,
  mode: 'current' as AuditMode,
  deleteMarkerReplication: false,
  /** Where the construct's audits write in the reports bucket. */
  reportsPrefix: 'audits/',
  /** Ranges audited at once by a distributed run. */
  maxConcurrency: 4,
  /** Alarm above this many discrepancies. */
  discrepancyThreshold: 0,
  /** Where the construct has S3 deliver the inventories, in each side's inventory bucket. */
  inventoryPrefix: 'inventory/',
  /** The inventory configuration id the construct gives both buckets. */
  inventoryId: 'cdk-s3-dr-audit',
  /** Name of the failed-replication Batch Operations manifest, in the run's report folder. */
  failedManifestName: 'failed-replications.csv',
};

/**
 * The S3 Inventory fields the construct asks for: those the inventory audit reads (Size,
 * LastModifiedDate, ETag are required; ReplicationStatus for the failed-objects manifest), and
 * those a reader of the report uses to explain a difference.
 */
export const INVENTORY_FIELDS = [
  'Size',
  'LastModifiedDate',
  'ETag',
  'StorageClass',
  'IsMultipartUploaded',
  'ReplicationStatus',
  'EncryptionStatus',
  'ChecksumAlgorithm',
] as const;

/** The folder S3 delivers a configuration's reports to: `<prefix><bucket>/<configuration id>/`. */
export function inventoryFolder(prefix: string, inventoriedBucket: string, configurationId: string): string {
  return `${prefix}${inventoriedBucket}/${configurationId}/`;
}

export const LIMITS = {
  /** Longer lag windows hide real replication faults: a week at most, everywhere (props, env, event, CLI). */
  lagWindowSeconds: { min: 0, max: 7 * 24 * 3600 } as Limits,
  maxConcurrency: { min: 1, max: 1000 } as Limits,
};

/** The environment variables, by configuration field. */
export const ENV = {
  name: 'AUDIT_NAME',
  sourceBucket: 'SOURCE_BUCKET',
  sourceRegion: 'SOURCE_REGION',
  sourcePrefix: 'SOURCE_PREFIX',
  sourceEndpoint: 'SOURCE_ENDPOINT',
  replicaBucket: 'REPLICA_BUCKET',
  replicaRegion: 'REPLICA_REGION',
  replicaPrefix: 'REPLICA_PREFIX',
  replicaEndpoint: 'REPLICA_ENDPOINT',
  reportsBucket: 'REPORTS_BUCKET',
  reportsRegion: 'REPORTS_REGION',
  reportsPrefix: 'REPORTS_PREFIX',
  reportsEndpoint: 'REPORTS_ENDPOINT',
  lagWindowSeconds: 'LAG_WINDOW_SECONDS',
  mode: 'MODE',
  deleteMarkerReplication: 'DELETE_MARKER_REPLICATION',
  sourceInventory: 'SOURCE_INVENTORY',
  replicaInventory: 'REPLICA_INVENTORY',
} as const;

/** The metrics of a complete run, in namespace METRICS.namespace with dimension `Audit` = the audit name. */
export const METRICS = {
  namespace: METRIC_NAMESPACE,
  dimension: 'Audit',
  missing: 'Missing',
  extra: 'Extra',
  sizeMismatch: 'SizeMismatch',
  contentMismatch: 'ContentMismatch',
  versionMismatch: 'VersionMismatch',
  deleteMarkerMismatch: 'DeleteMarkerMismatch',
  pending: 'Pending',
  discrepancies: 'Discrepancies',
  objectsAudited: 'ObjectsAudited',
  maxObservedLagSeconds: 'MaxObservedLagSeconds',
} as const;

/** The environment the construct sets. Endpoints are set only when given (tests, S3-compatible servers). */
export function toEnv(c: AuditConfig, encoding: EnvEncoding = PLAIN_ENCODING): Record<string, string> {
  return {
    [ENV.name]: c.name,
    [ENV.sourceBucket]: c.source.bucket,
    [ENV.sourceRegion]: c.source.region,
    [ENV.sourcePrefix]: c.source.prefix,
    ...(c.source.endpoint ? { [ENV.sourceEndpoint]: c.source.endpoint } : {}),
    [ENV.replicaBucket]: c.replica.bucket,
    [ENV.replicaRegion]: c.replica.region,
    [ENV.replicaPrefix]: c.replica.prefix,
    ...(c.replica.endpoint ? { [ENV.replicaEndpoint]: c.replica.endpoint } : {}),
    [ENV.reportsBucket]: c.reportsBucket,
    [ENV.reportsRegion]: c.reportsRegion,
    [ENV.reportsPrefix]: c.reportsPrefix,
    ...(c.reportsEndpoint ? { [ENV.reportsEndpoint]: c.reportsEndpoint } : {}),
    [ENV.lagWindowSeconds]: encoding.number(c.lagWindowSeconds),
    [ENV.mode]: c.mode,
    [ENV.deleteMarkerReplication]: String(c.deleteMarkerReplication),
    ...(c.sourceInventory ? { [ENV.sourceInventory]: formatS3Uri(c.sourceInventory) } : {}),
    ...(c.replicaInventory ? { [ENV.replicaInventory]: formatS3Uri(c.replicaInventory) } : {}),
  };
}

/**
 * The configuration from the environment. Regions fall back to AWS_REGION; the reports region
 * to AWS_REGION, then the replica's; the reports endpoint to the replica's. One UsageError names
 * every bad variable, its value and the fix.
 */
export function fromEnv(env: Env): AuditConfig {
  const r = new EnvReader(env, 'audit');
  const side = (s: 'source' | 'replica'): AuditSide => {
    const k =
      s === 'source'
        ? { b: ENV.sourceBucket, r: ENV.sourceRegion, p: ENV.sourcePrefix, e: ENV.sourceEndpoint }
        : { b: ENV.replicaBucket, r: ENV.replicaRegion, p: ENV.replicaPrefix, e: ENV.replicaEndpoint };
    const endpoint = r.endpoint(k.e);
    return {
      bucket: r.bucket(k.b, s),
      prefix: r.prefix(k.p),
      region: r.region(k.r, s, env.AWS_REGION, endpoint),
      ...(endpoint ? { endpoint } : {}),
    };
  };
  const source = side('source');
  const replica = side('replica');
  const reportsBucket = r.bucket(ENV.reportsBucket, 'reports');
  const reportsEndpoint = r.endpoint(ENV.reportsEndpoint) ?? replica.endpoint;
  const reportsRegion = r.raw(ENV.reportsRegion) ?? env.AWS_REGION ?? replica.region;
  const config: AuditConfig = {
    name: r.raw(ENV.name) ?? source.bucket,
    source,
    replica,
    reportsBucket,
    reportsPrefix: r.prefix(ENV.reportsPrefix),
    reportsRegion: r.region(ENV.reportsRegion, 'reports', reportsRegion, reportsEndpoint),
    ...(reportsEndpoint ? { reportsEndpoint } : {}),
    lagWindowSeconds: r.wholeNumber(
      ENV.lagWindowSeconds,
      LIMITS.lagWindowSeconds,
      DEFAULTS.lagWindowSeconds,
      'seconds',
    ),
    mode: r.oneOf(ENV.mode, AUDIT_MODES, DEFAULTS.mode),
    deleteMarkerReplication: r.boolean(ENV.deleteMarkerReplication, DEFAULTS.deleteMarkerReplication),
    ...inventories(r, env),
  };
  r.done();
  return config;
}

/** Both inventory folders, or neither: one alone is a problem naming the other. */
function inventories(r: EnvReader, env: Env): Pick<AuditConfig, 'sourceInventory' | 'replicaInventory'> {
  const uri = (name: string): S3Location | undefined => {
    const v = r.raw(name);
    if (v === undefined) return undefined;
    try {
      return parseS3Uri(v, name);
    } catch {
      r.problem(name, v, 'is not an S3 URI', "write s3://bucket/prefix/ (the inventory configuration's folder)");
      return undefined;
    }
  };
  const source = uri(ENV.sourceInventory);
  const replica = uri(ENV.replicaInventory);
  const given = (name: string) => (env[name] ?? '').trim() !== '';
  for (const [set, unset] of [
    [ENV.sourceInventory, ENV.replicaInventory],
    [ENV.replicaInventory, ENV.sourceInventory],
  ]) {
    if (given(set) && !given(unset)) {
      r.problem(unset, undefined, '', `set it with ${set}: an inventory audit reads both sides' reports`);
    }
  }
  return source && replica ? { sourceInventory: source, replicaInventory: replica } : {};
}
