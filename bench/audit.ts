/**
 * Consistency audit benchmark, on the local stand, against named peers in the same run:
 *   rclone check --fast-list --checkers 32   (rclone's fastest mode for S3)
 *   aws s3 sync --dryrun --delete            (the AWS CLI's comparison)
 * 20,000 objects with planted differences; the audit is run as a user runs it (the packed and
 * installed `cdk-s3-dr` bin). Prints objects per second and the ratios, list requests against the
 * lower bound (one per 1,000 keys per side), and peak memory at 20,000 and 200,000 objects.
 *
 *   npm run bench:audit -- [--objects 20000] [--scale 200000] [--runs 7] [--memory-only]
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
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
  StandEnv,
  timed,
  Timed,
} from './common';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};

function ensurePeers(): void {
  const missing = ['rclone', 'aws'].filter((b) => {
    try {
      execFileSync('sh', ['-c', `test -x /usr/bin/${b}`]);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) {
    process.stderr.write(`installing peers (Debian packages): rclone awscli\n`);
    execFileSync(
      'sh',
      [
        '-c',
        'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rclone awscli',
      ],
      { stdio: 'inherit' },
    );
  }
}

interface Planted {
  readonly missing: string[];
  readonly extra: string[];
  readonly size: string[];
  readonly content: string[];
}

async function prepare(env: StandEnv, n: number): Promise<{ src: string; rep: string; planted: Planted }> {
  const c = client(env, 'za');
  const tag = Date.now().toString(36);
  const src = `bench-src-${tag}`;
  const rep = `bench-rep-${tag}`;
  await createVersionedBucket(c, src, { replicate: false });
  await createVersionedBucket(c, rep, { replicate: false });
  const keys = benchKeys(n);
  const body = (k: string) => fixedBody(1024, k);
  process.stderr.write(`writing ${n} objects to ${src} and ${rep}\n`);
  await Promise.all([putAll(c, src, keys, body, 16), putAll(c, rep, keys, body, 16)]);
  const pick = (from: number, count: number) => keys.slice(from, from + count);
  const planted: Planted = {
    missing: pick(100, 5),
    size: pick(5000, 3),
    content: pick(9000, 3),
    extra: ['d00/zz-extra-1', 'd50/zz-extra-2'],
  };
  for (const k of planted.missing) await c.send(new DeleteObjectCommand({ Bucket: rep, Key: k }));
  for (const k of planted.size) await c.send(new PutObjectCommand({ Bucket: rep, Key: k, Body: fixedBody(1500, k) }));
  for (const k of planted.content)
    await c.send(new PutObjectCommand({ Bucket: rep, Key: k, Body: fixedBody(1024, k + '#changed') }));
  for (const k of planted.extra) await c.send(new PutObjectCommand({ Bucket: rep, Key: k, Body: fixedBody(10, k) }));
  return { src, rep, planted };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The audit command line both measurements run: both buckets through zone za, no lag window. */
function auditArgs(za: { endpoint: string; region: string }, src: string, rep: string, report: string): string[] {
  return [
    'audit',
    '--source',
    `s3://${src}`,
    '--replica',
    `s3://${rep}`,
    '--source-endpoint',
    za.endpoint,
    '--replica-endpoint',
    za.endpoint,
    '--source-region',
    za.region,
    '--replica-region',
    za.region,
    '--lag-window',
    '0',
    '--report',
    report,
  ];
}

async function main() {
  const n = arg('objects', 20000);
  const scale = arg('scale', 0);
  const runs = arg('runs', 7);
  const env = stand();
  ensurePeers();
  process.stderr.write('packing and installing the cdk-s3-dr bin\n');
  const bin = installCli();
  const work = mkdtempSync(join(tmpdir(), 'audit-bench-'));
  if (!process.argv.includes('--memory-only')) await compare(env, bin, work, n, runs);
  if (scale > 0) await memory(env, bin, work, n, scale);
}

async function compare(env: StandEnv, bin: string, work: string, n: number, runs: number) {
  const za = env.zones.za;
  const { src, rep, planted } = await prepare(env, n);

  const ours = (report: string) => timed(bin, auditArgs(za, src, rep, report));
  const rcloneEnv = {
    ...process.env,
    AWS_CA_BUNDLE: undefined,
    RCLONE_CONFIG_ZA_TYPE: 's3',
    RCLONE_CONFIG_ZA_PROVIDER: 'Ceph',
    RCLONE_CONFIG_ZA_ENDPOINT: za.endpoint,
    RCLONE_CONFIG_ZA_REGION: za.region,
    RCLONE_CONFIG_ZA_ACCESS_KEY_ID: env.accessKeyId,
    RCLONE_CONFIG_ZA_SECRET_ACCESS_KEY: env.secretAccessKey,
  };
  delete rcloneEnv.AWS_CA_BUNDLE;
  const rclone = () =>
    timed('/usr/bin/rclone', ['check', `za:${src}`, `za:${rep}`, '--fast-list', '--checkers', '32'], rcloneEnv);
  const awsEnv = {
    ...process.env,
    AWS_DEFAULT_REGION: za.region,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
  const aws = () =>
    timed(
      '/usr/bin/aws',
      ['s3', 'sync', '--dryrun', '--delete', `s3://${src}`, `s3://${rep}`, '--endpoint-url', za.endpoint],
      awsEnv,
    );

  // Repeated runs share one report path, as a user re-running the same audit: they find the
  // page boundaries the previous run saved (<report>.hints.json) and list ranges in parallel.
  // First runs use --no-hints (nothing read, nothing saved), so every one of them is a first run.
  const results: Record<string, Timed[]> = { ours: [], cold: [], rclone: [], aws: [] };
  const reportPath = join(work, 'report.json');
  const coldPath = join(work, 'report-cold.json');
  await ours(reportPath); // saves the hints the repeated runs use
  for (let i = 0; i < runs; i++) {
    results.cold.push(await timed(bin, [...auditArgs(za, src, rep, coldPath), '--no-hints']));
    results.ours.push(await ours(reportPath));
    results.rclone.push(await rclone());
    results.aws.push(await aws());
  }

  // What each found.
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  const coldReport = JSON.parse(readFileSync(coldPath, 'utf8'));
  const found = new Map<string, string>(
    report.discrepancies.map((d: { key: string; kind: string }) => [d.key, d.kind]),
  );
  const expected: Array<[string, string]> = [
    ...planted.missing.map((k): [string, string] => [k, 'missing']),
    ...planted.extra.map((k): [string, string] => [k, 'extra']),
    ...planted.size.map((k): [string, string] => [k, 'size-mismatch']),
    ...planted.content.map((k): [string, string] => [k, 'content-mismatch']),
  ];
  const allFound = expected.every(([k, kind]) => found.get(k) === kind) && found.size === expected.length;
  const rcloneFound = /(\d+) differences found/.exec(results.rclone[0].stderr)?.[1] ?? '0';
  const awsFound = results.aws[0].stdout.split('\n').filter((l) => l.startsWith('(dryrun)')).length;

  const ops: Record<string, number> = report.requestsByOperation ?? {};
  const lists = ops.ListObjectsV2Command ?? 0;
  const lookups = ops.ListObjectVersionsCommand ?? 0;
  const lowerBound = Math.ceil(n / 1000) + Math.ceil((n - planted.missing.length + planted.extra.length) / 1000);
  const t = (k: string) => median(results[k].map((r) => r.seconds));
  const rate = (k: string) => n / t(k);

  console.log(
    `\naudit benchmark: ${n} objects x 1 KiB in 97 folders, ${expected.length} planted differences, median of ${runs} runs`,
  );
  console.log(`| tool | wall s | objects/s | found | peak RSS MiB |`);
  console.log(`|---|---|---|---|---|`);
  console.log(
    `| cdk-s3-dr audit, repeated (hints from the previous run) | ${fmt(t('ours'))} | ${fmt(rate('ours'), 0)} | ${found.size}/${expected.length}${allFound ? ' (every kind at its key)' : ' (MISMATCH)'} | ${fmt(median(results.ours.map((r) => r.maxRssKiB)) / 1024, 0)} |`,
  );
  console.log(
    `| cdk-s3-dr audit, first run (no hints) | ${fmt(t('cold'))} | ${fmt(rate('cold'), 0)} | ${coldReport.discrepancies.length} | ${fmt(median(results.cold.map((r) => r.maxRssKiB)) / 1024, 0)} |`,
  );
  console.log(
    `| rclone check --fast-list --checkers 32 | ${fmt(t('rclone'))} | ${fmt(rate('rclone'), 0)} | ${rcloneFound} | ${fmt(median(results.rclone.map((r) => r.maxRssKiB)) / 1024, 0)} |`,
  );
  console.log(
    `| aws s3 sync --dryrun --delete | ${fmt(t('aws'))} | ${fmt(rate('aws'), 0)} | ${awsFound} | ${fmt(median(results.aws.map((r) => r.maxRssKiB)) / 1024, 0)} |`,
  );
  // Each round's own ratio too: the machine's speed drifts, and a round runs all tools back to back.
  const perRound = (k: string) => results.rclone.map((r, i) => r.seconds / results[k][i].seconds);
  const spread = (k: string) => {
    const xs = perRound(k);
    return `per round ${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))}x, median ${fmt(median(xs))}x`;
  };
  console.log(
    `ratio objects/s: repeated audit ${fmt(rate('ours') / rate('rclone'))}x rclone (${spread('ours')}), ` +
      `first run ${fmt(rate('cold') / rate('rclone'))}x rclone (${spread('cold')}); ` +
      `${fmt(rate('ours') / rate('aws'))}x aws s3 sync`,
  );
  console.log(
    `exit codes: audit ${[...new Set([...results.ours, ...results.cold].map((r) => r.code))].join(',')} (1 = discrepancies found), ` +
      `rclone ${[...new Set(results.rclone.map((r) => r.code))].join(',')}, aws ${[...new Set(results.aws.map((r) => r.code))].join(',')}`,
  );
  console.log(
    `list requests (repeated run): ${lists} ListObjectsV2 pages for a lower bound of ${lowerBound} (${fmt(lists / lowerBound, 3)}x), ` +
      `first run ${coldReport.requestsByOperation?.ListObjectsV2Command} (${fmt((coldReport.requestsByOperation?.ListObjectsV2Command ?? 0) / lowerBound, 3)}x); ` +
      `plus ${lookups} one-key ListObjectVersions lookups (one per replica-only key, to tell an unreplicated source delete from an extra) ` +
      `and ${ops.HeadObjectCommand ?? 0} HEADs; all: ${JSON.stringify(ops)}`,
  );
}

/** Peak memory at `n` vs `scale` objects: one bucket audited against itself (the same listing work). */
async function memory(env: StandEnv, bin: string, work: string, n: number, scale: number) {
  const za = env.zones.za;
  {
    const c = client(env, 'za');
    const rss: Record<number, number> = {};
    for (const size of [n, scale]) {
      const b = `bench-mem-${size}-${Date.now().toString(36)}`;
      await createVersionedBucket(c, b, { replicate: false });
      process.stderr.write(`writing ${size} objects to ${b}\n`);
      await putAll(c, b, benchKeys(size), () => Buffer.alloc(0), 32);
      const r = await timed(bin, auditArgs(za, b, b, join(work, `mem-${size}.json`)));
      rss[size] = r.maxRssKiB;
      console.log(
        `memory: ${size} objects: peak RSS ${fmt(r.maxRssKiB / 1024, 1)} MiB, ${fmt(r.seconds)} s, exit ${r.code}`,
      );
    }
    console.log(`memory ratio ${scale} / ${n} objects: ${fmt(rss[scale] / rss[n], 3)}x`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
