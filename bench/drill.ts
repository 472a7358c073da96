/**
 * Restore drill benchmark, on the local stand, against `aws s3 sync` (Debian's AWS CLI) in the
 * same run: the same objects restored from the replica zone into a scratch bucket. The drill is
 * run as a user runs it (the packed and installed `cdk-s3-dr` bin). Prints restore throughput
 * and the ratios; asserts nothing about time.
 *
 * Fairness: the scratch bucket is not replicated (a restore target needs no copy; replicating
 * it would make each run's writes load the stand during the next run), every timed run starts
 * on an idle stand, and the order of the three tools rotates from round to round.
 *
 *   npm run bench:drill -- [--objects 1000] [--size 65536] [--runs 5]
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  benchKeys,
  client,
  createVersionedBucket,
  fixedBody,
  fmt,
  installCli,
  putAll,
  stand,
  timed,
  waitForQuietStand,
} from './common';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function count(c: ReturnType<typeof client>, bucket: string): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    const page = await c.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    n += page.KeyCount ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  return n;
}

async function main() {
  const n = arg('objects', 1000);
  const size = arg('size', 65536);
  const runs = arg('runs', 5);
  const env = stand();
  if (
    !(() => {
      try {
        execFileSync('test', ['-x', '/usr/bin/aws']);
        return true;
      } catch {
        return false;
      }
    })()
  ) {
    execFileSync(
      'sh',
      [
        '-c',
        'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends awscli',
      ],
      { stdio: 'inherit' },
    );
  }
  const bin = installCli();
  const work = mkdtempSync(join(tmpdir(), 'drill-bench-'));
  const za = client(env, 'za');
  const zb = client(env, 'zb');
  const tag = Date.now().toString(36);
  const data = `bench-drill-${tag}`;
  const scratch = `bench-scratch-${tag}`;
  await createVersionedBucket(za, data);
  await createVersionedBucket(za, scratch, { replicate: false });
  process.stderr.write(`writing ${n} objects of ${size} bytes to ${data} (zone za), waiting for zone zb\n`);
  await putAll(za, data, benchKeys(n), (k) => fixedBody(size, k), 16);
  for (let i = 0; i < 600 && (await count(zb, data).catch(() => 0)) < n; i++)
    await new Promise((r) => setTimeout(r, 1000));

  const zbEp = env.zones.zb;
  const drill = (i: number, extra: string[] = []) =>
    timed(bin, [
      'drill',
      '--source',
      `s3://${data}`,
      '--replica',
      `s3://${data}`,
      '--restore-to',
      `s3://${scratch}/drill-${i}`,
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
      '--concurrency',
      '10',
      '--report',
      join(work, `drill-${i}.json`),
      ...extra,
    ]);
  const awsEnv = {
    ...process.env,
    AWS_DEFAULT_REGION: zbEp.region,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
  const aws = (i: number) =>
    timed(
      '/usr/bin/aws',
      ['s3', 'sync', `s3://${data}`, `s3://${scratch}/aws-${i}`, '--endpoint-url', zbEp.endpoint, '--only-show-errors'],
      awsEnv,
    );

  interface Drilled {
    restore: number;
    listAndRestore: number;
  }
  const readDrill = async (id: number, extra: string[] = []): Promise<Drilled> => {
    const r = await drill(id, extra);
    if (r.code !== 0) process.stderr.write(`drill ${id} ${extra.join(' ')} exit ${r.code}: ${r.stderr.slice(-400)}\n`);
    const rep = JSON.parse(readFileSync(join(work, `drill-${id}.json`), 'utf8'));
    if (rep.verified.objects !== n || !rep.cleanup.complete) {
      process.stderr.write(`drill ${id}: verified ${rep.verified.objects}/${n}, cleanup ${rep.cleanup.complete}\n`);
    }
    return {
      restore: rep.throughput.restoreObjectsPerSecond,
      listAndRestore: rep.restored.objects / (rep.durations.listSeconds + rep.durations.restoreSeconds),
    };
  };
  const tools = {
    stream: (i: number) => readDrill(i),
    copy: (i: number) => readDrill(100 + i, ['--server-side-copy']),
    aws: async (i: number) => {
      const a = await aws(i);
      if (a.code !== 0) process.stderr.write(`aws s3 sync exit ${a.code}: ${a.stderr.slice(-400)}\n`);
      return n / a.seconds;
    },
  };
  const stream: Drilled[] = [];
  const copy: Drilled[] = [];
  const peer: number[] = [];
  const order = ['stream', 'copy', 'aws'] as const;
  for (let i = 0; i < runs; i++) {
    const line: string[] = [];
    for (let k = 0; k < order.length; k++) {
      const tool = order[(i + k) % order.length];
      const waited = await waitForQuietStand();
      if (tool === 'aws') peer.push(await tools.aws(i));
      else (tool === 'copy' ? copy : stream).push(await tools[tool](i));
      line.push(`${tool} (after ${fmt(waited, 0)} s idle wait)`);
    }
    process.stderr.write(
      `round ${i + 1}: ${line.join(', ')}: stream ${fmt(stream[i].restore, 0)}, copy ${fmt(copy[i].restore, 0)}, aws ${fmt(peer[i], 0)} objects/s; copy/aws ${fmt(copy[i].restore / peer[i])}x\n`,
    );
  }
  const o = median(stream.map((d) => d.restore));
  const oc = median(copy.map((d) => d.restore));
  const ocl = median(copy.map((d) => d.listAndRestore));
  const ol = median(stream.map((d) => d.listAndRestore));
  const p = median(peer);
  const perRound = (xs: Drilled[]) => xs.map((d, i) => fmt(d.restore / peer[i])).join(', ');
  console.log(`\ndrill benchmark: ${n} objects x ${size} bytes restored from zone zb, median of ${runs} rounds`);
  console.log(`| tool | restore objects/s | MiB/s | list + restore objects/s |`);
  console.log(`|---|---|---|---|`);
  console.log(
    `| cdk-s3-dr drill --server-side-copy (CopyObject, concurrency 10) | ${fmt(oc, 0)} | ${fmt((oc * size) / 1048576, 1)} | ${fmt(ocl, 0)} |`,
  );
  console.log(
    `| cdk-s3-dr drill (GET+PUT, concurrency 10) | ${fmt(o, 0)} | ${fmt((o * size) / 1048576, 1)} | ${fmt(ol, 0)} |`,
  );
  console.log(
    `| aws s3 sync s3:// s3:// (CopyObject, 10 at once; whole command) | ${fmt(p, 0)} | ${fmt((p * size) / 1048576, 1)} | ${fmt(p, 0)} |`,
  );
  console.log(
    `ratio restore throughput vs aws s3 sync: ${fmt(oc / p)}x server-side copy (rounds: ${perRound(copy)}), ${fmt(o / p)}x GET+PUT (rounds: ${perRound(stream)})`,
  );
  console.log(`ratio counting the drill's listing too: ${fmt(ocl / p)}x server-side copy, ${fmt(ol / p)}x GET+PUT`);
  const last = JSON.parse(readFileSync(join(work, `drill-100.json`), 'utf8'));
  console.log(
    `drill --server-side-copy round 1: verified ${last.verified.objects}/${last.restored.objects}, cleanup complete ${last.cleanup.complete}, requests ${JSON.stringify(last.requests.byOperation)}, RTO estimate ${fmt(last.rto?.seconds ?? NaN, 1)} s`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
