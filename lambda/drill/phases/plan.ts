import { performance } from 'node:perf_hooks';
import { AccessError, errorNameOf, IncompleteError } from '../../shared/errors';
import { listObjects } from '../../shared/listing';
import { DrillLocation } from '../core/options';
import { emptyPointInTimeStats, PointInTimeStats, resolveAsOf } from '../core/point-in-time';
import { Candidate, sampledObjects, seconds } from '../core/run-report';
import { createSampler } from '../core/sampling';
import { listVersions, quoted } from './s3-objects';
import { DrillRun, short } from './state';
import type { S3Client } from '@aws-sdk/client-s3';

/** What the plan phase chose: the sampled objects, in the order of the report's entries. */
export interface DrillSample {
  readonly candidates: readonly Candidate[];
}

/** The current objects under the replica prefix, as drill candidates. */
async function* listCurrent(client: S3Client, loc: DrillLocation): AsyncGenerator<Candidate> {
  for await (const o of listObjects(client, { bucket: loc.bucket, prefix: loc.prefix })) {
    if (!o.key) continue;
    yield { key: o.key, size: o.size, lastModified: new Date(o.lastModified), etag: quoted(o.etag) };
  }
}

/**
 * Phase 1, plan: lists the replica (its current objects, or every version resolved as of the
 * drill's point in time), samples as it goes, and records what was listed and chosen in the
 * report. Throws AccessError for a missing replica bucket, IncompleteError when it cannot be listed.
 */
export async function planPhase(run: DrillRun): Promise<DrillSample> {
  const { options, report, progress } = run;
  const t0 = performance.now();
  const sampler = createSampler<Candidate>(options.sampleMode, options.sampleSize, report.sample.seed);
  let pit: PointInTimeStats | undefined;
  try {
    if (options.asOf) {
      pit = emptyPointInTimeStats();
      const entries = listVersions(run.replica, options.replica.bucket, options.replica.prefix);
      for await (const r of resolveAsOf(entries, options.asOf, pit)) {
        sampler.offer(r);
        if (sampler.seen % 1000 === 0) progress({ phase: 'list', done: sampler.seen });
      }
    } else {
      for await (const c of listCurrent(run.replica, options.replica)) {
        sampler.offer(c);
        if (sampler.seen % 1000 === 0) progress({ phase: 'list', done: sampler.seen });
      }
    }
  } catch (err) {
    if (errorNameOf(err) === 'NoSuchBucket') {
      throw new AccessError(
        `replica bucket "${options.replica.bucket}" does not exist${options.replica.endpoint ? ` at ${options.replica.endpoint}` : ''}`,
        'check the replica bucket name, --replica-region and --replica-endpoint',
        { cause: err },
      );
    }
    throw new IncompleteError(
      `the replica s3://${options.replica.bucket}/${options.replica.prefix} could not be listed: ${short(err)}`,
      'check the replica endpoint, region and permissions (s3:ListBucket, s3:ListBucketVersions); if its region is down, a drill cannot run until it is back',
      undefined,
      { cause: err },
    );
  }
  const sample = sampler.result();
  report.durations.listSeconds = seconds(performance.now() - t0);
  report.sample.listedObjects = sampler.seen;
  report.sample.listedBytes = sampler.seenBytes;
  report.sample.selected = sample.length;
  if (pit) report.sample.pointInTime = pit;
  progress({ phase: 'list', done: sampler.seen, total: sampler.seen });
  if (sample.length === 0) {
    report.notes.push(
      `nothing to restore: the replica has no objects under "${options.replica.prefix}"${options.asOf ? ` as of ${options.asOf.toISOString()}` : ''}, so the drill proved nothing`,
    );
  }
  report.objects = sampledObjects(sample, run.root);
  return { candidates: sample };
}
