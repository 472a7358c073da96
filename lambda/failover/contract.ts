/**
 * The contract between the FailoverController construct and the failover handler: the
 * configuration the construct writes (typed: `FailoverSettings`), its defaults and limits, the
 * one environment variable that carries it as JSON (`toEnv` at synth time, `fromEnv` in the
 * handler), and the metric the controller publishes. The command line reads the same document
 * from a file. Pure: no AWS SDK, no aws-cdk-lib. Every problem is collected and thrown together
 * as one UsageError that names the field, the bad value and the fix; nothing is changed on bad
 * input.
 */
import { UsageError } from '../shared/errors';
import { Env, EnvEncoding, PLAIN_ENCODING } from '../shared/env';
import { METRIC_NAMESPACE } from '../shared/metrics';
import { bucketNameProblem, endpointProblem, Limits, REGION_PATTERN } from '../shared/rules';
import type { ConfirmPolicy, FailoverMode } from './core/decide';
import type { FailoverPlan } from './core/routing';

export const FAILOVER_MODES: readonly FailoverMode[] = ['automatic', 'approval', 'dry-run'];
export const FAILOVER_PLANS: readonly FailoverPlan[] = ['pointer', 'mrap'];

/** One side as the settings give it. */
export interface SettingsSide {
  readonly bucket: string;
  readonly region: string;
  /** A custom S3 endpoint (tests, S3-compatible servers). */
  readonly endpoint?: string;
}

/**
 * The controller's settings as written (by the construct into FAILOVER_CONFIG, or by hand into
 * the command line's --config file): `parseFailoverConfig` fills the defaults and checks them.
 */
export interface FailoverSettings {
  readonly plan: FailoverPlan;
  /** @default 'approval' */
  readonly mode?: FailoverMode;
  readonly source: SettingsSide;
  readonly replica: SettingsSide;
  /** plan pointer: the SSM parameter name, the same in both regions. */
  readonly parameterName?: string;
  /** plan mrap: the access point ARN. */
  readonly mrapArn?: string;
  /** plan mrap: the account owning the access point. @default - the account of mrapArn */
  readonly accountId?: string;
  /** plan mrap: control-plane regions to try in turn. @default MRAP_CONTROL_REGIONS */
  readonly controlRegions?: readonly string[];
  readonly alarmName: string;
  /** @default - the replica region */
  readonly metricsRegion?: string;
  readonly probeName: string;
  /** @default 60 */
  readonly periodSeconds?: number;
  readonly confirm?: {
    /** @default 3 */
    readonly failing?: number;
    /** @default 5 */
    readonly window?: number;
    readonly lagThresholdSeconds?: number;
    /** @default - confirm.window */
    readonly lagWindow?: number;
  };
  /** @default 60 */
  readonly cooldownMinutes?: number;
  readonly reports: SettingsSide & {
    /** @default 'failover/decisions/' */
    readonly prefix?: string;
  };
  readonly endpoints?: { readonly ssm?: string; readonly s3Control?: string; readonly cloudWatch?: string };
  /** The replica replicates back to the source: failback waits for it instead of repairing. @default false */
  readonly twoWayReplication?: boolean;
  /** With two-way replication: how long failback waits for the reverse replication, seconds. @default 900 */
  readonly failbackCatchUpSeconds?: number;
}

export const DEFAULTS = {
  plan: 'pointer' as FailoverPlan,
  mode: 'approval' as FailoverMode,
  periodSeconds: 60,
  cooldownMinutes: 60,
  failing: 3,
  window: 5,
  /** Where decision records go in the reports bucket. */
  reportsPrefix: 'failover/decisions/',
  failbackCatchUpSeconds: 900,
};

export const LIMITS = {
  periodSeconds: { min: 10, max: 3600 } as Limits,
  cooldownMinutes: { min: 0, max: 7 * 24 * 60 } as Limits,
  /** confirm.failing, confirm.window and confirm.lagWindow. */
  datapoints: { min: 1, max: 100 } as Limits,
  /** The pending window of a two-way failback: up to a day. */
  failbackCatchUpSeconds: { min: 0, max: 86_400 } as Limits,
};

export const ENV = {
  /** The settings, as one JSON document. */
  config: 'FAILOVER_CONFIG',
} as const;

/** One datapoint per decision, in namespace METRICS.namespace with dimension `Action` = the decision. */
export const METRICS = {
  namespace: METRIC_NAMESPACE,
  dimension: 'Action',
  failoverDecision: 'FailoverDecision',
} as const;

/** The environment the construct sets: the settings as JSON (the encoding keeps tokens resolvable). */
export function toEnv(settings: FailoverSettings, encoding: EnvEncoding = PLAIN_ENCODING): Record<string, string> {
  return { [ENV.config]: encoding.json(settings) };
}

/** The checked configuration from FAILOVER_CONFIG. */
export function fromEnv(env: Env): FailoverConfig {
  const raw = env[ENV.config];
  if (!raw)
    throw new UsageError(
      `environment variable ${ENV.config} is not set: the construct sets it to the controller configuration (JSON)`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new UsageError(
      `environment variable ${ENV.config}=${JSON.stringify(raw.slice(0, 80))} is not JSON: give the controller configuration as a JSON object`,
    );
  }
  return parseFailoverConfig(parsed);
}

/** The S3 Control failover-control regions, tried in turn (AWS: Multi-Region Access Point failover controls). */
export const MRAP_CONTROL_REGIONS = ['us-east-1', 'us-west-2', 'ap-southeast-2', 'ap-northeast-1', 'eu-west-1'];

export interface ConfigSide {
  readonly bucket: string;
  readonly region: string;
  /** A custom S3 endpoint (tests, S3-compatible servers). */
  readonly endpoint?: string;
}

export interface FailoverConfig {
  readonly plan: FailoverPlan;
  readonly mode: FailoverMode;
  readonly source: ConfigSide;
  readonly replica: ConfigSide;
  /** plan pointer: the SSM parameter name, the same in both regions. */
  readonly parameterName?: string;
  /** plan mrap: the access point ARN (arn:aws:s3::<account>:accesspoint/<alias>.mrap). */
  readonly mrapArn?: string;
  /** plan mrap: the account owning the access point (12 digits). */
  readonly accountId?: string;
  /** plan mrap: control-plane regions to try in turn. @default MRAP_CONTROL_REGIONS */
  readonly controlRegions: readonly string[];
  /** The composite alarm whose state changes trigger the controller. */
  readonly alarmName: string;
  /** The region of the alarm and the probe's metrics. @default the replica region */
  readonly metricsRegion: string;
  /** The probe's `Probe` dimension value. */
  readonly probeName: string;
  /** Period of the probe datapoints read back, seconds. @default 60 */
  readonly periodSeconds: number;
  readonly confirm: ConfirmPolicy;
  /** No automatic failover within this many minutes of the last routing change. @default 60 */
  readonly cooldownMinutes: number;
  /** Where decision records go: `<prefix><timestamp>.json`. */
  readonly reports: ConfigSide & { readonly prefix: string };
  /** Custom endpoints for the control-plane services (tests). */
  readonly endpoints: { readonly ssm?: string; readonly s3Control?: string; readonly cloudWatch?: string };
  /**
   * The replica replicates back to the source (two-way replication): failback waits for that
   * replication to bring the failover's writes home instead of repairing. @default false
   */
  readonly twoWayReplication: boolean;
  /**
   * With two-way replication: how long failback waits for the replica-to-source audit to pass
   * (the pending window) before it gives up, seconds. @default 900
   */
  readonly failbackCatchUpSeconds: number;
}

const REGION = REGION_PATTERN;
const MRAP_ARN = /^arn:aws[a-z-]*:s3::(\d{12}):accesspoint\/[a-zA-Z0-9.-]+\.mrap$/;
/** An SSM parameter name (the pointer plan's). */
export const PARAMETER_NAME = /^[a-zA-Z0-9_.\-/]{1,2048}$/;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Collector {
  readonly errors: string[] = [];
  add(msg: string): void {
    this.errors.push(msg);
  }
  str(
    o: Obj,
    key: string,
    path: string,
    opts: { required?: boolean; pattern?: RegExp; rule?: (v: string) => string | undefined; fix?: string } = {},
  ): string | undefined {
    const v = o[key];
    if (v === undefined || v === '') {
      if (opts.required) this.add(`${path} is required${opts.fix ? `: ${opts.fix}` : ''}`);
      return undefined;
    }
    if (typeof v !== 'string') {
      this.add(`${path} must be a string, got ${JSON.stringify(v)}`);
      return undefined;
    }
    const problem = opts.rule?.(v) ?? (opts.pattern && !opts.pattern.test(v) ? 'is not valid' : undefined);
    if (problem !== undefined) {
      this.add(`${path} "${v}" ${opts.rule ? `is not valid (${problem})` : problem}${opts.fix ? `: ${opts.fix}` : ''}`);
      return undefined;
    }
    return v;
  }
  int(o: Obj, key: string, path: string, def: number, { min, max }: Limits): number {
    const v = o[key];
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.add(`${path} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return def;
    }
    return v;
  }
}

function side(c: Collector, o: Obj, key: string): ConfigSide {
  const v = o[key];
  if (!isObj(v)) {
    c.add(`${key} is required: give it as { "bucket": "...", "region": "..." }`);
    return { bucket: '', region: '' };
  }
  const bucket = c.str(v, 'bucket', `${key}.bucket`, {
    required: true,
    rule: bucketNameProblem,
    fix: 'bucket names are 3-63 lower-case letters, digits, dots and hyphens',
  });
  const region = c.str(v, 'region', `${key}.region`, {
    required: true,
    pattern: REGION,
    fix: 'use a region name such as eu-west-1',
  });
  const endpoint = c.str(v, 'endpoint', `${key}.endpoint`, {
    rule: endpointProblem,
    fix: 'write it as http(s)://host:port',
  });
  return { bucket: bucket ?? '', region: region ?? '', ...(endpoint ? { endpoint } : {}) };
}

/** The keys a configuration may have, per object: anything else is a typo (see unknownKeys). */
const KNOWN_KEYS: { readonly [path: string]: readonly string[]; readonly '': readonly (keyof FailoverSettings)[] } = {
  '': [
    'plan',
    'mode',
    'source',
    'replica',
    'parameterName',
    'mrapArn',
    'accountId',
    'controlRegions',
    'alarmName',
    'metricsRegion',
    'probeName',
    'periodSeconds',
    'confirm',
    'cooldownMinutes',
    'reports',
    'endpoints',
    'twoWayReplication',
    'failbackCatchUpSeconds',
  ],
  source: ['bucket', 'region', 'endpoint'],
  replica: ['bucket', 'region', 'endpoint'],
  reports: ['bucket', 'region', 'endpoint', 'prefix'],
  confirm: ['failing', 'window', 'lagThresholdSeconds', 'lagWindow'],
  endpoints: ['ssm', 's3Control', 'cloudWatch'],
};

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

/** The known key nearest to `key`, when it is near enough to be a typo. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dd = distance(key, k);
    if (dd < bestD) [best, bestD] = [k, dd];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

function unknownKeys(c: Collector, raw: Obj): void {
  for (const [path, known] of Object.entries(KNOWN_KEYS)) {
    const o = path === '' ? raw : raw[path];
    if (!isObj(o)) continue;
    for (const key of Object.keys(o)) {
      if (known.includes(key)) continue;
      const near = nearestKey(key, known);
      const where = path ? `${path}.${key}` : key;
      c.add(
        `${where} is not a known key${near ? `: did you mean "${path ? `${path}.` : ''}${near}"?` : `: the keys${path ? ` of ${path}` : ''} are ${known.join(', ')}`}`,
      );
    }
  }
}

/**
 * Validates a controller configuration (parsed JSON); throws one UsageError listing every problem.
 * `strict` (the default) refuses unknown keys, naming the nearest known one.
 */
export function parseFailoverConfig(raw: unknown, opts: { strict?: boolean } = {}): FailoverConfig {
  if (!isObj(raw)) throw new UsageError('failover configuration must be a JSON object');
  const c = new Collector();
  if (opts.strict ?? true) unknownKeys(c, raw);
  const plan = raw.plan;
  if (!(FAILOVER_PLANS as readonly unknown[]).includes(plan)) {
    c.add(
      `plan ${JSON.stringify(plan)} is unknown: use "pointer" (an SSM parameter per region) or "mrap" (Multi-Region Access Point routes)`,
    );
  }
  const mode = raw.mode ?? DEFAULTS.mode;
  if (!(FAILOVER_MODES as readonly unknown[]).includes(mode)) {
    c.add(`mode ${JSON.stringify(mode)} is unknown: use "automatic", "approval" or "dry-run"`);
  }
  const source = side(c, raw, 'source');
  const replica = side(c, raw, 'replica');
  if (source.region && source.region === replica.region) {
    c.add(`source.region and replica.region are both "${source.region}": failover needs two regions`);
  }
  const parameterName = c.str(raw, 'parameterName', 'parameterName', {
    required: plan === 'pointer',
    pattern: PARAMETER_NAME,
    fix: 'plan "pointer" needs the SSM parameter name, such as /my-app/s3-active',
  });
  const mrapArn = c.str(raw, 'mrapArn', 'mrapArn', {
    required: plan === 'mrap',
    pattern: MRAP_ARN,
    fix: 'plan "mrap" needs the access point ARN, arn:aws:s3::123456789012:accesspoint/<alias>.mrap',
  });
  let accountId = c.str(raw, 'accountId', 'accountId', { pattern: /^\d{12}$/, fix: 'an account id is 12 digits' });
  if (plan === 'mrap' && mrapArn && !accountId) accountId = MRAP_ARN.exec(mrapArn)?.[1];
  let controlRegions = MRAP_CONTROL_REGIONS;
  if (raw.controlRegions !== undefined) {
    const cr = raw.controlRegions;
    if (!Array.isArray(cr) || cr.length === 0 || !cr.every((r) => typeof r === 'string' && REGION.test(r))) {
      c.add(`controlRegions ${JSON.stringify(cr)} must be a non-empty list of region names, such as ["us-west-2"]`);
    } else controlRegions = cr as string[];
  }
  const alarmName = c.str(raw, 'alarmName', 'alarmName', { required: true, fix: 'give the composite alarm name' });
  const probeName = c.str(raw, 'probeName', 'probeName', {
    required: true,
    fix: 'give the probe name (its Probe dimension)',
  });
  const metricsRegion =
    c.str(raw, 'metricsRegion', 'metricsRegion', { pattern: REGION, fix: 'use a region name such as eu-west-1' }) ??
    replica.region;
  const periodSeconds = c.int(raw, 'periodSeconds', 'periodSeconds', DEFAULTS.periodSeconds, LIMITS.periodSeconds);
  const cooldownMinutes = c.int(
    raw,
    'cooldownMinutes',
    'cooldownMinutes',
    DEFAULTS.cooldownMinutes,
    LIMITS.cooldownMinutes,
  );
  const confirmRaw = isObj(raw.confirm) ? raw.confirm : {};
  const failing = c.int(confirmRaw, 'failing', 'confirm.failing', DEFAULTS.failing, LIMITS.datapoints);
  const window = c.int(confirmRaw, 'window', 'confirm.window', DEFAULTS.window, LIMITS.datapoints);
  if (failing > window)
    c.add(`confirm.failing (${failing}) is more than confirm.window (${window}): use failing <= window`);
  let lag: ConfirmPolicy['lag'];
  if (confirmRaw.lagThresholdSeconds !== undefined) {
    const t = confirmRaw.lagThresholdSeconds;
    if (typeof t !== 'number' || !(t > 0))
      c.add(`confirm.lagThresholdSeconds must be a positive number, got ${JSON.stringify(t)}`);
    else
      lag = {
        thresholdSeconds: t,
        window: c.int(confirmRaw, 'lagWindow', 'confirm.lagWindow', window, LIMITS.datapoints),
      };
  }
  const reportsRaw = isObj(raw.reports) ? raw.reports : undefined;
  const reports = side(c, raw, 'reports');
  const prefix = (reportsRaw && typeof reportsRaw.prefix === 'string' && reportsRaw.prefix) || DEFAULTS.reportsPrefix;
  const endpointsRaw = isObj(raw.endpoints) ? raw.endpoints : {};
  const ep = (k: string) =>
    c.str(endpointsRaw, k, `endpoints.${k}`, { rule: endpointProblem, fix: 'write it as http(s)://host:port' });
  const endpoints = { ssm: ep('ssm'), s3Control: ep('s3Control'), cloudWatch: ep('cloudWatch') };

  const twoWay = raw.twoWayReplication ?? false;
  if (typeof twoWay !== 'boolean') c.add(`twoWayReplication must be true or false, got ${JSON.stringify(twoWay)}`);
  const failbackCatchUpSeconds = c.int(
    raw,
    'failbackCatchUpSeconds',
    'failbackCatchUpSeconds',
    DEFAULTS.failbackCatchUpSeconds,
    LIMITS.failbackCatchUpSeconds,
  );

  if (c.errors.length > 0) {
    throw new UsageError(`invalid failover configuration:\n  - ${c.errors.join('\n  - ')}`);
  }
  return {
    plan: plan as FailoverPlan,
    mode: mode as FailoverMode,
    source,
    replica,
    parameterName,
    mrapArn,
    accountId,
    controlRegions,
    alarmName: alarmName!,
    metricsRegion,
    probeName: probeName!,
    periodSeconds,
    confirm: { unavailable: { failing, window }, ...(lag ? { lag } : {}) },
    cooldownMinutes,
    reports: { ...reports, prefix },
    endpoints,
    twoWayReplication: twoWay === true,
    failbackCatchUpSeconds,
  };
}
