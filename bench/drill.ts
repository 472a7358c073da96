/**
 * Restore drill benchmark, on the local stand, against `aws s3 sync` (Debian's AWS CLI) in the
 * same run: the same objects restored from the replica zone into a scratch bucket. Both tools are
 * timed the same way, as whole commands from the moment they are spawned: start-up, listing and
 * copying included. The drill runs as the built command line (`node assets/cli/cdk-s3-dr.js
 * drill`); its time to restored is from its spawn to the `restoredAt` its report records (a
 * sync's whole run is a restore), and its whole run adds what a drill does after the restore
 * (verifies every object byte for byte, removes what it wrote). Prints medians, spreads and
 * ratios; asserts nothing about time.
 *
 * Fairness: each tool runs at its own defaults (the drill's 32 requests at once, `aws s3 sync`'s
 * 10), and mode `c10` runs the drill at the sync's 10 to show what the concurrency alone is worth.
 * The scratch bucket is not replicated (a restore target needs no copy; replicating it would make
 * each run's writes load the stand during the next run), every timed run starts on an idle stand,
 * and the order of the tools rotates from round to round.
 *
 *   npm run bench:drill -- [--objects 1000] [--size 65536] [--runs 5] [--modes default,c10,stream]
 *     [--cli <an earlier build's cdk-s3-dr.js>]
 *
 * Modes: default (no option), c10 (--concurrency 10; any cN), stream (--copy stream), server-side
 * (--copy server-side), server-side-copy (the older --server-side-copy flag, to measure an
 * earlier build with --cli).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  benchKeys,
  buildCli,
  client,
  countKeys,
  createBucket,
  fixedBody,
  fmt,
  peers,
  putAll,
  spread,
  stand,
  timed,
  waitForQuietStand,
} from './common';
import { numberArg, stringArg } from './args';

const MODE_ARGS: Record<string, string[]> = {
  default: [],
  c10: ['--concurrency', '10'],
  stream: ['--copy', 'stream'],
  'server-side': ['--copy', 'server-side'],
  'server-side-copy': ['--server-side-copy'],
};

/** One timed drill: seconds from spawn to restored and to exit, and what its report says. */
interface DrillRun {
  readonly restored: number;
  readonly whole: number;
  readonly copy: string;
  readonly verified: number;
  readonly cleanup: boolean;
}

async function main() {
  const n = numberArg('objects', 1000);
  const size = numberArg('size', 65536);
  const runs = numberArg('runs', 5);
  const modes = stringArg('modes', 'default,c10,stream').split(',');
  for (const m of modes) {
    // cN: the default at --concurrency N, for any N the drill accepts.
    const c = /^c([0-9]+)$/.exec(m);
    if (c) MODE_ARGS[m] ??= ['--concurrency', c[1]];
    if (!MODE_ARGS[m]) throw new Error(`unknown mode ${m}: use ${Object.keys(MODE_ARGS)} or cN`);
  }
  // (--cli: an earlier build, kept apart; by default, the asset built from this checkout.)
  const given = stringArg('cli', '');
  const cli = given ? resolve(given) : buildCli();
  if (!existsSync(cli)) throw new Error(`--cli ${given}: no such file`);
  const env = stand();
  const { aws: awsCli } = peers('aws');
  const work = mkdtempSync(join(tmpdir(), 'drill-bench-'));
  const za = client(env, 'za');
  const zb = client(env, 'zb');
  const tag = Date.now().toString(36);
  const data = `bench-drill-${tag}`;
  const scratch = `bench-scratch-${tag}`;
  await createBucket(za, data);
  await createBucket(za, scratch, { replicate: false });
  process.stderr.write(`writing ${n} objects of ${size} bytes to ${data} (zone za), waiting for zone zb\n`);
  await putAll(za, data, benchKeys(n), (k) => fixedBody(size, k), 16);
  for (let i = 0; i < 600 && (await countKeys(zb, data).catch(() => 0)) < n; i++)
    await new Promise((r) => setTimeout(r, 1000));

  const zbEp = env.zones.zb;
  let runId = 0;
  const drill = async (mode: string): Promise<DrillRun> => {
    const id = ++runId;
    const report = join(work, `drill-${id}.json`);
    const spawned = Date.now();
    const r = await timed(process.execPath, [
      cli,
      'drill',
      '--source',
      `s3://${data}`,
      '--replica',
      `s3://${data}`,
      '--restore-to',
      `s3://${scratch}/drill-${id}`,
      '--source-endpoint',
      env.zones.za.endpoint,
      '--replica-endpoint',
      zbEp.endpoint,
      '--source-region',
      zbEp.region,
      '--replica-region',
      zbEp.region,
      '--sample',
      String(n),
      '--sample-mode',
      'prefix',
      '--report',
      report,
      ...MODE_ARGS[mode],
    ]);
    if (r.code !== 0) process.stderr.write(`drill ${id} (${mode}) exit ${r.code}: ${r.stderr.slice(-400)}\n`);
    const rep = JSON.parse(readFileSync(report, 'utf8'));
    // Builds before `restoredAt` existed: the start plus the listing and the restore.
    const restoredAt = rep.restoredAt
      ? Date.parse(rep.restoredAt)
      : Date.parse(rep.startedAt) + (rep.durations.listSeconds + rep.durations.restoreSeconds) * 1000;
    if (rep.verified.objects !== n || !rep.cleanup.complete) {
      process.stderr.write(`drill ${id}: verified ${rep.verified.objects}/${n}, cleanup ${rep.cleanup.complete}\n`);
    }
    return {
      restored: (restoredAt - spawned) / 1000,
      whole: r.seconds,
      // (A build older than the report's plan.concurrency ran at its own default.)
      copy: `${rep.plan.copy}, ${rep.plan.concurrency ?? 'its default number'} at once`,
      verified: rep.verified.objects,
      cleanup: rep.cleanup.complete,
    };
  };
  const awsEnv = {
    ...process.env,
    AWS_DEFAULT_REGION: zbEp.region,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
  const aws = async (i: number): Promise<number> => {
    const a = await timed(
      awsCli,
      ['s3', 'sync', `s3://${data}`, `s3://${scratch}/aws-${i}`, '--endpoint-url', zbEp.endpoint, '--only-show-errors'],
      awsEnv,
    );
    if (a.code !== 0) process.stderr.write(`aws s3 sync exit ${a.code}: ${a.stderr.slice(-400)}\n`);
    return a.seconds;
  };

  const drills: Record<string, DrillRun[]> = Object.fromEntries(modes.map((m) => [m, []]));
  const peer: number[] = [];
  const order = [...modes, 'aws'];
  for (let i = 0; i < runs; i++) {
    const line: string[] = [];
    for (let k = 0; k < order.length; k++) {
      const tool = order[(i + k) % order.length];
      const waited = await waitForQuietStand();
      if (tool === 'aws') {
        peer.push(await aws(i));
        line.push(`aws ${fmt(peer[i], 1)} s`);
      } else {
        const d = await drill(tool);
        drills[tool].push(d);
        line.push(`${tool} ${fmt(d.restored, 1)} s to restored, ${fmt(d.whole, 1)} s whole`);
      }
      line[line.length - 1] += ` (after ${fmt(waited, 0)} s idle wait)`;
    }
    process.stderr.write(`round ${i + 1}: ${line.join('; ')}\n`);
  }

  const rate = (s: number) => n / s;
  console.log(`\ndrill benchmark: ${n} objects x ${size} bytes restored from zone zb, ${runs} rounds`);
  console.log('median (lowest-highest) over the rounds; every figure from spawn to the event, start-up included');
  console.log('| command | copies | seconds to restored | objects/s to restored | whole command, seconds |');
  console.log('|---|---|---|---|---|');
  for (const m of modes) {
    const ds = drills[m];
    console.log(
      `| cdk-s3-dr drill ${MODE_ARGS[m].join(' ') || '(default)'} | ${ds[0].copy} | ${spread(ds.map((d) => d.restored))} | ${spread(
        ds.map((d) => rate(d.restored)),
        0,
      )} | ${spread(ds.map((d) => d.whole))} (restore, verify, clean up) |`,
    );
  }
  console.log(
    `| aws s3 sync s3:// s3:// | CopyObject, 10 at once | ${spread(peer)} | ${spread(peer.map(rate), 0)} | ${spread(peer)} |`,
  );
  for (const m of modes) {
    const ds = drills[m];
    const toRestored = ds.map((d, i) => peer[i] / d.restored);
    const whole = ds.map((d, i) => peer[i] / d.whole);
    console.log(
      `ratio ${m} vs aws s3 sync, to restored: ${spread(toRestored)}x (rounds ${toRestored.map((x) => fmt(x)).join(', ')}); whole drill (restore + verify + cleanup) vs sync: ${spread(whole)}x`,
    );
  }
  const all = modes.flatMap((m) => drills[m]);
  console.log(
    `verified ${Math.min(...all.map((d) => d.verified))}-${Math.max(...all.map((d) => d.verified))}/${n} per drill, cleanup complete in ${all.filter((d) => d.cleanup).length}/${all.length}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
