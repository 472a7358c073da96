import { GetObjectCommand } from '@aws-sdk/client-s3';
import { performance } from 'node:perf_hooks';
import { isUnreachable } from '../../shared/network-errors';
import { mapPool } from '../../shared/pool';
import { sourceKeyFor } from '../core/key-mapping';
import { DrillObjectResult } from '../core/report';
import { seconds } from '../core/run-report';
import { chooseVerification, judge, ReplicaRecord, VerificationRule } from '../core/verification';
import { digestBody, headReplica, isMissing, recordOf, Restored } from './s3-objects';
import { DrillRun, short, sourceWentDown } from './state';

/** What the verify phase measured. */
export interface VerifyOutcome {
  readonly verifyMs: number;
}

/**
 * Phase 3, verify: reads every restored object back from the target and compares it with the
 * source version (SHA-256), or, when the source cannot be used, with what the replica recorded
 * (a stored checksum or a plain MD5 ETag); records the result of each object and each failure in
 * the report. A failure to verify one object is that object's failure, never the run's.
 */
export async function verifyPhase(run: DrillRun, restored: readonly (Restored | undefined)[]): Promise<VerifyOutcome> {
  const { report, options, progress } = run;
  const t2 = performance.now();
  await run.sourceChecked;
  let verifiedCount = 0;
  const ok = restored.filter((r): r is Restored => r !== undefined);
  await mapPool(ok, options.concurrency, async (r) => {
    await verifyOne(run, r).catch((err: unknown) => {
      r.result.reason = `verification failed: ${short(err)}`;
    });
    if (!r.result.verified) {
      report.failures.push({
        key: r.result.key,
        versionId: r.result.versionId,
        phase: 'verify',
        reason: r.result.reason ?? 'not verified',
      });
    }
    progress({ phase: 'verify', done: ++verifiedCount, total: ok.length });
  });
  const verifyMs = performance.now() - t2;
  report.durations.verifySeconds = seconds(verifyMs);
  return { verifyMs };
}

/**
 * The replica's record of the restored version, read when verification first needs it: by
 * version id when known, else the current version (verifyOne says so when it has changed).
 */
async function replicaRecord(run: DrillRun, r: Restored): Promise<ReplicaRecord> {
  if (!r.record) {
    try {
      r.record = recordOf(await headReplica(run, r.result));
    } catch (err) {
      throw new Error(`the replica's checksums could not be read: ${short(err)}`);
    }
  }
  return r.record;
}

async function sourceSha256(run: DrillRun, result: DrillObjectResult): Promise<{ sha256?: string; note?: string }> {
  const { options } = run;
  const key = sourceKeyFor(result.key, options.replica.prefix, options.source.prefix);
  const get = async (versionId?: string) =>
    digestBody(
      (await run.source.send(new GetObjectCommand({ Bucket: options.source.bucket, Key: key, VersionId: versionId })))
        .Body,
    );
  try {
    return { sha256: (await get(result.versionId)).sha256 };
  } catch (err) {
    if (!isMissing(err) || !result.versionId || options.asOf) throw err;
  }
  // Not a replica with preserved version ids (or the source version was removed):
  // the current source version is the best reference for a drill of current objects.
  try {
    const d = await get(undefined);
    return {
      sha256: d.sha256,
      note: `the source has no version ${result.versionId} of s3://${options.source.bucket}/${key}: compared with its current version`,
    };
  } catch (err) {
    if (isMissing(err)) return { note: `the source has no object s3://${options.source.bucket}/${key}` };
    throw err;
  }
}

async function verifyOne(run: DrillRun, r: Restored): Promise<void> {
  const { report, options } = run;
  const { result } = r;
  let rule: VerificationRule = report.sourceAvailable
    ? chooseVerification(true, {})
    : chooseVerification(false, await replicaRecord(run, r));
  let expectedSha: string | undefined;
  if (rule.against === 'source-sha256') {
    try {
      const s = await sourceSha256(run, result);
      expectedSha = s.sha256;
      if (s.note) result.note = s.note;
    } catch (err) {
      if (!isUnreachable(err)) throw new Error(`the source could not be read: ${short(err)}`);
      sourceWentDown(run, err);
    }
    if (!expectedSha) {
      const sourceUp = report.sourceAvailable;
      rule = chooseVerification(false, await replicaRecord(run, r));
      if (sourceUp && options.asOf && !result.note) {
        result.note = `the source has no version ${result.versionId}`;
      }
    }
  }
  const extra = rule.algorithm ? [rule.algorithm] : [];
  const got = await run.target.send(
    new GetObjectCommand({
      Bucket: options.restoreTo.bucket,
      Key: result.targetKey,
      VersionId: result.targetVersionId,
    }),
  );
  const restored = await digestBody(got.Body, extra);
  result.sha256 = restored.sha256;
  result.verifiedAgainst = rule.against;
  result.expected = rule.against === 'source-sha256' ? expectedSha : rule.expected;
  const j = judge(rule, restored, expectedSha);
  report.verified.against[rule.against]++;
  if (j.ok) {
    result.verified = true;
    report.verified.objects++;
    report.verified.bytes += restored.bytes;
    return;
  }
  result.reason = failureReason(j.reason, rule, r, expectedSha, restored.sha256, report.plan.copy === 'server-side');
}

/** Why an object failed verification, with what the replica's own bytes and record tell. */
export function failureReason(
  judged: string | undefined,
  rule: Pick<VerificationRule, 'against'>,
  r: Pick<Restored, 'record' | 'etag' | 'replicaSha256' | 'result'>,
  expectedSha: string | undefined,
  restoredSha: string,
  /** The target copied the replica server-side: the restored bytes are the replica's as stored. */
  copiedServerSide = false,
): string {
  let reason = judged ?? 'not verified';
  if (rule.against === 'source-sha256' && !r.replicaSha256 && copiedServerSide) {
    reason +=
      "; the target copied the replica's stored bytes server-side, so the replica copy is corrupt or stale (copy mode stream also hashes the replica's bytes on the way)";
  } else if (rule.against === 'source-sha256' && r.replicaSha256) {
    if (r.replicaSha256 !== expectedSha) {
      reason += `; the replica's own bytes (sha-256 ${r.replicaSha256}) differ from the source version: the replica copy is corrupt or stale`;
    } else if (r.replicaSha256 !== restoredSha) {
      reason += '; the replica matched the source, so the copy to the restore target was corrupted';
    }
  }
  if (r.record?.etag && r.etag && r.record.etag !== r.etag) {
    reason += `; the replica object changed during the drill (etag ${r.etag} when listed, ${r.record.etag} now)`;
  }
  if (r.result.note) reason += ` (${r.result.note})`;
  return reason;
}
