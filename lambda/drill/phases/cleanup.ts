import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { performance } from 'node:perf_hooks';
import { mapPool } from '../../shared/pool';
import { WrittenObject } from '../core/report';
import { deleteBatches, seconds, sweepTargets } from '../core/run-report';
import { listVersions } from './s3-objects';
import { DrillRun, short } from './state';

/** Objects per DeleteObjects request in cleanup (S3 allows up to 1,000). */
export const DELETE_BATCH = 100;

/**
 * Phase 4, clean up: deletes every scratch write the run recorded, then sweeps the drill's own
 * prefix for anything else (writes whose reply was lost, delete markers an unversioned delete
 * left). Runs whatever happened before; never throws: an incomplete cleanup is in the report,
 * with the leftovers to delete by hand.
 */
export async function cleanupPhase(run: DrillRun): Promise<void> {
  const t3 = performance.now();
  const { report, options, written } = run;
  const c = report.cleanup;
  c.written = written.length;
  const failedDeletes: WrittenObject[] = [];
  try {
    // Deletes in batches of 100, several at once (a server works through one DeleteObjects
    // request object by object: one request of 1,000 took as long as the restore itself),
    // counting what went and what failed.
    const deleteAll = async (objects: WrittenObject[], onBatch?: (done: number) => void) => {
      let done = 0;
      await mapPool(deleteBatches(objects, DELETE_BATCH), options.concurrency, async (batch) => {
        const out = await run.target.send(
          new DeleteObjectsCommand({
            Bucket: options.restoreTo.bucket,
            Delete: { Objects: batch.map((w) => ({ Key: w.key, VersionId: w.versionId })), Quiet: true },
          }),
        );
        for (const e of out.Errors ?? []) failedDeletes.push({ key: e.Key!, versionId: e.VersionId });
        c.deleted += batch.length - (out.Errors?.length ?? 0);
        onBatch?.((done += batch.length));
      });
    };
    // The recorded writes, exactly, by version id on versioned targets.
    await deleteAll(written, (done) => run.progress({ phase: 'cleanup', done, total: written.length }));
    // A sweep of the drill's own prefix (its id is unique).
    const listed: { key: string; versionId: string }[] = [];
    for await (const e of listVersions(run.target, options.restoreTo.bucket, run.root)) listed.push(e);
    const { leftover, swept } = sweepTargets(listed, run.root, run.targetVersioned, written);
    c.swept = swept;
    failedDeletes.length = 0;
    await deleteAll(leftover);
    c.leftovers = failedDeletes;
    c.complete = failedDeletes.length === 0;
    if (!c.complete) c.error = `${failedDeletes.length} scratch version(s) could not be deleted`;
  } catch (err) {
    c.complete = false;
    c.error = `cleanup failed: ${short(err)}`;
    // Not known which deletes went through: list everything the drill may have written.
    c.leftovers = [...written, ...[...run.pending].map((key) => ({ key }))];
  }
  if (!c.complete) {
    report.notes.push(
      `cleanup incomplete (${c.error}): delete the listed leftovers under s3://${options.restoreTo.bucket}/${run.root} by version id`,
    );
  }
  report.durations.cleanupSeconds = seconds(performance.now() - t3);
}
