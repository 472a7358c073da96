/**
 * The contract between the ReplicationFailureEvents construct and the decoder it deploys as an
 * EventBridge Pipes enrichment: the decoder takes no configuration (its environment is empty),
 * the pipe publishes what it returns with the event source and detail-type below, and the
 * decoder counts events per source bucket under the metric names below. Pure: no AWS SDK, no
 * aws-cdk-lib.
 */
import { METRIC_NAMESPACE } from '../shared/metrics';

/** The decoder reads no environment variables. */
export type ReplicationEventsConfig = Record<string, never>;

export const ENV = {} as const;

/** How the pipe puts the decoded events on the event bus. */
export const EVENTS = {
  source: 'cdk-s3-dr.replication',
  detailType: 'cdk-s3-dr Replication Event',
} as const;

/**
 * Counts per source bucket, in namespace METRICS.namespace with dimension `SourceBucket`: one
 * metric per replication event type, named as the type without its `s3:Replication:` prefix
 * (`OperationFailedReplication`, ...), and `UnreadableNotifications`.
 */
export const METRICS = {
  namespace: METRIC_NAMESPACE,
  dimension: 'SourceBucket',
  unreadableNotifications: 'UnreadableNotifications',
  /** The dimension value when a notification names no bucket. */
  unknownBucket: 'unknown',
} as const;

/** The metric name counting one event type. */
export function eventMetricName(eventName: string): string {
  return eventName.replace(/^(s3:)?Replication:/, '');
}

export function toEnv(_config: ReplicationEventsConfig = {}): Record<string, string> {
  return {};
}

export function fromEnv(_env: Readonly<Record<string, string | undefined>>): ReplicationEventsConfig {
  return {};
}
