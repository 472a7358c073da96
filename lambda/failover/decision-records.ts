/**
 * Decision records: one JSON object per decision, taken or not, in the reports bucket under
 * `<prefix><ISO timestamp>.json`. They are the controller's memory: the last routing change
 * (for the cooldown and for the direction of an interrupted change) is read back from them.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../shared/s3-client';
import { FailoverConfig } from './core/config';
import { Decision, LastChange } from './core/decide';
import { RoutingState, Side } from './core/routing';
import { StepResult } from './routing-io';
import type { CatchUp, RepairSteps } from './run-failover';

export interface DecisionRecord {
  /** failback-repair: the repair of the source before a failback (no routing change). */
  readonly kind: 'failover' | 'failback' | 'failback-repair';
  /** ISO 8601. */
  readonly at: string;
  readonly trigger: string;
  readonly config: FailoverConfig;
  readonly alarmState?: string;
  readonly datapoints?: Record<string, { at: string; value: number }[]>;
  readonly routingBefore: RoutingState;
  readonly lastChange?: { direction: string; at: string };
  readonly decision: Decision;
  /** True when steps were carried out (some may have failed: see results). */
  readonly executed: boolean;
  readonly results: StepResult[];
  readonly approveCommand?: string;
  readonly audit?: { discrepancies: number; error?: string };
  /** Failback with two-way replication: the audits made while waiting for it to catch up. */
  readonly catchUp?: CatchUp;
  /** Failback without it: the repair planned, carried out and planned again. */
  readonly repair?: RepairSteps;
}

const DAY = 24 * 3600 * 1000;

export class DecisionRecords {
  private readonly s3: S3Client;

  constructor(private readonly config: FailoverConfig) {
    this.s3 = createS3Client({ region: config.reports.region, endpoint: config.reports.endpoint, maxAttempts: 3 });
  }

  keyFor(at: number): string {
    return `${this.config.reports.prefix}${new Date(at).toISOString()}.json`;
  }

  uri(key: string): string {
    return `s3://${this.config.reports.bucket}/${key}`;
  }

  async put(key: string, record: DecisionRecord): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.config.reports.bucket,
        Key: key,
        Body: JSON.stringify(record, null, 2),
        ContentType: 'application/json',
      }),
    );
  }

  /**
   * The newest record that changed routing, looking back `lookbackMs` (one listing per day),
   * as the last change: a change toward the replica is a fail-over, toward the source a fail-back.
   */
  async lastChange(now: number, lookbackMs: number): Promise<LastChange | undefined> {
    const days: string[] = [];
    for (let t = now; t >= now - lookbackMs - DAY; t -= DAY) days.push(new Date(t).toISOString().slice(0, 10));
    for (const day of [...new Set(days)]) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await this.s3.send(
          new ListObjectsV2Command({
            Bucket: this.config.reports.bucket,
            Prefix: `${this.config.reports.prefix}${day}`,
            ContinuationToken: token,
          }),
        );
        for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      for (const key of keys.sort().reverse()) {
        const record = await this.get(key);
        const target: Side | undefined = record.decision?.target;
        if (record.executed && target && record.results?.some((r) => r.ok)) {
          const at = Date.parse(record.at);
          if (now - at > lookbackMs) return undefined;
          return { direction: target === 'replica' ? 'fail-over' : 'fail-back', at };
        }
      }
    }
    return undefined;
  }

  async get(key: string): Promise<DecisionRecord> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.config.reports.bucket, Key: key }));
    return JSON.parse(await out.Body!.transformToString()) as DecisionRecord;
  }
}

/** Reads a record given its s3:// URI (the approve command), with any S3 endpoint. */
export async function readRecordAt(
  uri: string,
  region: string,
  endpoint?: string,
): Promise<{ record: DecisionRecord; bucket: string; key: string }> {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new Error(`bad record uri ${uri}`);
  const s3 = createS3Client({ region, endpoint, maxAttempts: 3 });
  const out = await s3.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
  return { record: JSON.parse(await out.Body!.transformToString()) as DecisionRecord, bucket: m[1], key: m[2] };
}
