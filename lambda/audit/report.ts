import type { S3Client } from '@aws-sdk/client-s3';
import { writeFileSync } from 'node:fs';
import { parseS3Uri } from '../shared/s3-uri';
import { AuditRecord, AuditSummary, describeComparison, Discrepancy, KeyRange, Unverified } from './core';
import { RecordSink } from './sink';

/** How many records the JSON report embeds; the JSON Lines output holds all of them. */
export const REPORT_RECORD_CAP = 10_000;

export interface AuditReport {
  readonly version: 1;
  readonly status: 'complete' | 'partial';
  readonly source: string;
  readonly replica: string;
  readonly range: KeyRange;
  readonly generatedAt: string;
  readonly summary: AuditSummary;
  /** What was compared, in words. */
  readonly compared: string;
  /** Discrepancies (pending included) in key order, at most `recordCap` records with `unverified`. */
  readonly discrepancies: Discrepancy[];
  /** Objects matched by size only. */
  readonly unverified: Unverified[];
  readonly recordCap: number;
  /** True when more records exist than embedded: see the JSON Lines output. */
  readonly truncated: boolean;
  readonly jsonl?: string;
  /** HTTP requests this process sent, retries included, per S3 operation (ListObjectsV2: 40, ...). */
  readonly requestsByOperation?: Readonly<Record<string, number>>;
  /**
   * Where each side was read (the command line's regions and endpoints): a repair from this report
   * works on the same buckets there.
   */
  readonly sides?: { readonly source: ReadAt; readonly replica: ReadAt };
}

/** The region and, for an S3-compatible server, the endpoint a side was read at. */
export interface ReadAt {
  readonly region: string;
  readonly endpoint?: string;
}

export async function buildReport(args: {
  status: 'complete' | 'partial';
  source: string;
  replica: string;
  range: KeyRange;
  summary: AuditSummary;
  sink: RecordSink;
  jsonl?: string;
  cap?: number;
  now?: number;
  requestsByOperation?: Readonly<Record<string, number>>;
  sides?: { readonly source: ReadAt; readonly replica: ReadAt };
}): Promise<AuditReport> {
  const cap = args.cap ?? REPORT_RECORD_CAP;
  const records: AuditRecord[] = await args.sink.readBack(cap + 1);
  const total = args.summary.discrepancies + args.summary.counts.pending + args.summary.comparison.bySizeOnly;
  const kept = records.slice(0, cap);
  return {
    version: 1,
    status: args.status,
    source: args.source,
    replica: args.replica,
    range: args.range,
    generatedAt: new Date(args.now ?? Date.now()).toISOString(),
    summary: args.summary,
    compared: describeComparison(args.summary),
    discrepancies: kept.filter((r): r is Discrepancy => r.kind !== 'unverified'),
    unverified: kept.filter((r): r is Unverified => r.kind === 'unverified'),
    recordCap: cap,
    truncated: records.length > cap || total > kept.length,
    ...(args.jsonl ? { jsonl: args.jsonl } : {}),
    ...(args.requestsByOperation ? { requestsByOperation: { ...args.requestsByOperation } } : {}),
    ...(args.sides ? { sides: { source: readAt(args.sides.source), replica: readAt(args.sides.replica) } } : {}),
  };
}

const readAt = (s: ReadAt): ReadAt => ({ region: s.region, ...(s.endpoint ? { endpoint: s.endpoint } : {}) });

/**
 * Writes a report to a local file or to `s3://bucket/key` (PutObject to the reports bucket
 * only: the audited buckets are never written). Returns where it went.
 */
export async function writeReport(target: string, report: unknown, reportsClient?: S3Client): Promise<string> {
  const body = JSON.stringify(report, null, 2) + '\n';
  if (target.startsWith('s3://')) {
    const loc = parseS3Uri(target, '--report');
    if (!loc.prefix || loc.prefix.endsWith('/')) throw new Error(`report target "${target}" needs an object key`);
    if (!reportsClient) throw new Error('writing a report to S3 needs a client for the reports bucket');
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await reportsClient.send(
      new PutObjectCommand({ Bucket: loc.bucket, Key: loc.prefix, Body: body, ContentType: 'application/json' }),
    );
    return target;
  }
  writeFileSync(target, body);
  return target;
}

/** One paragraph for people: counts, lag, what was compared. */
export function humanSummary(report: AuditReport): string {
  const s = report.summary;
  const c = s.counts;
  const kinds = [
    `${c.missing} missing`,
    `${c.extra} extra`,
    `${c.sizeMismatch} size mismatch`,
    `${c.contentMismatch} content mismatch`,
    `${c.versionMismatch} version mismatch`,
    `${c.deleteMarkerMismatch} delete marker mismatch`,
  ].join(', ');
  const verdict =
    report.status !== 'complete'
      ? 'the audit is not complete'
      : s.discrepancies === 0
        ? 'the replica is consistent with the source'
        : `the replica is NOT consistent with the source: ${s.discrepancies} discrepancies`;
  return (
    `audit of ${report.source} against ${report.replica}: ${verdict}. ` +
    `${s.keys} keys (${s.source.objects} source objects, ${s.source.bytes} bytes; ${s.replica.objects} replica objects, ${s.replica.bytes} bytes): ` +
    `${c.matched} matched, ${kinds}; ${c.pending} pending within the ${s.lagWindowSeconds} s lag window; ` +
    `${s.deletesNotReplicated} source deletes not replicated${s.deleteMarkerReplication ? '' : ' (expected: delete markers are not replicated)'}. ` +
    `Max observed lag ${s.maxObservedLagSeconds} s. Compared ${report.compared}. ` +
    `${s.requests} requests (${s.retries} retries) in ${(s.durationMs / 1000).toFixed(1)} s.`
  );
}
