import {
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { formatS3Uri, S3Location } from '../shared/s3-uri';
import { compareKeys, KeyRange } from './core';
import { planAuditRanges, PlanSource } from './planner';

/**
 * The first step of a distributed run: splits the key space into ranges of about equal size, from
 * the page boundaries the previous run saved in the reports bucket, or else from a sample of the
 * source; and, at the end of a run, the saving of those boundaries for the next one.
 */

/** What the planning step returns: the items of the Distributed Map, and how they were chosen. */
export interface PlanStepResult {
  readonly ranges: { readonly range: KeyRange }[];
  readonly plannedFrom: PlanSource;
  /** List requests the planning sent to the source. */
  readonly planRequests: number;
  /** Keys each range is expected to hold, in the order of `ranges`. */
  readonly estimates: number[];
}

/** The page boundaries of the last complete run, kept under the reports prefix. */
export const PAGE_ENDS_FILE = 'page-ends.json';

/** Boundaries kept at most: evenly thinned beyond it (quantiles stay where they were). */
export const MAX_PAGE_ENDS = 10_000;

interface PageEndsFile {
  readonly version: 1;
  readonly source: string;
  readonly runId: string;
  /** The last key of every source list page, relative to the prefix, in S3 order. */
  readonly keys: string[];
}

export interface PlanStepInput {
  readonly source: S3Location;
  readonly sourceClient: S3Client;
  readonly reports: { readonly client: S3Client; readonly bucket: string; readonly prefix: string };
  readonly count: number;
}

export async function planStep(input: PlanStepInput): Promise<PlanStepResult> {
  const pageEnds = await readPageEnds(input.reports, formatS3Uri(input.source));
  const plan = await planAuditRanges({
    client: input.sourceClient,
    side: 'source',
    bucket: input.source.bucket,
    prefix: input.source.prefix,
    count: input.count,
    pageEnds,
  });
  return {
    ranges: plan.ranges.map((range) => ({ range })),
    plannedFrom: plan.from,
    planRequests: plan.requests,
    estimates: plan.estimates,
  };
}

async function readPageEnds(reports: PlanStepInput['reports'], source: string): Promise<string[] | undefined> {
  try {
    const out = await reports.client.send(
      new GetObjectCommand({ Bucket: reports.bucket, Key: `${reports.prefix}${PAGE_ENDS_FILE}` }),
    );
    const f = JSON.parse((await out.Body?.transformToString()) ?? '') as PageEndsFile;
    if (f.version !== 1 || f.source !== source || !Array.isArray(f.keys)) return undefined;
    return f.keys.filter((k) => typeof k === 'string');
  } catch {
    // None yet (the first run), or unreadable: the plan samples the key space instead.
    return undefined;
  }
}

/** The file one invocation writes its page boundaries to, beside its records. */
export function partPageEndsKey(base: string, part: number): string {
  return `${base}page-ends-${String(part).padStart(4, '0')}.json`;
}

export async function writePartPageEnds(
  client: S3Client,
  bucket: string,
  key: string,
  keys: readonly string[],
): Promise<void> {
  await client.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(keys), ContentType: 'application/json' }),
  );
}

/**
 * Collects the page boundaries every invocation of a run wrote under its folder and keeps them as
 * the next run's `page-ends.json`. Best effort: the next run samples when they are missing.
 */
export async function savePageEnds(reports: PlanStepInput['reports'], runId: string, source: string): Promise<number> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out: ListObjectsV2CommandOutput = await reports.client.send(
      new ListObjectsV2Command({
        Bucket: reports.bucket,
        Prefix: `${reports.prefix}${runId}/`,
        ContinuationToken: token,
      }),
    );
    for (const c of out.Contents ?? []) {
      if (!/\/page-ends-\d+\.json$/.test(c.Key ?? '')) continue;
      const body = await reports.client.send(new GetObjectCommand({ Bucket: reports.bucket, Key: c.Key }));
      const part = JSON.parse((await body.Body?.transformToString()) ?? '[]') as unknown;
      if (Array.isArray(part)) for (const k of part) if (typeof k === 'string') keys.push(k);
    }
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  if (keys.length === 0) return 0;
  keys.sort(compareKeys);
  const step = Math.max(1, Math.ceil(keys.length / MAX_PAGE_ENDS));
  const kept = keys.filter((_, i) => i % step === step - 1 || i === keys.length - 1);
  const file: PageEndsFile = { version: 1, source, runId, keys: kept };
  await reports.client.send(
    new PutObjectCommand({
      Bucket: reports.bucket,
      Key: `${reports.prefix}${PAGE_ENDS_FILE}`,
      Body: JSON.stringify(file),
      ContentType: 'application/json',
    }),
  );
  return kept.length;
}

/** Ranges a plan event may ask for (a Distributed Map runs up to 10,000 items at once). */
export const MAX_RANGE_COUNT = 10_000;

/** Problems of a plan event `{ plan: { count } }`: it takes no other field. */
export function planEventProblems(e: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const p = e.plan as Record<string, unknown>;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) {
    problems.push(`event field plan must be an object { count }, got ${JSON.stringify(e.plan)}`);
  } else {
    const c = p.count;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > MAX_RANGE_COUNT)
      problems.push(
        `event field plan.count=${JSON.stringify(c)} must be a whole number from 1 to ${MAX_RANGE_COUNT} (the ranges wanted)`,
      );
    for (const k of Object.keys(p)) if (k !== 'count') problems.push(`event field plan.${k} is not known: use count`);
  }
  const others = Object.keys(e).filter((k) => k !== 'plan');
  if (others.length) problems.push(`a plan event takes no other fields: remove ${others.join(', ')}`);
  return problems;
}
