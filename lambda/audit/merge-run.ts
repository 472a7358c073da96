import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describeError, IncompleteError } from '../shared/errors';
import {
  compareKeys,
  describeBalance,
  describeComparison,
  Discrepancy,
  KeyRange,
  mergeReports,
  rangeBalance,
  Unverified,
} from './core';
import { AuditEvent, rangeBase } from './event';
import type { AuditConfig } from './contract';
import { emitMetrics } from './metrics';
import { AuditReport, REPORT_RECORD_CAP, writeReport } from './report';
import { AuditHandlerResult, AuditInvocationDeps } from './run-range';
import { savePageEnds } from './plan-step';

/**
 * The last step of a distributed run: reads the report of every range (each must be complete),
 * merges them into one report for the whole key space, writes it beside the ranges' folders and
 * emits the run's metrics once.
 */
export async function mergeRun(
  cfg: AuditConfig,
  merge: NonNullable<AuditEvent['merge']>,
  reports: S3Client,
  deps: AuditInvocationDeps,
): Promise<AuditHandlerResult> {
  const parts: { key: string; report: AuditReport }[] = [];
  const problems: string[] = [];
  for (const range of merge.ranges) {
    const key = `${rangeBase(cfg, merge.runId, range)}report.json`;
    try {
      const out = await reports.send(new GetObjectCommand({ Bucket: cfg.reportsBucket, Key: key }));
      const report = JSON.parse((await out.Body?.transformToString()) ?? '') as AuditReport;
      if (report.status !== 'complete')
        problems.push(`the report of range ${JSON.stringify(range)} is ${report.status}`);
      parts.push({ key, report });
    } catch (err) {
      problems.push(
        `the report of range ${JSON.stringify(range)} (s3://${cfg.reportsBucket}/${key}) cannot be read: ${describeError(err)}`,
      );
    }
  }
  if (problems.length) {
    throw new IncompleteError(
      `run ${merge.runId} cannot be merged: ${problems.join('; ')}`,
      'run the missing ranges again (the state machine retries them), then merge',
    );
  }
  const merged = mergeReports(
    parts.map(({ report }) => ({
      range: report.range,
      summary: report.summary,
      records: [...report.discrepancies, ...report.unverified].sort((a, b) => compareKeys(a.key, b.key)),
      truncated: report.truncated,
    })),
    REPORT_RECORD_CAP,
  );
  const first = parts[0].report;
  const keys = parts.map(({ report: r }) => r.summary.keys);
  const report: AuditReport & { ranges: { range: KeyRange; report: string; keys: number }[]; balance: string } = {
    version: 1,
    status: 'complete',
    source: first.source,
    replica: first.replica,
    range: merged.range,
    generatedAt: new Date(deps.now ?? Date.now()).toISOString(),
    summary: merged.summary,
    compared: describeComparison(merged.summary),
    discrepancies: merged.records.filter((r): r is Discrepancy => r.kind !== 'unverified'),
    unverified: merged.records.filter((r): r is Unverified => r.kind === 'unverified'),
    recordCap: REPORT_RECORD_CAP,
    truncated: Boolean(merged.truncated),
    jsonl: `s3://${cfg.reportsBucket}/${cfg.reportsPrefix}${merge.runId}/range-*/records-*.jsonl`,
    ranges: parts.map(({ key, report: r }, i) => ({
      range: r.range,
      report: `s3://${cfg.reportsBucket}/${key}`,
      keys: keys[i],
    })),
    // How evenly the ranges (planned by the run, or fixed) shared the keys.
    balance: describeBalance(rangeBalance(keys)),
  };
  const reportKey = `${cfg.reportsPrefix}${merge.runId}/report.json`;
  await writeReport(`s3://${cfg.reportsBucket}/${reportKey}`, report, reports);
  await savePageEnds(
    { client: reports, bucket: cfg.reportsBucket, prefix: cfg.reportsPrefix },
    merge.runId,
    first.source,
  ).catch(() => undefined); // the next run samples instead
  emitMetrics(cfg.name, merged.summary, deps.emit);
  return { status: 'complete', summary: merged.summary, reportKey, balance: report.balance };
}
