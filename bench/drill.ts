/**
 * Restore drill benchmark, on the local stand, against `aws s3 sync` (Debian's AWS CLI) in the
 * same run: the same objects restored from the replica zone into a scratch bucket. The drill is
 * run as a user runs it (the packed and installed `cdk-s3-dr` bin). Prints restore throughput
 * and the ratio; asserts nothing about time.
 *
 *   npm run bench:drill -- [--objects 1000] [--size 65536] [--runs 3]
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchKeys, client, createVersionedBucket, fixedBody, fmt, installCli, putAll, stand, timed } from './common';

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
  const runs = arg('runs', 3);
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
  await createVersionedBucket(za, scratch);
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

  const ours: number[] = [];
  const oursCopy: number[] = [];
  const peer: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await drill(i);
    const rep = JSON.parse(readFileSync(join(work, `drill-${i}.json`), 'utf8'));
    if (r.code !== 0) process.stderr.write(`drill run ${i} exit ${r.code}: ${r.stderr.slice(-400)}\n`);
    ours.push(rep.throughput.restoreObjectsPerSecond);
    const rc = await drill(100 + i, ['--server-side-copy']);
    const repc = JSON.parse(readFileSync(join(work, `drill-${100 + i}.json`), 'utf8'));
    if (rc.code !== 0) process.stderr.write(`drill (copy) run ${i} exit ${rc.code}\n`);
    oursCopy.push(repc.throughput.restoreObjectsPerSecond);
    const a = await aws(i);
    if (a.code !== 0) process.stderr.write(`aws s3 sync exit ${a.code}: ${a.stderr.slice(-400)}\n`);
    peer.push(n / a.seconds);
  }
  const o = median(ours);
  const oc = median(oursCopy);
  const p = median(peer);
  console.log(`\ndrill benchmark: ${n} objects x ${size} bytes restored from zone zb, median of ${runs} runs`);
  console.log(`| tool | restore objects/s | MiB/s |`);
  console.log(`|---|---|---|`);
  console.log(
    `| cdk-s3-dr drill (GET+PUT, concurrency 10; restore phase) | ${fmt(o, 0)} | ${fmt((o * size) / 1048576, 1)} |`,
  );
  console.log(
    `| cdk-s3-dr drill --server-side-copy (restore phase) | ${fmt(oc, 0)} | ${fmt((oc * size) / 1048576, 1)} |`,
  );
  console.log(
    `| aws s3 sync s3:// s3:// (server-side copy, whole command) | ${fmt(p, 0)} | ${fmt((p * size) / 1048576, 1)} |`,
  );
  console.log(`ratio restore throughput: ${fmt(o / p)}x aws s3 sync (GET+PUT), ${fmt(oc / p)}x (server-side copy)`);
  const last = JSON.parse(readFileSync(join(work, `drill-0.json`), 'utf8'));
  console.log(
    `drill 0: verified ${last.verified.objects}/${last.restored.objects}, cleanup complete ${last.cleanup.complete}, RTO estimate ${fmt(last.rto?.seconds ?? NaN, 1)} s`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
