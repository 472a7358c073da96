/**
 * Consistency audit benchmark, on the local stand, against named peers in the same run:
 *   rclone check --fast-list --checkers 32   (rclone's fastest mode for S3)
 *   aws s3 sync --dryrun --delete            (the AWS CLI's comparison)
 * 20,000 objects with planted differences; the audit is run as a user runs it (the packed and
 * installed `cdk-s3-dr` bin), single-range and with `--parallel 4`. Prints objects per second and
 * the ratios, list requests against the lower bound (one per 1,000 keys per side), and peak memory
 * at 20,000 and 200,000 objects.
 *
 *   npm run bench:audit -- [--objects 20000] [--scale 200000] [--runs 7] [--memory-only] [--reuse]
 *                          [--layout folders|mixed] [--via bin|asset]
 *
 * Harness switches, to measure what a different harness changes (docs/benchmarks.md):
 *   --layout mixed  adds 13 keys to the 97 folders: unicode (one above U+FFFF, which sorts
 *                   differently in S3 and in JavaScript), deep paths, spaces, '+' and '~'.
 *   --via asset     runs `node assets/cli/cdk-s3-dr.js` from the repository instead of the
 *                   packed and installed bin.
 */
import { DeleteObjectCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  benchKeys,
  buildCli,
  client,
  createBucket,
  fixedBody,
  fmt,
  installCli,
  median,
  Peer,
  peers,
  putAll,
  rcloneCheck,
  rcloneDifferences,
  stand,
  StandEnv,
  Timed,
  timed,
} from './common';
import { choiceArg, flagArg, numberArg } from './args';
import { oneZonePairArgs } from '../test/support/stand';

/**
 * Keys that test the ordering and encoding paths, added by `--layout mixed`: a character above
 * U+FFFF (after U+E000-U+FFFF in S3's UTF-8 order, before them in JavaScript's), other scripts,
 * deep paths, a space, '+' and '~' (after every letter).
 */
const MIXED_KEYS = [
  'unicode/日本語/ファイル.txt',
  'unicode/Ελληνικά.txt',
  'unicode/emoji-😀.txt',
  'unicode/private-\ue000.txt',
  'unicode/ﬁ-ligature.txt',
  'deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z.bin',
  'deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/leaf.bin',
  'odd/with space.txt',
  'odd/with+plus.txt',
  'odd/~tilde-last',
  'odd/UPPER-before-lower',
  'odd/0-digits-before-letters',
  'odd/-dash',
];

interface Planted {
  readonly missing: string[];
  readonly extra: string[];
  readonly size: string[];
  readonly content: string[];
}

async function prepare(
  env: StandEnv,
  n: number,
  layout: 'folders' | 'mixed',
): Promise<{ src: string; rep: string; planted: Planted; keys: number }> {
  const c = client(env, 'za');
  const tag = Date.now().toString(36);
  const src = `bench-src-${tag}`;
  const rep = `bench-rep-${tag}`;
  await createBucket(c, src, { replicate: false });
  await createBucket(c, rep, { replicate: false });
  const keys = [...benchKeys(n), ...(layout === 'mixed' ? MIXED_KEYS : [])];
  const body = (k: string) => fixedBody(1024, k);
  process.stderr.write(`writing ${keys.length} objects to ${src} and ${rep}\n`);
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
  return { src, rep, planted, keys: keys.length };
}

/** The audit command line both measurements run: both buckets through zone za, no lag window. */
function auditArgs(za: { endpoint: string; region: string }, src: string, rep: string, report: string): string[] {
  return ['audit', ...oneZonePairArgs(za, src, rep), '--report', report];
}

async function main() {
  const n = numberArg('objects', 20000);
  const scale = numberArg('scale', 0);
  const runs = numberArg('runs', 7);
  const layout = choiceArg('layout', ['folders', 'mixed'] as const);
  const via = choiceArg('via', ['bin', 'asset'] as const);
  const env = stand();
  const peer = peers('rclone', 'aws');
  let cli: Cli;
  if (via === 'asset') {
    cli = { cmd: process.execPath, prefix: [buildCli()] };
  } else {
    process.stderr.write('packing and installing the cdk-s3-dr bin\n');
    cli = { cmd: installCli(), prefix: [] };
  }
  const work = mkdtempSync(join(tmpdir(), 'audit-bench-'));
  if (!flagArg('memory-only')) await compare(env, cli, peer, work, n, runs, layout);
  if (scale > 0) await memory(env, cli, work, n, scale);
}

/** How the audit is started: the installed bin, or node on the repository's built asset. */
interface Cli {
  readonly cmd: string;
  readonly prefix: string[];
}

async function compare(
  env: StandEnv,
  cli: Cli,
  peer: Record<Peer, string>,
  work: string,
  folderKeys: number,
  runs: number,
  layout: 'folders' | 'mixed',
) {
  const za = env.zones.za;
  const { src, rep, planted, keys: n } = await prepare(env, folderKeys, layout);

  // The default audit, the same with --parallel 4, and the opt-in --hints mode re-run on one report path.
  const audit = (args: string[]) => timed(cli.cmd, [...cli.prefix, ...args]);
  const ours = (report: string) => audit(auditArgs(za, src, rep, report));
  const parallel = (report: string) => audit([...auditArgs(za, src, rep, report), '--parallel', '4']);
  const hinted = (report: string) => audit([...auditArgs(za, src, rep, report), '--hints']);
  const rclone = () => rcloneCheck(peer.rclone, env, src, rep);
  const awsEnv = {
    ...process.env,
    AWS_DEFAULT_REGION: za.region,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
  const aws = () =>
    timed(
      peer.aws,
      ['s3', 'sync', '--dryrun', '--delete', `s3://${src}`, `s3://${rep}`, '--endpoint-url', za.endpoint],
      awsEnv,
    );

  // The default audit keeps nothing between runs: every run of it is a first run. --hints runs
  // share one report path, as a user re-running the same audit: they find the page boundaries
  // the previous run saved (<report>.hints.json) and list the ranges between them in parallel.
  const results: Record<string, Timed[]> = { ours: [], cold: [], par: [], rclone: [], aws: [] };
  const reportPath = join(work, 'report.json');
  const coldPath = join(work, 'report-cold.json');
  const parPath = join(work, 'report-parallel.json');
  await hinted(reportPath); // saves the hints the --hints runs use
  // Every tool runs once per round; the order rotates from round to round, so that no tool always
  // runs right after another (a stand busy with the previous tool's last requests, a warm cache).
  const tools: Array<[string, () => Promise<Timed>]> = [
    ['cold', () => ours(coldPath)],
    ['par', () => parallel(parPath)],
    ['ours', () => hinted(reportPath)],
    ['rclone', rclone],
    ['aws', aws],
  ];
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < tools.length; j++) {
      const [name, run] = tools[(i + j) % tools.length];
      results[name].push(await run());
    }
  }

  // What each found.
  const expected: Array<[string, string]> = [
    ...planted.missing.map((k): [string, string] => [k, 'missing']),
    ...planted.extra.map((k): [string, string] => [k, 'extra']),
    ...planted.size.map((k): [string, string] => [k, 'size-mismatch']),
    ...planted.content.map((k): [string, string] => [k, 'content-mismatch']),
  ];
  const outcome = (path: string) => {
    const r = JSON.parse(readFileSync(path, 'utf8'));
    const found = new Map<string, string>(r.discrepancies.map((d: { key: string; kind: string }) => [d.key, d.kind]));
    const all = expected.every(([k, kind]) => found.get(k) === kind) && found.size === expected.length;
    const ops: Record<string, number> = r.requestsByOperation ?? {};
    return { found: `${found.size}/${expected.length}${all ? ' (every kind at its key)' : ' (MISMATCH)'}`, ops };
  };
  const plain = outcome(coldPath);
  const split = outcome(parPath);
  const withHints = outcome(reportPath);
  const rcloneFound = String(rcloneDifferences(results.rclone[0]));
  const awsFound = results.aws[0].stdout.split('\n').filter((l) => l.startsWith('(dryrun)')).length;
  const lowerBound = Math.ceil(n / 1000) + Math.ceil((n - planted.missing.length + planted.extra.length) / 1000);
  const t = (k: string) => median(results[k].map((r) => r.seconds));
  const rate = (k: string) => n / t(k);
  const rss = (k: string) => fmt(median(results[k].map((r) => r.maxRssKiB)) / 1024, 0);

  console.log(
    `\naudit benchmark: ${n} objects x 1 KiB in 97 folders${layout === 'mixed' ? ' plus 13 unicode, deep and oddly sorting keys' : ''}, ` +
      `${expected.length} planted differences, run as ${cli.prefix.length ? 'node on the built asset' : 'the installed bin'}, median of ${runs} runs`,
  );
  console.log(`| tool | wall s | objects/s | found | peak RSS MiB |`);
  console.log(`|---|---|---|---|---|`);
  const row = (name: string, k: string, found: string) =>
    console.log(`| ${name} | ${fmt(t(k))} | ${fmt(rate(k), 0)} | ${found} | ${rss(k)} |`);
  row('cdk-s3-dr audit (default: nothing kept between runs)', 'cold', plain.found);
  row('cdk-s3-dr audit --parallel 4 (first run: ranges from a sample)', 'par', split.found);
  row("cdk-s3-dr audit --hints, repeated (the previous run's page boundaries)", 'ours', withHints.found);
  row('rclone check --fast-list --checkers 32', 'rclone', rcloneFound);
  row('aws s3 sync --dryrun --delete', 'aws', `${awsFound} lines`);
  // Each round's own ratio too: the machine's speed drifts, and a round runs all tools back to back.
  const spread = (k: string) => {
    const xs = results.rclone.map((r, i) => r.seconds / results[k][i].seconds);
    return `per round ${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))}x, median ${fmt(median(xs))}x`;
  };
  console.log(
    `ratio objects/s: default audit ${fmt(rate('cold') / rate('rclone'))}x rclone (${spread('cold')}), ` +
      `--parallel 4 ${fmt(rate('par') / rate('rclone'))}x rclone (${spread('par')}), ` +
      `--hints repeated ${fmt(rate('ours') / rate('rclone'))}x rclone (${spread('ours')}); ` +
      `default audit ${fmt(rate('cold') / rate('aws'))}x aws s3 sync`,
  );
  console.log(
    `exit codes: audit ${[...new Set([...results.ours, ...results.cold, ...results.par].map((r) => r.code))].join(',')} (1 = discrepancies found), ` +
      `rclone ${[...new Set(results.rclone.map((r) => r.code))].join(',')}, aws ${[...new Set(results.aws.map((r) => r.code))].join(',')}`,
  );
  const lists = (o: typeof plain) => o.ops.ListObjectsV2Command ?? 0;
  console.log(
    `list requests: default ${lists(plain)} ListObjectsV2 pages for a lower bound of ${lowerBound} (${fmt(lists(plain) / lowerBound, 3)}x), ` +
      `--parallel 4 ${lists(split)} (${fmt(lists(split) / lowerBound, 3)}x, the sample included), ` +
      `--hints ${lists(withHints)} (${fmt(lists(withHints) / lowerBound, 3)}x); ` +
      `plus ${plain.ops.ListObjectVersionsCommand ?? 0} one-key ListObjectVersions lookups (one per replica-only key, to tell an unreplicated source delete from an extra) ` +
      `and ${plain.ops.HeadObjectCommand ?? 0} HEADs; all (default): ${JSON.stringify(plain.ops)}`,
  );
}

/**
 * Peak memory at `n` vs `scale` objects: one bucket audited against itself (the same listing and
 * merge work as a pair), default and repeated --hints runs, three rounds; medians. With --reuse, the
 * newest bench-mem-<size>-* bucket that still holds exactly <size> objects is audited instead of
 * writing a new one (writing 200,000 objects to the stand takes a long while).
 */
async function memory(env: StandEnv, cli: Cli, work: string, n: number, scale: number) {
  const za = env.zones.za;
  const c = client(env, 'za');
  const existing = flagArg('reuse') ? ((await c.send(new ListBucketsCommand({}))).Buckets ?? []) : [];
  const audit = async (b: string, size: number) => {
    const report = join(work, `mem-${size}.json`);
    const r = await timed(cli.cmd, [...cli.prefix, ...auditArgs(za, b, b, report)]);
    const objects = r.code === 0 ? JSON.parse(readFileSync(report, 'utf8')).summary.source.objects : -1;
    return { r, objects };
  };
  const buckets: Record<number, string> = {};
  for (const size of [n, scale]) {
    const candidates = existing
      .filter((b) => b.Name?.startsWith(`bench-mem-${size}-`))
      .sort((a, b) => (b.CreationDate?.getTime() ?? 0) - (a.CreationDate?.getTime() ?? 0));
    for (const cand of candidates) {
      const { objects } = await audit(cand.Name!, size);
      if (objects === size) {
        buckets[size] = cand.Name!;
        break;
      }
      process.stderr.write(`${cand.Name} holds ${objects} objects, not ${size}: not reused\n`);
    }
    if (!buckets[size]) {
      const b = `bench-mem-${size}-${Date.now().toString(36)}`;
      await createBucket(c, b, { replicate: false });
      process.stderr.write(`writing ${size} objects to ${b}\n`);
      await putAll(c, b, benchKeys(size), () => Buffer.alloc(0), 32);
      buckets[size] = b;
    }
  }
  // The default audit (the scheduled Lambda audit lists this way too) and repeated --hints runs
  // (ranges listed in parallel), both sizes, three rounds; medians.
  const kinds = { default: [] as string[], 'repeated --hints': ['--hints'] };
  const rss: Record<string, number[]> = {};
  for (let round = 0; round < 3; round++) {
    for (const [kind, extra] of Object.entries(kinds)) {
      for (const size of [n, scale]) {
        const report = join(work, `mem-${kind}-${size}.json`);
        const r = await timed(cli.cmd, [
          ...cli.prefix,
          ...auditArgs(za, buckets[size], buckets[size], report),
          ...extra,
        ]);
        const objects = r.code === 0 ? JSON.parse(readFileSync(report, 'utf8')).summary.source.objects : -1;
        if (objects !== size) throw new Error(`the audit of ${buckets[size]} saw ${objects} objects, not ${size}`);
        (rss[`${kind} ${size}`] ??= []).push(r.maxRssKiB / 1024);
      }
    }
  }
  for (const kind of Object.keys(kinds)) {
    for (const size of [n, scale]) {
      const xs = rss[`${kind} ${size}`];
      console.log(
        `memory, ${kind} run, ${size} objects (${buckets[size]}): peak RSS median ${fmt(median(xs), 1)} MiB (runs: ${xs.map((x) => fmt(x, 1)).join(', ')})`,
      );
    }
    console.log(
      `memory ratio, ${kind} run, ${scale} / ${n} objects: ${fmt(median(rss[`${kind} ${scale}`]) / median(rss[`${kind} ${n}`]), 3)}x (medians of 3)`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
