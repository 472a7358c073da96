import { PutObjectCommand } from '@aws-sdk/client-s3';
import { UsageError } from '../shared/errors';
import { formatS3Uri } from '../shared/s3-uri';
import type { AuditConfig } from './contract';
import { DEFAULTS } from './contract';
import { AuditEvent, rangeBase } from './event';
import { emitMetrics } from './metrics';
import { buildReport, writeReport } from './report';
import { AuditClients, AuditHandlerResult, AuditInvocationDeps } from './run-range';
import { runInventoryAudit } from './run-inventory';
import { S3RecordSink } from './s3-sink';

/**
 * An invocation in inventory mode (the configuration names both inventory folders): one run to
 * completion from the latest reports, the differing keys read again live, the report and the
 * failed-replication manifest written under the run's folder of the reports bucket.
 */
export async function runInventoryInvocation(
  cfg: AuditConfig,
  event: AuditEvent,
  clients: AuditClients,
  deps: Pick<AuditInvocationDeps, 'emit' | 'now'> = {},
): Promise<AuditHandlerResult & { readonly failedManifest?: string; readonly failedVersions?: number }> {
  if (event.checkpoint || (event.range && (event.range.startAfter !== undefined || event.range.endAt !== undefined))) {
    throw new UsageError(
      'an inventory audit runs to completion in one invocation over the whole prefix: send no range or checkpoint, or unset the inventory variables for a listing audit',
    );
  }
  const now = deps.now ?? Date.now();
  const runId = event.runId ?? new Date(now).toISOString().replace(/[:.]/g, '-');
  const base = rangeBase(cfg, runId, undefined);
  const sink = new S3RecordSink(clients.reports, cfg.reportsBucket, base, 1);
  const source = { bucket: cfg.source.bucket, prefix: cfg.source.prefix };
  const replica = { bucket: cfg.replica.bucket, prefix: cfg.replica.prefix };
  const result = await runInventoryAudit(
    {
      source,
      replica,
      sourceInventory: cfg.sourceInventory!,
      replicaInventory: cfg.replicaInventory!,
      mode: event.mode ?? cfg.mode,
      lagWindowSeconds: event.lagWindowSeconds ?? cfg.lagWindowSeconds,
      deleteMarkerReplication: cfg.deleteMarkerReplication,
      writeFailedManifest: async (csv) => {
        const key = `${base}${DEFAULTS.failedManifestName}`;
        await clients.reports.send(
          new PutObjectCommand({ Bucket: cfg.reportsBucket, Key: key, Body: csv, ContentType: 'text/csv' }),
        );
        return `s3://${cfg.reportsBucket}/${key}`;
      },
    },
    {
      // Each inventory is delivered in its bucket's region: the source's beside the source.
      sourceInventoryClient: clients.source,
      replicaInventoryClient: clients.replica,
      sourceClient: clients.source,
      replicaClient: clients.replica,
      stats: clients.stats,
      sink,
    },
  );
  await sink.close();
  const report = await buildReport({
    status: 'complete',
    source: formatS3Uri(source),
    replica: formatS3Uri(replica),
    range: {},
    summary: result.summary,
    sink,
    jsonl: `s3://${cfg.reportsBucket}/${base}records-*.jsonl`,
  });
  const reportKey = `${base}report.json`;
  await writeReport(
    `s3://${cfg.reportsBucket}/${reportKey}`,
    {
      ...report,
      inventories: {
        source: result.source.folder,
        replica: result.replica.folder,
        recheckedKeys: result.recheckedKeys,
        failedManifest: result.failedManifest,
        failedVersions: result.failedVersions,
      },
    },
    clients.reports,
  );
  if (event.emitMetrics ?? true) emitMetrics(cfg.name, result.summary, deps.emit);
  return {
    status: 'complete',
    summary: result.summary,
    reportKey,
    ...(result.failedManifest ? { failedManifest: result.failedManifest, failedVersions: result.failedVersions } : {}),
  };
}
