/**
 * The cost and time model of an audit of a bucket pair (docs/cost-model.md), printed for the sizes
 * and parameters given. It measures nothing: plug in your own page time, concurrency and prices.
 *
 *   npm run bench:cost -- [--objects 1000000,100000000,1000000000] [--throughput 10700]
 *                         [--ranges 4] [--memory-mb 1024] [--differences 0.0001]
 *
 * --throughput  objects a second one range audits (both sides listed at once). 10,700 is the
 *               measured single-range figure of `npm run bench:audit` (bench/RESULTS.md); in AWS it
 *               is about 1,000 / (seconds per ListObjectsV2 page): measure yours with one
 *               `cdk-s3-dr audit` of a prefix and its report's `durationSeconds`.
 * --ranges      ranges audited at once (ConsistencyAudit `maxConcurrency`, default 4), or `auto`:
 *               as many as it takes to finish the listing in 15 minutes.
 */
import { numberArg, stringArg } from './args';

/** List prices, US East (N. Virginia), S3 Standard, Lambda x86, Step Functions Standard, 2026-12. */
export const PRICES = {
  /** ListObjectsV2 and ListObjectVersions: Tier 1 requests, per 1,000. */
  listPer1000: 0.005,
  /** GET and HEAD: Tier 2 requests, per 1,000. */
  getPer1000: 0.0004,
  /** S3 Inventory, per million objects listed in a report. */
  inventoryPerMillion: 0.0025,
  /** Lambda duration, per GB-second (x86). */
  lambdaPerGbSecond: 0.0000166667,
  /** Lambda requests, per million. */
  lambdaPerMillionRequests: 0.2,
  /** Step Functions Standard, per 1,000 state transitions. */
  transitionPer1000: 0.025,
} as const;

export interface ModelInput {
  /** Objects in each bucket of the pair. */
  readonly objects: number;
  /** Objects a second one range audits (both sides at once). */
  readonly throughput: number;
  /** Ranges audited at once; 'auto': enough for 15 minutes of listing. */
  readonly ranges: number | 'auto';
  /** The audit function's memory. */
  readonly memoryMb: number;
  /** Share of keys that differ (each costs lookups on both sides). */
  readonly differences: number;
}

export interface ModelOutput {
  readonly ranges: number;
  readonly listRequests: number;
  readonly lookupRequests: number;
  readonly lambdaSeconds: number;
  readonly lambdaInvocations: number;
  readonly transitions: number;
  readonly wallSeconds: number;
  readonly dollars: { readonly list: number; readonly lookups: number; readonly lambda: number; readonly sfn: number };
  readonly total: number;
}

/** Keys per ListObjectsV2 page, and the share of extra pages measured on early-ended pages (1.05x). */
const PAGE = 1000;
const PAGE_OVERHEAD = 1.05;
/** The planning sample: 1% of the listing at most (20 requests at 1,000,000 objects), at least 20. */
const planRequests = (listing: number) => Math.max(20, Math.ceil(listing * 0.01));
/** One Lambda run audits for at most 14 minutes before it checkpoints and the state machine loops. */
const RUN_SECONDS = 14 * 60;
/** Transitions per loop of a range (Invoke, Choice, continue) and per execution (plan, map, merge, end). */
const TRANSITIONS_PER_LOOP = 3;
const TRANSITIONS_PER_EXECUTION = 6;
/** The target the design is held to: a billion-object pair in 15 minutes. */
const TARGET_SECONDS = 15 * 60;

export function model(i: ModelInput): ModelOutput {
  const listing = Math.ceil(((2 * i.objects) / PAGE) * PAGE_OVERHEAD);
  const listRequests = listing + planRequests(listing);
  // A differing key is looked up once per side (HeadObject or a one-key ListObjectVersions).
  const lookupRequests = Math.ceil(2 * i.objects * i.differences);
  const lambdaSeconds = i.objects / i.throughput;
  const ranges =
    i.ranges === 'auto' ? Math.min(1000, Math.max(1, Math.ceil(lambdaSeconds / (TARGET_SECONDS - 60)))) : i.ranges;
  const perRange = lambdaSeconds / ranges;
  const loops = ranges * Math.max(1, Math.ceil(perRange / RUN_SECONDS));
  const lambdaInvocations = loops + 2; // plan and merge
  const transitions = TRANSITIONS_PER_EXECUTION + ranges + loops * TRANSITIONS_PER_LOOP;
  // Planning and merging take seconds: counted as one page round of each.
  const wallSeconds = perRange + 10;
  const dollars = {
    list: (listRequests / 1000) * PRICES.listPer1000,
    lookups: (lookupRequests / 1000) * PRICES.getPer1000,
    lambda:
      lambdaSeconds * (i.memoryMb / 1024) * PRICES.lambdaPerGbSecond +
      (lambdaInvocations / 1e6) * PRICES.lambdaPerMillionRequests,
    sfn: (transitions / 1000) * PRICES.transitionPer1000,
  };
  const total = dollars.list + dollars.lookups + dollars.lambda + dollars.sfn;
  return {
    ranges,
    listRequests,
    lookupRequests,
    lambdaSeconds,
    lambdaInvocations,
    transitions,
    wallSeconds,
    dollars,
    total,
  };
}

/** The daily charge of an inventory of both buckets: billed whether or not an audit reads it. */
export function inventoryDollarsPerDay(objects: number): number {
  return ((2 * objects) / 1e6) * PRICES.inventoryPerMillion;
}

function duration(s: number): string {
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function main(): void {
  const sizes = stringArg('objects', '1000000,100000000,1000000000').split(',').map(Number);
  const throughput = numberArg('throughput', 10700);
  const rangesArg = stringArg('ranges', 'auto');
  const ranges = rangesArg === 'auto' ? 'auto' : Number(rangesArg);
  const memoryMb = numberArg('memory-mb', 1024);
  const differences = numberArg('differences', 0.0001);
  for (const [name, v] of Object.entries({
    throughput,
    memoryMb,
    differences,
    ...(ranges === 'auto' ? {} : { ranges }),
  })) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number, got ${v}`);
  }
  console.log(
    `throughput ${throughput} objects/s per range, ${memoryMb} MB functions, ${differences * 100}% of keys differing, ranges ${rangesArg}`,
  );
  console.log(
    '| objects per bucket | ranges at once | list requests | wall time | S3 list | lookups | Lambda | Step Functions | total | inventory instead, per day |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const $ = (x: number) => `$${x < 0.01 ? x.toFixed(4) : x.toFixed(2)}`;
  for (const objects of sizes) {
    const m = model({ objects, throughput, ranges, memoryMb, differences });
    console.log(
      `| ${objects.toLocaleString('en-US')} | ${m.ranges} | ${m.listRequests.toLocaleString('en-US')} | ${duration(m.wallSeconds)} | ` +
        `${$(m.dollars.list)} | ${$(m.dollars.lookups)} | ${$(m.dollars.lambda)} | ${$(m.dollars.sfn)} | **${$(m.total)}** | ${$(inventoryDollarsPerDay(objects))} |`,
    );
  }
}

if (require.main === module) main();
