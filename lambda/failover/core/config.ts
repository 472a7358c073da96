/**
 * The failover controller's configuration and events, validated at the edge so the core sees
 * typed data. Pure: no AWS SDK. Every problem is collected and thrown together as one
 * UsageError that names the field, the bad value and the fix; nothing is changed on bad input.
 */
import { UsageError } from '../../shared/errors';
import { ConfirmPolicy, FailoverMode } from './decide';
import { FailoverPlan } from './routing';

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

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MRAP_ARN = /^arn:aws[a-z-]*:s3::(\d{12}):accesspoint\/[a-zA-Z0-9.-]+\.mrap$/;
const PARAMETER = /^[a-zA-Z0-9_.\-/]{1,2048}$/;

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
    opts: { required?: boolean; pattern?: RegExp; fix?: string } = {},
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
    if (opts.pattern && !opts.pattern.test(v)) {
      this.add(`${path} "${v}" is not valid${opts.fix ? `: ${opts.fix}` : ''}`);
      return undefined;
    }
    return v;
  }
  int(o: Obj, key: string, path: string, def: number, min: number, max: number): number {
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
    pattern: BUCKET,
    fix: 'bucket names are 3-63 lower-case letters, digits, dots and hyphens',
  });
  const region = c.str(v, 'region', `${key}.region`, {
    required: true,
    pattern: REGION,
    fix: 'use a region name such as eu-west-1',
  });
  const endpoint = c.str(v, 'endpoint', `${key}.endpoint`, {
    pattern: /^https?:\/\//,
    fix: 'write it as http(s)://host:port',
  });
  return { bucket: bucket ?? '', region: region ?? '', ...(endpoint ? { endpoint } : {}) };
}

/** The keys a configuration may have, per object: anything else is a typo (see unknownKeys). */
const KNOWN_KEYS: Record<string, readonly string[]> = {
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
  if (plan !== 'pointer' && plan !== 'mrap') {
    c.add(
      `plan ${JSON.stringify(plan)} is unknown: use "pointer" (an SSM parameter per region) or "mrap" (Multi-Region Access Point routes)`,
    );
  }
  const mode = raw.mode ?? 'approval';
  if (mode !== 'automatic' && mode !== 'approval' && mode !== 'dry-run') {
    c.add(`mode ${JSON.stringify(mode)} is unknown: use "automatic", "approval" or "dry-run"`);
  }
  const source = side(c, raw, 'source');
  const replica = side(c, raw, 'replica');
  if (source.region && source.region === replica.region) {
    c.add(`source.region and replica.region are both "${source.region}": failover needs two regions`);
  }
  const parameterName = c.str(raw, 'parameterName', 'parameterName', {
    required: plan === 'pointer',
    pattern: PARAMETER,
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
  const periodSeconds = c.int(raw, 'periodSeconds', 'periodSeconds', 60, 10, 3600);
  const cooldownMinutes = c.int(raw, 'cooldownMinutes', 'cooldownMinutes', 60, 0, 7 * 24 * 60);
  const confirmRaw = isObj(raw.confirm) ? raw.confirm : {};
  const failing = c.int(confirmRaw, 'failing', 'confirm.failing', 3, 1, 100);
  const window = c.int(confirmRaw, 'window', 'confirm.window', 5, 1, 100);
  if (failing > window)
    c.add(`confirm.failing (${failing}) is more than confirm.window (${window}): use failing <= window`);
  let lag: ConfirmPolicy['lag'];
  if (confirmRaw.lagThresholdSeconds !== undefined) {
    const t = confirmRaw.lagThresholdSeconds;
    if (typeof t !== 'number' || !(t > 0))
      c.add(`confirm.lagThresholdSeconds must be a positive number, got ${JSON.stringify(t)}`);
    else lag = { thresholdSeconds: t, window: c.int(confirmRaw, 'lagWindow', 'confirm.lagWindow', window, 1, 100) };
  }
  const reportsRaw = isObj(raw.reports) ? raw.reports : undefined;
  const reports = side(c, raw, 'reports');
  const prefix = (reportsRaw && typeof reportsRaw.prefix === 'string' && reportsRaw.prefix) || 'failover/decisions/';
  const endpointsRaw = isObj(raw.endpoints) ? raw.endpoints : {};
  const ep = (k: string) =>
    c.str(endpointsRaw, k, `endpoints.${k}`, { pattern: /^https?:\/\//, fix: 'write it as http(s)://host:port' });
  const endpoints = { ssm: ep('ssm'), s3Control: ep('s3Control'), cloudWatch: ep('cloudWatch') };

  const twoWay = raw.twoWayReplication ?? false;
  if (typeof twoWay !== 'boolean') c.add(`twoWayReplication must be true or false, got ${JSON.stringify(twoWay)}`);
  const failbackCatchUpSeconds = c.int(raw, 'failbackCatchUpSeconds', 'failbackCatchUpSeconds', 900, 0, 86_400);

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

/** What one invocation asks for. */
export type FailoverRequest =
  | { readonly action: 'failover'; readonly dryRun: boolean; readonly force: boolean; readonly trigger: string }
  | { readonly action: 'status'; readonly trigger: string }
  | {
      readonly action: 'failback';
      readonly dryRun: boolean;
      /** Approved: repair the source from the replica first (one-way replication). */
      readonly apply: boolean;
      readonly trigger: string;
    };

/**
 * Accepts an EventBridge "CloudWatch Alarm State Change" event for the configured alarm, or a
 * direct invocation `{ action: 'failover' | 'failback' | 'status', dryRun?, force? }`.
 */
export function parseFailoverEvent(event: unknown, alarmName: string): FailoverRequest {
  if (!isObj(event)) throw new UsageError(`event must be a JSON object, got ${JSON.stringify(event)}`);
  if (event['detail-type'] !== undefined || event.source === 'aws.cloudwatch') {
    if (event['detail-type'] !== 'CloudWatch Alarm State Change') {
      throw new UsageError(
        `event detail-type ${JSON.stringify(event['detail-type'])} is not handled: route only "CloudWatch Alarm State Change" events to the controller`,
      );
    }
    const detail = isObj(event.detail) ? event.detail : {};
    if (detail.alarmName !== alarmName) {
      throw new UsageError(
        `event is for alarm ${JSON.stringify(detail.alarmName)}, not the configured alarm "${alarmName}"`,
      );
    }
    const state = isObj(detail.state) ? detail.state.value : undefined;
    return {
      action: 'failover',
      dryRun: false,
      force: false,
      trigger: `alarm ${alarmName} changed to ${String(state)}`,
    };
  }
  const action = event.action;
  const bool = (k: string): boolean => {
    const v = event[k];
    if (v === undefined) return false;
    if (typeof v !== 'boolean')
      throw new UsageError(`event field ${k} must be true or false, got ${JSON.stringify(v)}`);
    return v;
  };
  switch (action) {
    case 'failover':
      return { action, dryRun: bool('dryRun'), force: bool('force'), trigger: 'direct invocation' };
    case 'failback':
      return { action, dryRun: bool('dryRun'), apply: bool('apply'), trigger: 'direct invocation' };
    case 'status':
      return { action, trigger: 'direct invocation' };
    default:
      throw new UsageError(`event action ${JSON.stringify(action)} is unknown: use "failover", "failback" or "status"`);
  }
}
