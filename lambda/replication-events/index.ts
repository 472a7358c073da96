/**
 * EventBridge Pipes enrichment (source region): a thin adapter. The pipe passes the batch of
 * SQS messages it read from the replication events queue (each an S3 event notification in
 * `body`); this returns one decoded event per notification record, which the pipe puts on the
 * default event bus (detail-type `cdk-s3-dr Replication Event`). It never throws on a bad
 * message: an unreadable one still becomes an event, so nothing is lost silently.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/pipes-enrichment.html
 */
import { Metrics } from '../shared/metrics';
import { decodeNotification, DecodedReplicationEvent } from './core/decode';
import { eventMetricName, METRICS } from './contract';

/** One SQS message as EventBridge Pipes passes it (only `body` is read). */
export interface PipeSqsMessage {
  readonly messageId?: string;
  readonly body?: unknown;
}

/** Decodes a pipe batch: the function `handler` wraps, exported for tests. */
export function decodeBatch(batch: unknown): DecodedReplicationEvent[] {
  const messages: unknown[] = Array.isArray(batch) ? batch : [batch];
  return messages.flatMap((m) => {
    const body = typeof m === 'object' && m !== null ? (m as PipeSqsMessage).body : undefined;
    if (typeof body !== 'string') {
      const raw = JSON.stringify(m) ?? String(m);
      return [
        {
          message: `an unreadable message reached the replication events queue (the pipe passed no string body); it starts with: ${JSON.stringify(raw.slice(0, 200))}`,
          eventName: 'Unreadable',
        },
      ];
    }
    return decodeNotification(body);
  });
}

/** EMF counts per source bucket: events by type, and unreadable messages. */
export function replicationEventMetrics(events: readonly DecodedReplicationEvent[]): Metrics[] {
  const byBucket = new Map<string, Map<string, number>>();
  for (const e of events) {
    const bucket = e.bucket ?? METRICS.unknownBucket;
    const name = e.eventName === 'Unreadable' ? METRICS.unreadableNotifications : eventMetricName(e.eventName);
    const counts = byBucket.get(bucket) ?? new Map<string, number>();
    counts.set(name, (counts.get(name) ?? 0) + 1);
    byBucket.set(bucket, counts);
  }
  return [...byBucket].map(([bucket, counts]) => {
    const m = new Metrics({ [METRICS.dimension]: bucket }, METRICS.namespace);
    for (const [name, n] of counts) m.add(name, n);
    return m;
  });
}

export async function handler(batch: unknown): Promise<DecodedReplicationEvent[]> {
  const events = decodeBatch(batch);
  for (const e of events) process.stdout.write(JSON.stringify({ level: 'warn', ...e }) + '\n');
  for (const m of replicationEventMetrics(events)) m.flush();
  return events;
}
