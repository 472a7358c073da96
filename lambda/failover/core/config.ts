/**
 * The failover controller's events, validated at the edge so the core sees typed data; its
 * configuration is the contract's (../contract.ts), re-exported here. Pure: no AWS SDK.
 */
import { UsageError } from '../../shared/errors';

export type { ConfigSide, FailoverConfig } from '../contract';
export { MRAP_CONTROL_REGIONS, nearestKey, parseFailoverConfig } from '../contract';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
