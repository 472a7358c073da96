import type { S3Client } from '@aws-sdk/client-s3';
import { CANARY_PREFIX } from '../shared/reserved';
import { S3Access } from '../shared/s3-access';
import { compareKeys, KeyProbe, KeyRange, keyInRange, planFromSample, planRanges, sampleKeySpace } from './core';
import { SideError } from './lister';

/** How a plan was made: from a previous run's page boundaries, or from a sample of the key space. */
export type PlanSource = 'page-ends' | 'sample';

export interface RangePlan {
  readonly ranges: KeyRange[];
  readonly from: PlanSource;
  /** List requests the planning sent (0 from page boundaries). */
  readonly requests: number;
  /** Keys each range is expected to hold. */
  readonly estimates: number[];
}

export interface PlanOptions {
  /** The side sampled: the source, the reference of the audit. */
  readonly client: S3Client | S3Access;
  readonly side: 'source' | 'replica';
  readonly bucket: string;
  readonly prefix: string;
  /** Ranges wanted; fewer come back when the key space is small. */
  readonly count: number;
  /** Plan inside this range only. */
  readonly within?: KeyRange;
  /**
   * The last key of every list page of a previous run (relative, any order). When given, the
   * ranges are cut at its quantiles (each page holds about `pageSize` keys) with no request at all.
   */
  readonly pageEnds?: readonly string[];
  /** Keys per page of the previous run. @default 1000 */
  readonly pageSize?: number;
  /** Probe budget of a sampling. @default DEFAULT_SAMPLE_REQUESTS (20) */
  readonly maxRequests?: number;
}

/** Fewest page boundaries of a previous run worth planning from: below it the sample is cheap anyway. */
const MIN_PAGE_ENDS = 2;

/**
 * Splits the audited key space into about `count` ranges of equal size: from the page boundaries of
 * a previous run when given, otherwise from a bounded sample of one side (StartAfter probes).
 */
export async function planAuditRanges(o: PlanOptions): Promise<RangePlan> {
  const within = o.within ?? {};
  const ends = (o.pageEnds ?? []).filter((k) => keyInRange(k, within));
  if (ends.length >= MIN_PAGE_ENDS) {
    const ranges = planRanges({ count: o.count, sampleKeys: ends, within });
    const pageSize = o.pageSize ?? 1000;
    const sorted = [...new Set(ends)].sort(compareKeys);
    const estimates = ranges.map((r) => sorted.filter((k) => keyInRange(k, r)).length * pageSize);
    return { ranges, from: 'page-ends', requests: 0, estimates };
  }
  const sample = await sampleKeySpace(keyProbe(o), { within, maxRequests: o.maxRequests });
  const plan = planFromSample(sample, o.count);
  return { ranges: plan.ranges, from: 'sample', requests: sample.requests, estimates: plan.estimates.map(Math.round) };
}

/**
 * One ListObjectsV2 page (1,000 entries) after a key, relative to the prefix, canaries left out;
 * with a delimiter, the CommonPrefixes too; with a sub-prefix, only the keys under the prefix and
 * it (Prefix is the two joined).
 */
export function keyProbe(o: Pick<PlanOptions, 'client' | 'side' | 'bucket' | 'prefix'>): KeyProbe {
  const access = S3Access.from(o.client);
  return async (startAfter, delimiter, sub = '') => {
    try {
      const params = {
        bucket: o.bucket,
        prefix: o.prefix + sub || undefined,
        maxKeys: 1000,
        startAfter: startAfter === undefined ? undefined : o.prefix + startAfter,
        delimiter,
      };
      let keys: string[];
      let truncated: boolean;
      let prefixes: string[] = [];
      if (access.raw) {
        const page = await access.raw.listObjectsV2(params);
        keys = page.entries.map((e) => e.key);
        truncated = page.isTruncated;
        prefixes = page.commonPrefixes ?? [];
      } else {
        const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
        const out = await (
          await access.client()
        ).send(
          new ListObjectsV2Command({
            Bucket: params.bucket,
            Prefix: params.prefix,
            MaxKeys: params.maxKeys,
            StartAfter: params.startAfter,
            Delimiter: delimiter,
          }),
        );
        keys = (out.Contents ?? []).map((c) => c.Key ?? '');
        truncated = Boolean(out.IsTruncated);
        prefixes = (out.CommonPrefixes ?? []).map((c) => c.Prefix ?? '');
      }
      const relative = (ks: string[]) =>
        ks.filter((k) => !k.startsWith(CANARY_PREFIX)).map((k) => k.slice(o.prefix.length));
      return {
        keys: relative(keys),
        truncated,
        ...(delimiter === undefined ? {} : { prefixes: relative(prefixes) }),
      };
    } catch (err) {
      throw new SideError(o.side, o.bucket, { cause: err });
    }
  };
}
