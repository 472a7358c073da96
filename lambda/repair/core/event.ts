/**
 * The repair Lambda's event, validated at the edge so the core sees typed data. Pure: no AWS SDK.
 * Every problem is collected and thrown together as one UsageError naming the field, the value
 * and the fix; nothing is read or written on bad input.
 */
import { UsageError } from '../../shared/errors';
import type { RepairConfig } from '../contract';
import { RepairTarget } from './plan';

export interface RepairEventSide {
  readonly bucket: string;
  /** @default '' */
  readonly prefix: string;
  readonly region: string;
  readonly endpoint?: string;
}

/**
 * A direct invocation: `{ source, replica, to?, apply?, delete?, lagWindowSeconds?, mode? }`. A
 * function deployed by `ReplicationRepair` knows its pair, direction and mode: its event is
 * `{ apply?, delete?, lagWindowSeconds? }`, and anything it names of the rest must agree.
 */
export interface RepairRequest {
  readonly source: RepairEventSide;
  readonly replica: RepairEventSide;
  /** @default 'replica' */
  readonly to: RepairTarget;
  /** @default false: plan only */
  readonly apply: boolean;
  /** @default false */
  readonly delete: boolean;
  /** @default 900 */
  readonly lagWindowSeconds: number;
  /** @default 'current' */
  readonly mode: 'current' | 'versions';
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseRepairEvent(
  event: unknown,
  defaultLagWindowSeconds: number,
  deployed?: RepairConfig,
): RepairRequest {
  if (!isObj(event)) throw new UsageError(`event must be a JSON object, got ${JSON.stringify(event)}`);
  if (deployed) return parseDeployedEvent(event, deployed);
  const problems: string[] = [];
  const side = (name: 'source' | 'replica'): RepairEventSide => {
    const v = event[name];
    if (!isObj(v)) {
      problems.push(
        `${name} is required: give it as { "bucket": "...", "region": "...", "prefix"?: "...", "endpoint"?: "..." }`,
      );
      return { bucket: '', prefix: '', region: '' };
    }
    const bucket = v.bucket;
    if (typeof bucket !== 'string' || !BUCKET.test(bucket))
      problems.push(
        `${name}.bucket ${JSON.stringify(bucket)} is not a bucket name: 3-63 lower-case letters, digits, dots and hyphens`,
      );
    const region = v.region;
    if (typeof region !== 'string' || !REGION.test(region))
      problems.push(
        `${name}.region ${JSON.stringify(region)} is not a region name: write it as AWS names it, e.g. eu-west-1`,
      );
    const prefix = v.prefix ?? '';
    if (typeof prefix !== 'string') problems.push(`${name}.prefix must be a string, got ${JSON.stringify(prefix)}`);
    const endpoint = v.endpoint;
    if (endpoint !== undefined && (typeof endpoint !== 'string' || !/^https?:\/\/[^/\s]+/.test(endpoint)))
      problems.push(
        `${name}.endpoint ${JSON.stringify(endpoint)} is not an http(s) endpoint: write http(s)://host:port`,
      );
    return {
      bucket: String(bucket),
      prefix: String(prefix),
      region: String(region),
      ...(typeof endpoint === 'string' ? { endpoint } : {}),
    };
  };
  const source = side('source');
  const replica = side('replica');
  const to = event.to ?? 'replica';
  if (to !== 'replica' && to !== 'source')
    problems.push(`to ${JSON.stringify(to)} is not a side: use "replica" or "source"`);
  const { apply, del, lag } = runFields(event, defaultLagWindowSeconds, problems);
  const mode = event.mode ?? 'current';
  if (mode !== 'current' && mode !== 'versions')
    problems.push(`mode ${JSON.stringify(mode)} is unknown: use "current" or "versions"`);
  if (
    source.bucket === replica.bucket &&
    source.region === replica.region &&
    source.endpoint === replica.endpoint &&
    source.bucket !== ''
  )
    problems.push(`source and replica are the same bucket "${source.bucket}": give the replica bucket`);
  if (problems.length) throw new UsageError(`invalid repair event:\n  - ${problems.join('\n  - ')}`);
  return {
    source,
    replica,
    to: to as RepairTarget,
    apply,
    delete: del,
    lagWindowSeconds: lag as number,
    mode: mode as RepairRequest['mode'],
  };
}

/** What every event may carry: `apply`, `delete` and `lagWindowSeconds`. */
function runFields(event: Obj, defaultLagWindowSeconds: number, problems: string[]) {
  const flag = (k: string): boolean => {
    const v = event[k];
    if (v === undefined) return false;
    if (typeof v !== 'boolean') problems.push(`${k} must be true or false, got ${JSON.stringify(v)}`);
    return v === true;
  };
  const apply = flag('apply');
  const del = flag('delete');
  const lag = event.lagWindowSeconds ?? defaultLagWindowSeconds;
  if (typeof lag !== 'number' || !Number.isInteger(lag) || lag < 0)
    problems.push(`lagWindowSeconds must be a whole number of seconds from 0, got ${JSON.stringify(lag)}`);
  return { apply, del, lag };
}

/**
 * The event of a function deployed for one pair and direction: its role may write only that
 * side (and delete only when deployed with `allowDelete`), so an event asking for anything else
 * is refused before any request, naming what the function was deployed for.
 */
function parseDeployedEvent(event: Obj, deployed: RepairConfig): RepairRequest {
  const problems: string[] = [];
  const where = (s: RepairConfig['source']) => `s3://${s.bucket}/${s.prefix} (${s.region})`;
  for (const name of ['source', 'replica'] as const) {
    const v = event[name];
    if (v === undefined) continue;
    const want = deployed[name];
    const same =
      isObj(v) &&
      v.bucket === want.bucket &&
      v.region === want.region &&
      (v.prefix ?? '') === want.prefix &&
      v.endpoint === want.endpoint;
    if (!same)
      problems.push(
        `${name} ${JSON.stringify(v)} is not this function's ${name}: it repairs ${where(deployed.source)} -> ${where(deployed.replica)} only; leave source and replica out of the event`,
      );
  }
  if (event.to !== undefined && event.to !== deployed.to)
    problems.push(
      `to ${JSON.stringify(event.to)}: this function writes only to the ${deployed.to}, the one side its role may write; deploy a ReplicationRepair with to: ${JSON.stringify(event.to)} for the other direction`,
    );
  if (event.mode !== undefined && event.mode !== deployed.mode)
    problems.push(
      `mode ${JSON.stringify(event.mode)}: this function audits in mode "${deployed.mode}", the one its role is granted; leave mode out of the event, or deploy it with that mode`,
    );
  const { apply, del, lag } = runFields(event, deployed.lagWindowSeconds, problems);
  if (del && !deployed.allowDelete)
    problems.push(
      'delete true: this function was deployed without allowDelete, so its role may not delete; leave delete out, or deploy it with allowDelete: true',
    );
  if (problems.length) throw new UsageError(`invalid repair event:\n  - ${problems.join('\n  - ')}`);
  const side = (s: RepairConfig['source']): RepairEventSide => ({
    bucket: s.bucket,
    prefix: s.prefix,
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
  });
  return {
    source: side(deployed.source),
    replica: side(deployed.replica),
    to: deployed.to,
    apply,
    delete: del,
    lagWindowSeconds: lag as number,
    mode: deployed.mode,
  };
}
