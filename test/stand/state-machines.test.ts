/**
 * The audit's synthesized state machines, executed by a local Step Functions interpreter
 * (aws-local-stepfunctions, see test/support/state-machine.ts) with their Lambda tasks bound to
 * the real audit handler, called in process with the environment the construct synthesized
 * (bucket regions and endpoints swapped for the stand's), against buckets on the stand.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AuditRecord, AuditSummary, describeBalance, rangeBalance } from '../../lambda/audit/core';
import { auditInvocation, invokeAudit, LambdaContextLike, SAFETY_MARGIN_MS } from '../../lambda/audit/index';
import { AuditReport } from '../../lambda/audit/report';
import { ConsistencyAudit, ConsistencyAuditProps } from '../../lib';
import { testApp } from '../support/app';
import {
  createBucket,
  emptyAndDeleteBucket,
  FaultProxy,
  putObjects,
  standClient,
  standSide,
  startFaultProxy,
  uniqueBucketName,
  useStandCredentials,
} from '../support/stand';
import { LocalLambda, runLocally, synthesizedDefinition, synthesizedEnvironment } from '../support/state-machine';

jest.setTimeout(180_000);

useStandCredentials();
const za = standSide('za');
const zb = standSide('zb');
/** The regions the construct is synthesized for; the handler's environment gets the stand's instead. */
const SOURCE_REGION = 'us-east-1';
const REPLICA_REGION = 'us-west-2';

/** A Lambda context with the whole 15 minutes left. */
const FULL_TIME: LambdaContextLike = { getRemainingTimeInMillis: () => 900_000 };
/** A Lambda context with one second left after the handler's safety margin: the audit stops early. */
const LITTLE_TIME: LambdaContextLike = { getRemainingTimeInMillis: () => SAFETY_MARGIN_MS + 1_000 };

let src: string;
let dst: string;
let reports: string;
/** Every request to the source through it is delayed past the one-second budget of LITTLE_TIME. */
let slowSource: FaultProxy;

/** Keys in all three ranges of boundaries ['g', 'n'], unicode included, and a difference of each kind in each. */
const common: [string, string][] = ['a', 'h', 'q'].flatMap((p) =>
  Array.from({ length: 25 }, (_, i): [string, string] => [`${p}/${String(i).padStart(3, '0')}`, `body ${p}${i}`]),
);
common.push(['h/\u00e9t\u00e9', 'unicode'], ['q/\u{1F600}', 'astral'], ['q/\uE000', 'private use']);
const replicaOnly: [string, string][] = [
  ['a/extra', 'only in the replica'],
  ['i/extra', 'only in the replica'],
  ['z/extra', 'only in the replica'],
];
const sourceOnly: [string, string][] = [
  ['0/missing', 'sorts first: before the first key an interrupted run stops at'],
  ['h/missing', 'only in the source'],
  ['r/missing', 'only in the source'],
];
const changed: [key: string, source: string, replica: string][] = [
  ['b/size', 'short', 'longer!'],
  ['k/content', 'aaaa', 'bbbb'],
  ['s/size', 'a longer body', 'short'],
];

const created: [zone: 'za' | 'zb', bucket: string][] = [];
beforeAll(async () => {
  // Separate buckets written directly on each zone: the differences are planted, not replicated.
  [src, dst, reports] = await Promise.all([
    createBucket('za', { versioned: false }),
    createBucket('zb', { versioned: false }),
    createBucket('zb', { versioned: false }),
  ]);
  created.push(['za', src], ['zb', dst], ['zb', reports]);
  // The replica's copies first, so the source's differing writes are the newer changes.
  await putObjects(standClient('zb'), dst, [
    ...common,
    ...replicaOnly,
    ...changed.map(([k, , r]): [string, string] => [k, r]),
  ]);
  await putObjects(standClient('za'), src, [
    ...common,
    ...sourceOnly,
    ...changed.map(([k, s]): [string, string] => [k, s]),
  ]);
  slowSource = await startFaultProxy({ target: za.endpoint, slowRate: 1, slowMs: 1_500 });
});

afterAll(async () => {
  await slowSource?.close();
  for (const [zone, bucket] of created) await emptyAndDeleteBucket(zone, bucket).catch(() => undefined);
});

/** The construct in a stack with an explicit environment, over the stand's buckets. */
function synthesize(over: Partial<ConsistencyAuditProps> = {}) {
  const app = testApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Audit', { env: { account: '111111111111', region: REPLICA_REGION } });
  const audit = new ConsistencyAudit(stack, 'Audit', {
    sourceBucketName: src,
    sourceRegion: SOURCE_REGION,
    replicaBucketName: dst,
    replicaRegion: REPLICA_REGION,
    lagWindow: Duration.seconds(0),
    ...over,
  });
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as any);
  const { definition, functionArns } = synthesizedDefinition(stack, id(audit.stateMachine));
  const reportsRef = id(audit.reportsBucket as any);
  const synthesized = synthesizedEnvironment(stack, id(audit.handler), { [reportsRef]: reports });
  // What the construct chose, before the stand's regions and endpoints replace the AWS ones.
  expect(synthesized).toMatchObject({
    SOURCE_BUCKET: src,
    SOURCE_REGION,
    REPLICA_BUCKET: dst,
    REPLICA_REGION,
    REPORTS_BUCKET: reports,
    REPORTS_REGION: REPLICA_REGION,
  });
  const env: Record<string, string> = {
    ...synthesized,
    SOURCE_REGION: za.region,
    REPLICA_REGION: zb.region,
    REPORTS_REGION: zb.region,
    SOURCE_ENDPOINT: za.endpoint,
    REPLICA_ENDPOINT: zb.endpoint,
    REPORTS_ENDPOINT: zb.endpoint,
  };
  const schedule = Object.values(Template.fromStack(stack).findResources('AWS::Scheduler::Schedule'))[0] as any;
  return {
    definition,
    functionArn: functionArns[id(audit.handler)],
    env,
    /** The input the schedule starts every execution with. */
    scheduledInput: JSON.parse(schedule.Properties.Target.Input),
  };
}

/** The audit handler as Lambda would run it, with a chosen context and environment per invocation. */
function auditLambda(
  env: Record<string, string>,
  emf: string[],
  choose: (event: any, count: number) => { context?: LambdaContextLike; env?: Record<string, string> } = () => ({}),
): LocalLambda {
  return async (event, { count }) => {
    const chosen = choose(event, count);
    // The handler's own dispatch: a plan event gets the ranges, any other an audit invocation.
    return invokeAudit(event, chosen.context ?? FULL_TIME, {
      env: { ...env, ...chosen.env },
      emit: (line) => emf.push(line),
    });
  };
}

async function readReport(key: string): Promise<AuditReport> {
  const out = await standClient('zb').send(new GetObjectCommand({ Bucket: reports, Key: key }));
  return JSON.parse(await out.Body!.transformToString()) as AuditReport;
}

/** The summary minus what differs between two runs made at different times. */
function comparable(summary: AuditSummary) {
  const { requests: _r, retries: _t, durationMs: _d, startedAt: _s, maxObservedLagSeconds: _l, ...rest } = summary;
  return rest;
}
const kindsAndKeys = (records: readonly AuditRecord[]) => records.map((r) => [r.kind, r.key]);

/** What a direct handler run, no state machine, reports: the reference for every execution. */
let reference: AuditReport;
const PLANTED = [
  ['missing', '0/missing'],
  ['extra', 'a/extra'],
  ['size-mismatch', 'b/size'],
  ['missing', 'h/missing'],
  ['extra', 'i/extra'],
  ['content-mismatch', 'k/content'],
  ['missing', 'r/missing'],
  ['size-mismatch', 's/size'],
  ['extra', 'z/extra'],
];

describe('the single-range audit (the checkpoint loop)', () => {
  test('an execution succeeds and reports what a direct handler run reports', async () => {
    const { definition, functionArn, env, scheduledInput } = synthesize();
    const direct = await auditInvocation({ runId: 'direct' }, FULL_TIME, { env, emit: () => undefined });
    reference = await readReport(direct.reportKey);
    expect(kindsAndKeys(reference.discrepancies)).toEqual(PLANTED);

    const emf: string[] = [];
    const run = await runLocally(definition, scheduledInput, {
      executionName: 'single',
      lambdas: { [functionArn]: auditLambda(env, emf) },
    });
    expect(run.error).toBeUndefined();
    expect(scheduledInput).toEqual({});
    expect(run.invocations.map((i) => [i.state, i.event])).toEqual([['AuditRange', {}]]);
    expect(run.output.status).toBe('complete');
    const report = await readReport(run.output.reportKey);
    expect(report.status).toBe('complete');
    expect(comparable(report.summary)).toEqual(comparable(reference.summary));
    expect(report.discrepancies).toEqual(reference.discrepancies);
    expect(emf.map((l) => JSON.parse(l).Discrepancies)).toEqual([PLANTED.length]);
  });

  test('a run interrupted mid-range resumes from its checkpoint and reports what an uninterrupted run does', async () => {
    const { definition, functionArn, env, scheduledInput } = synthesize();
    const emf: string[] = [];
    // The first invocation has one second left and a source slower than that: it stops early.
    const lambda = auditLambda(env, emf, (_event, count) =>
      count === 1 ? { context: LITTLE_TIME, env: { SOURCE_ENDPOINT: slowSource.endpoint } } : {},
    );
    const run = await runLocally(definition, scheduledInput, {
      executionName: 'interrupted',
      lambdas: { [functionArn]: lambda },
    });
    expect(run.error).toBeUndefined();
    const [first, second, ...rest] = run.invocations;
    expect(first.result.status).toBe('partial');
    expect(first.result.checkpoint.lastKey).toBe('0/missing');
    expect(first.result.summary.keys).toBe(1);
    // The loop sends the checkpoint back, and the next invocation finishes the range.
    expect(second.event).toEqual({ range: first.result.checkpoint.range, checkpoint: first.result.checkpoint });
    expect(second.result.status).toBe('complete');
    expect(rest).toEqual([]);
    expect(run.output).toEqual(second.result);
    const report = await readReport(run.output.reportKey);
    expect(comparable(report.summary)).toEqual(comparable(reference.summary));
    expect(report.discrepancies).toEqual(reference.discrepancies);
    // A partial invocation emits nothing: the run's metrics come once, from the invocation that completes it.
    expect(emf.map((l) => JSON.parse(l).Discrepancies)).toEqual([PLANTED.length]);
  });
});

describe('the distributed audit (a Distributed Map over key ranges, then the merge step)', () => {
  test('every range runs its loop and the merged report equals the single-range report', async () => {
    const { definition, functionArn, env, scheduledInput } = synthesize({ keyRangeBoundaries: ['g', 'n'] });
    const emf: string[] = [];
    const lambda = auditLambda(env, emf, (event) =>
      // The middle range is interrupted once, so it goes round its checkpoint loop inside the map.
      event.range?.startAfter === 'g' && !event.checkpoint
        ? { context: LITTLE_TIME, env: { SOURCE_ENDPOINT: slowSource.endpoint } }
        : {},
    );
    let throttled = 0;
    const run = await runLocally(definition, scheduledInput, {
      executionName: 'distributed',
      lambdas: {
        [functionArn]: async (event, invocation) => {
          // Lambda throttles the first range's first invocation once: the definition's Retry covers it.
          if (event.range?.endAt === 'g' && !event.checkpoint && throttled++ === 0) {
            throw Object.assign(new Error('Rate exceeded'), { name: 'Lambda.ServiceException' });
          }
          return lambda(event, invocation);
        },
      },
    });
    expect(run.error).toBeUndefined();
    expect(scheduledInput).toEqual({
      ranges: [{ range: { endAt: 'g' } }, { range: { startAfter: 'g', endAt: 'n' } }, { range: { startAfter: 'n' } }],
    });
    const inRange = run.invocations.filter((i) => i.state === 'AuditRangeInRange');
    const first = (range: object) => inRange.filter((i) => !i.event.checkpoint && equal(i.event.range, range));
    expect(first({ endAt: 'g' }).map((i) => i.error?.name ?? i.result.status)).toEqual([
      'Lambda.ServiceException',
      'complete',
    ]);
    for (const { range } of scheduledInput.ranges)
      expect(first(range)[0].event).toEqual({ range, runId: 'distributed', emitMetrics: false });
    const resumed = inRange.filter((i) => i.event.checkpoint);
    expect(resumed.map((i) => [i.event.range, i.result.status])).toEqual([
      [{ startAfter: 'g', endAt: 'n' }, 'complete'],
    ]);
    expect(first({ startAfter: 'g', endAt: 'n' })[0].result.status).toBe('partial');

    const merges = run.invocations.filter((i) => i.state === 'MergeRangeReports');
    expect(merges.map((i) => i.event)).toEqual([
      { merge: { runId: 'distributed', ranges: scheduledInput.ranges.map((r: any) => r.range) } },
    ]);
    expect(run.output).toEqual(merges[0].result);
    expect(run.output.reportKey).toBe('audits/distributed/report.json');
    const merged = await readReport(run.output.reportKey);
    expect(merged.status).toBe('complete');
    expect(comparable(merged.summary)).toEqual(comparable(reference.summary));
    expect(kindsAndKeys(merged.discrepancies)).toEqual(kindsAndKeys(reference.discrepancies));
    expect(merged.unverified).toEqual(reference.unverified);
    // The ranges leave the metrics to the merge step, which emits them once for the run.
    expect(emf.map((l) => JSON.parse(l).Discrepancies)).toEqual([PLANTED.length]);
  });

  test('a range that fails fails the execution, and nothing is merged', async () => {
    const { definition, functionArn, env, scheduledInput } = synthesize({ keyRangeBoundaries: ['g', 'n'] });
    const gone = uniqueBucketName('gone');
    // The last range's invocations find no replica bucket: the handler's own error, not retried.
    const lambda = auditLambda(env, [], (event) =>
      event.range?.startAfter === 'n' ? { env: { REPLICA_BUCKET: gone } } : {},
    );
    const run = await runLocally(definition, scheduledInput, {
      executionName: 'failing',
      lambdas: { [functionArn]: lambda },
    });
    expect(run.error).toBeDefined();
    expect(run.error!.message).toContain(`the replica bucket "${gone}" could not be read: NoSuchBucket`);
    expect(run.output).toBeUndefined();
    const failed = run.invocations.filter((i) => i.error);
    expect(failed.map((i) => [i.event.range, i.error!.name])).toEqual([[{ startAfter: 'n' }, 'AccessError']]);
    expect(run.invocations.filter((i) => i.state === 'MergeRangeReports')).toEqual([]);
    const written = await standClient('zb').send(
      new ListObjectsV2Command({ Bucket: reports, Prefix: 'audits/failing/' }),
    );
    const keys = (written.Contents ?? []).map((c) => c.Key);
    expect(keys).not.toContain('audits/failing/report.json');
  });
});

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

describe('the self-planned distributed audit (rangeCount: a planning step, the Distributed Map, the merge)', () => {
  test('the first run samples the source, the next plans from its page boundaries; both merge to the single-range report', async () => {
    const { definition, functionArn, env, scheduledInput } = synthesize({ rangeCount: 3 });
    expect(scheduledInput).toEqual({});
    // No boundaries saved by an earlier run of this file: the first plan must sample.
    await standClient('zb').send(new DeleteObjectCommand({ Bucket: reports, Key: 'audits/page-ends.json' }));
    const emf: string[] = [];
    const runs = [];
    for (const executionName of ['planned-1', 'planned-2']) {
      const run = await runLocally(definition, scheduledInput, {
        executionName,
        lambdas: { [functionArn]: auditLambda(env, emf) },
      });
      expect(run.error).toBeUndefined();
      runs.push(run);
    }
    for (const [i, run] of runs.entries()) {
      const plans = run.invocations.filter((x) => x.state === 'PlanRanges');
      expect(plans.map((x) => x.event)).toEqual([{ plan: { count: 3 } }]);
      const plan = plans[0].result;
      expect(plan.plannedFrom).toBe(i === 0 ? 'sample' : 'page-ends');
      // About 90 keys: one probe lists them all; the next run sends none.
      expect(plan.planRequests).toBe(i === 0 ? 1 : 0);
      expect(plan.ranges).toHaveLength(3);
      const ranges = plan.ranges.map((r: any) => r.range);
      expect(ranges[0].startAfter).toBeUndefined();
      expect(ranges[2].endAt).toBeUndefined();
      expect(ranges[1].startAfter).toBe(ranges[0].endAt);
      expect(ranges[2].startAfter).toBe(ranges[1].endAt);
      // The map ran one checkpoint loop per planned range, with the run's id, leaving metrics to the merge.
      const firsts = run.invocations.filter((x) => x.state === 'AuditRangeInRange').map((x) => x.event);
      // Ranges run concurrently: compared in any order.
      const byRange = (a: any, b: any) => JSON.stringify(a.range).localeCompare(JSON.stringify(b.range));
      expect([...firsts].sort(byRange)).toEqual(
        ranges.map((range: any) => ({ range, runId: `planned-${i + 1}`, emitMetrics: false })).sort(byRange),
      );
      const merges = run.invocations.filter((x) => x.state === 'MergeRangeReports');
      expect(merges.map((x) => x.event)).toEqual([{ merge: { runId: `planned-${i + 1}`, ranges } }]);
      const merged = await readReport(run.output.reportKey);
      expect(merged.status).toBe('complete');
      expect(comparable(merged.summary)).toEqual(comparable(reference.summary));
      expect(kindsAndKeys(merged.discrepancies)).toEqual(kindsAndKeys(reference.discrepancies));
      expect(merged.unverified).toEqual(reference.unverified);
      // The merged report lists the ranges with the keys each saw: about a third each, all of them once.
      const listed = (merged as any).ranges;
      expect(listed.map((r: any) => r.range)).toEqual(ranges);
      const held: number[] = listed.map((r: any) => r.keys);
      expect(held.reduce((a, b) => a + b, 0)).toBe(merged.summary.keys);
      for (const k of held) expect(k).toBeGreaterThanOrEqual(merged.summary.keys / 6);
      expect((merged as any).balance).toBe(describeBalance(rangeBalance(held)));
      expect(run.output.balance).toBe((merged as any).balance);
    }
    expect(emf.map((l) => JSON.parse(l).Discrepancies)).toEqual([PLANTED.length, PLANTED.length]);
  });
});
