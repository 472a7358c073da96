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
