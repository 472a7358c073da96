/**
 * The audit failback requires: from the replica back to the source (everything written to the
 * replica while it was active must be in the source before routing returns to it). Runs the
 * audit engine with the sides swapped and no lag window (nothing counts as "in flight").
 */
import { MemorySink } from '../audit/sink';
import { runAudit } from '../audit/run-audit';
import { createS3Client, RequestStats } from '../shared/s3-client';
import { CANARY_PREFIX } from '../shared/reserved';
import { FailoverConfig } from './core/config';

export interface FailbackAuditResult {
  readonly discrepancies: number;
  readonly keys: number;
  /** A few of the differing keys, for the operator. */
  readonly examples: string[];
}

export function replicaToSourceAudit(
  config: FailoverConfig,
  opts: { lagWindowSeconds?: number; prefix?: string } = {},
): () => Promise<FailbackAuditResult> {
  return async () => {
    const stats = new RequestStats();
    // Audit "source" = the replica (it took the writes); audit "replica" = the source.
    const sourceClient = createS3Client({ ...config.replica, stats });
    const replicaClient = createS3Client({ ...config.source, stats });
    const sink = new MemorySink();
    const prefix = opts.prefix ?? '';
    let checkpoint;
    for (;;) {
      const result = await runAudit(
        {
          source: { bucket: config.replica.bucket, prefix },
          replica: { bucket: config.source.bucket, prefix },
          lagWindowSeconds: opts.lagWindowSeconds ?? 0,
          checkpoint,
        },
        { sourceClient, replicaClient, stats, sink },
      );
      if (result.status === 'complete') {
        const examples = sink.records
          .map((r) => (r as { key?: string }).key ?? '')
          .filter((k) => k && !k.startsWith(CANARY_PREFIX))
          .slice(0, 5);
        return { discrepancies: result.summary.discrepancies, keys: result.summary.keys, examples };
      }
      checkpoint = result.checkpoint;
    }
  };
}

/** What failback needs to know of a repair of the source from the replica. */
export interface FailbackRepairResult {
  /** Planned: copies, deletes, conflicts, kept keys (never on the replica), pending. */
  readonly planned: { copy: number; delete: number; conflict: number; kept: number; pending: number };
  /** Writes made (0 when only planned). */
  readonly writes: number;
  /** Planned writes skipped: changed since the audit, too large, not attempted. */
  readonly skipped: number;
  /** A few keys of each kind that blocks a failback (copies, deletes, conflicts), for the operator. */
  readonly examples: string[];
}

/**
 * The repair that brings a failover's writes home without two-way replication: audits the pair
 * in all-versions mode (delete markers seen on both sides, no lag window), copies to the source
 * what the replica holds and the source lacks or holds older, deletes from the source what the
 * replica deleted, and keeps what the replica never had (writes replication had not carried
 * before the outage). Never overwrites what is newer on the source: a conflict, for a person.
 */
export function sourceRepair(config: FailoverConfig): (apply: boolean) => Promise<FailbackRepairResult> {
  return async (apply) => {
    const { runRepair } = await import('../repair/run-repair');
    const r = await runRepair({
      source: {
        bucket: config.source.bucket,
        prefix: '',
        region: config.source.region,
        endpoint: config.source.endpoint,
      },
      replica: {
        bucket: config.replica.bucket,
        prefix: '',
        region: config.replica.region,
        endpoint: config.replica.endpoint,
      },
      to: 'source',
      delete: true,
      deleteOnlyDeleted: true,
      apply,
      audit: { mode: 'versions', lagWindowSeconds: 0 },
    });
    const p = r.plan.counts;
    const c = r.counts;
    const examples = r.results
      .filter(
        (a) => (a.kind === 'copy' || a.kind === 'delete' || a.kind === 'conflict') && !a.key.startsWith(CANARY_PREFIX),
      )
      .slice(0, 5)
      .map((a) => `${a.kind} ${a.key}`);
    return {
      planned: { copy: p.copy, delete: p.delete, conflict: p.conflict, kept: p.kept, pending: p.pending },
      writes: c.copied + c.deleted,
      skipped: apply ? c.changed + c.tooLarge + c.notAttempted : 0,
      examples,
    };
  };
}
