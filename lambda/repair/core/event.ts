/**
 * The repair Lambda's event, validated at the edge so the core sees typed data. Pure: no AWS SDK.
 * Every problem is collected and thrown together as one UsageError naming the field, the value
 * and the fix; nothing is read or written on bad input.
 */
import { UsageError } from '../../shared/errors';
import { RepairTarget } from './plan';

export interface RepairEventSide {
  readonly bucket: string;
  /** @default '' */
  readonly prefix: string;
  readonly region: string;
  readonly endpoint?: string;
}

/** A direct invocation: `{ source, replica, to?, apply?, delete?, lagWindowSeconds?, mode? }`. */
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

export function parseRepairEvent(event: unknown, defaultLagWindowSeconds: number): RepairRequest {
  if (!isObj(event)) throw new UsageError(`event must be a JSON object, got ${JSON.stringify(event)}`);
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
