/**
 * The audit at scale (default 1,000,000 objects), on the local stand, against rclone in the same
 * run: the single-range CLI audit, `--parallel 4`, `rclone check --fast-list --checkers 32`, and
 * the distributed audit (the ConsistencyAudit state machine, synthesized with rangeCount =
 * maxConcurrency = C, executed by the local interpreter with every Lambda invocation run by the
 * real handler in a child process, timed for its peak memory).
 *
 *   npm run bench:scale -- [--objects 1000000] [--concurrency 2,4,8] [--plant-concurrency 64]
 *                          [--reuse] [--plant-only] [--versioned]
 *
 * Zero-byte objects, keys skewed over folders: half in one big folder, the rest in 1,000 small
 * ones, planted --plant-concurrency PUTs at a time, in unversioned buckets unless --versioned.
 * Why unversioned: the audit and rclone read both kinds through the same ListObjectsV2 pages, but
 * Ceph keeps more bucket-index entries per object in a versioned bucket, which slows planting
 * (256 against 345-378 objects/s measured on the two-core stand) and the listings of both tools.
 * Planting takes long: --reuse audits the newest scale-src-<n>-* / scale-rep-<n>-* pair, first
 * planting what it lacks (an interrupted planting resumes), and --plant-only stops after planting.
 * --concurrency lists the distributed audit's range counts.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsistencyAudit } from '../lib';
import { testApp } from '../test/support/app';
import { oneZonePairArgs, startZone, stopZone } from '../test/support/stand';
import { LocalLambda, runLocally, synthesizedDefinition, synthesizedEnvironment } from '../test/support/state-machine';
import { flagArg, numberArg, stringArg } from './args';
import {
  buildCli,
  client,
  createBucket,
  fmt,
  listSizes,
  peers,
  rcloneCheck,
  rcloneDifferences,
  ROOT,
  stand,
  StandEnv,
  timed,
} from './common';

/** Half the keys in one folder, the other half over 1,000 small folders, in a stable order. */
export function scaleKeys(n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    i % 2 === 0
      ? `big/obj-${String(i).padStart(8, '0')}`
      : `f${String((i >> 1) % 1000).padStart(4, '0')}/obj-${String(i).padStart(8, '0')}`,
  );
}

export interface Planted {
  readonly missing: string[];
  readonly extra: string[];
  readonly size: string[];
}

/** The differences planted in the replica, from the key list: fixed, so a reused pair has them too. */
function plantedDifferences(keys: string[]): Planted {
  const at = (f: number) => keys[Math.floor(keys.length * f)];
  return {
    missing: [at(0.001), at(0.25), at(0.5), at(0.75), at(0.999)].filter((k, i, a) => a.indexOf(k) === i),
    size: [at(0.1), at(0.6), at(0.9)],
    extra: ['big/zz-extra-1', 'f0500/zz-extra-2', 'f0999/zz-extra-3'],
  };
}

/** A client for bulk writes: keep-alive sockets, as many as the concurrency. */
function bulkClient(env: StandEnv, sockets: number): S3Client {
  const za = env.zones.za;
  return new S3Client({
    region: za.region,
    endpoint: za.endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
    maxAttempts: 10,
    // The SDK builds its HTTP handler from these options: no direct dependency on its package.
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: sockets }) },
  });
}

const BODIES = [new Uint8Array(0), new Uint8Array([0x78])];

/** PUTs every write at a fixed concurrency; prints progress. */
async function plantAll(c: S3Client, writes: readonly Write[], concurrency: number): Promise<void> {
  let next = 0;
  let done = 0;
  const t0 = Date.now();
  const worker = async () => {
    while (next < writes.length) {
      const [Bucket, Key, size] = writes[next++];
      await c.send(new PutObjectCommand({ Bucket, Key, Body: BODIES[size], ContentLength: size }));
      if (++done % 20000 === 0) {
        const s = (Date.now() - t0) / 1000;
        process.stderr.write(`  planted ${done}/${writes.length} (${fmt(done / s, 0)} objects/s)\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export interface Pair {
  readonly src: string;
  readonly rep: string;
  readonly keys: string[];
  readonly planted: Planted;
  /** The PUTs of this run and the seconds they took; undefined when a full pair was reused. */
  readonly planting?: { readonly puts: number; readonly seconds: number };
}

/** A PUT of the pair: bucket, key, and the object's size (0, or 1 for the planted size changes). */
type Write = [bucket: string, key: string, size: number];

/** Every PUT of a full pair, interleaved so both buckets fill at the same pace. */
function pairWrites(src: string, rep: string, keys: readonly string[], planted: Planted): Write[] {
  const missing = new Set(planted.missing);
  const resized = new Set(planted.size);
  const writes: Write[] = [];
  for (const k of keys) {
    writes.push([src, k, 0]);
    // The size changes: one byte in the replica where the source has none.
    if (!missing.has(k)) writes.push([rep, k, resized.has(k) ? 1 : 0]);
  }
  for (const k of planted.extra) writes.push([rep, k, 0]);
  return writes;
}

/**
 * Finds the pair to audit, planting what it lacks. With --reuse, the newest scale-src-<n>-* pair:
 * as it is when it holds every object, otherwise completed (an interrupted planting resumes where
 * it stopped, checked by listing both buckets). Without it, or with no such pair, a new pair.
 */
export async function preparePair(env: StandEnv, n: number, concurrency: number): Promise<Pair> {
  const keys = scaleKeys(n);
  const planted = plantedDifferences(keys);
  const c = client(env, 'za');
  let src: string | undefined;
  let rep: string | undefined;
  let writes: Write[];
  if (flagArg('reuse')) {
    const newest = ((await c.send(new ListBucketsCommand({}))).Buckets ?? [])
      .filter((b) => b.Name?.startsWith(`scale-src-${n}-`))
      .sort((a, b) => (b.CreationDate?.getTime() ?? 0) - (a.CreationDate?.getTime() ?? 0))[0];
    src = newest?.Name;
  }
  rep = src?.replace('scale-src-', 'scale-rep-');
  // A pair interrupted before its replica bucket was created is not resumed: a new one is planted.
  const [have, haveRep] =
    src && rep ? await Promise.all([listSizes(c, src), listSizes(c, rep).catch(() => undefined)]) : [];
  if (src && rep && have && haveRep) {
    const there = (w: Write) => (w[0] === src ? have : haveRep).get(w[1]) === w[2];
    writes = pairWrites(src, rep, keys, planted).filter((w) => !there(w));
    process.stderr.write(
      writes.length === 0
        ? `reusing ${src} (${have.size} keys) and ${rep} (${haveRep.size} keys)\n`
        : `resuming the planting of ${src} (${have.size} keys) and ${rep} (${haveRep.size} keys): ${writes.length} PUTs left\n`,
    );
  } else {
    const tag = Date.now().toString(36);
    src = `scale-src-${n}-${tag}`;
    rep = `scale-rep-${n}-${tag}`;
    const versioned = flagArg('versioned');
    await createBucket(c, src, { replicate: false, versioned });
    await createBucket(c, rep, { replicate: false, versioned });
    writes = pairWrites(src, rep, keys, planted);
    process.stderr.write(
      `planting ${writes.length} objects in ${src} and ${rep} (${versioned ? 'versioned' : 'unversioned'}), ${concurrency} at a time\n`,
    );
  }
  // Everything here goes through zone za, in buckets whose sync is disabled: zb would only take CPU
  // from the two-core stand. Stopped once the buckets exist (disabling sync waits for zb to see it),
  // started again when the benchmark ends.
  await stopZone('zb');
  if (writes.length === 0) return { src, rep, keys, planted };
  const t0 = process.hrtime.bigint();
  await plantAll(bulkClient(env, concurrency), writes, concurrency);
  const plantSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `planting: ${writes.length} PUTs in ${fmt(plantSeconds, 0)} s, ` +
      `${fmt(writes.length / plantSeconds, 0)} objects/s at concurrency ${concurrency}`,
  );
  return { src, rep, keys, planted, planting: { puts: writes.length, seconds: plantSeconds } };
}

/** The CLI audit's arguments (as bench/audit.ts): both buckets through zone za, no lag window. */
function auditArgs(za: { endpoint: string; region: string }, pair: Pair, report: string): string[] {
  return ['audit', ...oneZonePairArgs(za, pair.src, pair.rep), '--report', report];
}

/** What a report found against what was planted: "11/11" or "... MISMATCH". */
function verdict(discrepancies: { key: string; kind: string }[], planted: Planted): string {
  const expected = new Map<string, string>([
    ...planted.missing.map((k): [string, string] => [k, 'missing']),
    ...planted.extra.map((k): [string, string] => [k, 'extra']),
    ...planted.size.map((k): [string, string] => [k, 'size-mismatch']),
  ]);
  const found = new Map(discrepancies.map((d) => [d.key, d.kind]));
  const exact = found.size === expected.size && [...expected].every(([k, kind]) => found.get(k) === kind);
  return `${found.size}/${expected.size}${exact ? '' : ' MISMATCH'}`;
}

interface Row {
  readonly tool: string;
  readonly seconds: number;
  readonly found: string;
  /** ListObjectsV2 pages, planning excluded. */
  readonly lists?: number;
  /** Every request of the ranges (lists, lookups, HEADs), where only the total is reported. */
  readonly requests?: number;
  readonly planLists?: number;
  readonly rssMiB: string;
  readonly ranges?: string;
}

/** One Lambda invocation in a child process under GNU time. */
interface ChildInvocation {
  readonly state: string;
  readonly seconds: number;
  readonly maxRssKiB: number;
  readonly result: any;
}

/**
 * The ConsistencyAudit state machine with rangeCount = maxConcurrency = `c`, executed by the
 * local interpreter; every Lambda invocation runs the real handler in a child process
 * (bench/scale-invoke.mjs: the bundled handler, as deployed) with the environment the construct
 * synthesized, endpoints and regions swapped for the stand's zone za. A fresh reports bucket: the
 * first plan samples the source.
 */
async function distributed(env: StandEnv, pair: Pair, c: number, work: string): Promise<Row> {
  const za = env.zones.za;
  const s3 = client(env, 'za');
  const reports = `scale-reports-${c}-${Date.now().toString(36)}`;
  // Sync left on: disabling it waits for zb, which is stopped while the benchmark runs.
  await createBucket(s3, reports);
  const app = testApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Audit', { env: { account: '111111111111', region: 'us-west-2' } });
  const audit = new ConsistencyAudit(stack, 'Audit', {
    sourceBucketName: pair.src,
    sourceRegion: 'us-east-1',
    replicaBucketName: pair.rep,
    replicaRegion: 'us-west-2',
    lagWindow: Duration.seconds(0),
    rangeCount: c,
    maxConcurrency: c,
  });
  const id = (x: { node: { defaultChild?: unknown } }) => stack.getLogicalId(x.node.defaultChild as any);
  const { definition, functionArns } = synthesizedDefinition(stack, id(audit.stateMachine));
  const synthesized = synthesizedEnvironment(stack, id(audit.handler), { [id(audit.reportsBucket as any)]: reports });
  const fnEnv = {
    ...synthesized,
    SOURCE_REGION: za.region,
    REPLICA_REGION: za.region,
    REPORTS_REGION: za.region,
    SOURCE_ENDPOINT: za.endpoint,
    REPLICA_ENDPOINT: za.endpoint,
    REPORTS_ENDPOINT: za.endpoint,
  };
  const invocations: ChildInvocation[] = [];
  let seq = 0;
  const lambda: LocalLambda = async (event, { state }) => {
    const file = join(work, `invoke-${c}-${seq++}.json`);
    writeFileSync(file, JSON.stringify({ event, env: fnEnv }));
    const r = await timed(process.execPath, [join(__dirname, 'scale-invoke.mjs'), file]);
    if (r.code !== 0) throw new Error(`${state} failed: ${r.stderr.slice(-2000)}`);
    const result = JSON.parse(readFileSync(`${file}.out`, 'utf8'));
    invocations.push({ state, seconds: r.seconds, maxRssKiB: r.maxRssKiB, result });
    return result;
  };
  const t0 = process.hrtime.bigint();
  const run = await runLocally(
    definition,
    {},
    {
      executionName: `scale-${c}`,
      lambdas: { [functionArns[id(audit.handler)]]: lambda },
    },
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (run.error) throw run.error;
  const read = async (key: string) =>
    JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: reports, Key: key }))).Body!.transformToString());
  const merged = await read(run.output.reportKey);
  const plan = invocations.find((x) => x.state === 'PlanRanges')!.result;
  // Each range's own report: its objects and its requests.
  const parts = await Promise.all(
    (merged.ranges as { report: string }[]).map((r) => read(r.report.replace(`s3://${reports}/`, ''))),
  );
  const objects = parts.map((p) => p.summary.source.objects as number);
  // A range's report gives its requests as one total (lists, one-key version lookups, HEADs).
  const requests = parts.reduce((a, p) => a + (p.summary.requests as number), 0);
  const rangeRuns = invocations.filter((x) => x.state !== 'PlanRanges' && x.state !== 'MergeRangeReports');
  const rss = rangeRuns.map((x) => x.maxRssKiB / 1024);
  // The handler's own time (summary.durationMs): the child process's start excluded.
  const perRange = rangeRuns.map((x) => x.result.summary.source.objects / (x.result.summary.durationMs / 1000));
  console.error(
    `  C=${c}: ${invocations.map((x) => `${x.state} ${fmt(x.seconds, 1)} s ${fmt(x.maxRssKiB / 1024, 0)} MiB`).join('; ')}`,
  );
  return {
    tool: `distributed audit, rangeCount = maxConcurrency = ${c} (plan ${plan.plannedFrom})`,
    seconds,
    found: verdict(merged.discrepancies, pair.planted),
    requests,
    planLists: plan.planRequests,
    rssMiB: `${fmt(Math.min(...rss), 0)}-${fmt(Math.max(...rss), 0)} per range`,
    ranges:
      `${rangeRuns.length} invocations; objects per range ${Math.min(...objects)}-${Math.max(...objects)}; ` +
      `per-range objects/s ${fmt(Math.min(...perRange), 0)}-${fmt(Math.max(...perRange), 0)} (handler time)`,
  };
}

async function main() {
  const n = numberArg('objects', 1000000);
  const plantConcurrency = numberArg('plant-concurrency', 64);
  const concurrencies = stringArg('concurrency', '2,4,8').split(',').map(Number);
  const positive = (x: number) => Number.isInteger(x) && x > 0;
  if (!positive(n)) throw new Error('--objects must be a positive integer');
  if (!positive(plantConcurrency)) throw new Error('--plant-concurrency must be a positive integer');
  if (!concurrencies.every(positive)) throw new Error('--concurrency must be positive integers, comma-separated');
  const plantOnly = flagArg('plant-only');
  const env = stand();
  // Three radosgw log lines a request cost a third of the stand's throughput at this scale.
  execFileSync('bash', [join(ROOT, 'scripts', 'stand.sh'), 'quiet-logs'], { stdio: ['ignore', 'ignore', 'inherit'] });
  // Before planting: a missing peer is installed (or fails) before the long part, not after it.
  const peer = plantOnly ? undefined : peers('rclone');
  const pair = await preparePair(env, n, plantConcurrency);
  if (!peer) return;
  const za = env.zones.za;
  const work = mkdtempSync(join(tmpdir(), 'scale-bench-'));
  const cli = buildCli();
  const rows: Row[] = [];
  // Each row is printed as soon as it is measured: a later failure does not lose it.
  const record = (row: Row) => {
    rows.push(row);
    process.stderr.write(`  ${JSON.stringify(row)}\n`);
  };
  const cliRow = async (tool: string, extra: string[]) => {
    const report = join(work, `report-${rows.length}.json`);
    const r = await timed(process.execPath, [cli, ...auditArgs(za, pair, report), ...extra]);
    if (r.code !== 0 && r.code !== 1) throw new Error(`${tool} exited ${r.code}: ${r.stderr.slice(-2000)}`);
    const out = JSON.parse(readFileSync(report, 'utf8'));
    record({
      tool,
      seconds: r.seconds,
      found: verdict(out.discrepancies, pair.planted),
      lists: out.requestsByOperation?.ListObjectsV2Command,
      rssMiB: fmt(r.maxRssKiB / 1024, 0),
    });
  };
  process.stderr.write('single-range audit\n');
  await cliRow('cdk-s3-dr audit (single range)', []);
  process.stderr.write('audit --parallel 4\n');
  await cliRow('cdk-s3-dr audit --parallel 4', ['--parallel', '4']);
  process.stderr.write('rclone check\n');
  const rc = await rcloneCheck(peer.rclone, env, pair.src, pair.rep);
  const rcFound = rcloneDifferences(rc);
  const expected = pair.planted.missing.length + pair.planted.extra.length + pair.planted.size.length;
  record({
    tool: 'rclone check --fast-list --checkers 32',
    seconds: rc.seconds,
    found: `${rcFound}/${expected}${rcFound === expected ? '' : ' MISMATCH'}`,
    rssMiB: fmt(rc.maxRssKiB / 1024, 0),
  });
  for (const c of concurrencies) {
    process.stderr.write(`distributed audit, ${c} ranges\n`);
    record(await distributed(env, pair, c, work));
  }

  const floor = Math.ceil(n / 1000) + Math.ceil((n - pair.planted.missing.length + pair.planted.extra.length) / 1000);
  const single = rows[0].seconds;
  const rclone = rows[2].seconds;
  console.log(
    `\naudit at ${n} zero-byte objects (half in one folder, half in 1,000), ${expected} planted differences, one round`,
  );
  if (pair.planting)
    console.log(
      `planting took ${fmt(pair.planting.seconds, 0)} s for ${pair.planting.puts} PUTs (${fmt(pair.planting.puts / pair.planting.seconds, 0)} objects/s)`,
    );
  console.log(
    '| tool | wall s | objects/s | vs single range | vs rclone | found | ListObjectsV2 (floor ' +
      floor +
      ') | planning lists | peak RSS MiB | ranges |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.tool} | ${fmt(r.seconds, 1)} | ${fmt(n / r.seconds, 0)} | ${fmt(single / r.seconds)}x | ${fmt(rclone / r.seconds)}x | ${r.found} | ` +
        `${r.lists !== undefined ? `${r.lists} (${fmt(r.lists / floor, 3)}x)` : r.requests !== undefined ? `${r.requests} requests of all kinds (${fmt(r.requests / floor, 3)}x)` : '-'} | ${r.planLists ?? '-'} | ${r.rssMiB} | ${r.ranges ?? '-'} |`,
    );
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() =>
    startZone('zb').catch((err) =>
      process.stderr.write(`zone zb could not be started again (${err}): run \`bash scripts/stand.sh ensure\`\n`),
    ),
  );
