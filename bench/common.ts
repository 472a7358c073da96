/**
 * Shared pieces of the benchmarks: the stand, the CLI installed as a user installs it, timed
 * child processes with peak memory, and bulk object writes. Benchmarks print figures; they
 * assert nothing about time.
 */
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Client } from '../lambda/shared/s3-client';
import { disableBucketSync, pool } from '../test/support/stand';

export const ROOT = join(__dirname, '..');

export interface StandEnv {
  accessKeyId: string;
  secretAccessKey: string;
  zones: Record<'za' | 'zb', { endpoint: string; region: string }>;
}

/** Starts the stand when it is not running (the same script `npm test` uses) and reads its env. */
export function stand(): StandEnv {
  execFileSync('bash', [join(ROOT, 'scripts', 'stand.sh'), 'ensure'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const env = JSON.parse(readFileSync(join(process.env.STAND_DIR ?? join(ROOT, '.stand'), 'env.json'), 'utf8'));
  process.env.AWS_ACCESS_KEY_ID = env.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = env.secretAccessKey;
  return env;
}

export function client(env: StandEnv, zone: 'za' | 'zb'): S3Client {
  return createS3Client({ ...env.zones[zone] });
}

/** The Debian package of each peer tool the benchmarks time against. */
const PEER_PACKAGES = { rclone: 'rclone', aws: 'awscli' } as const;
export type Peer = keyof typeof PEER_PACKAGES;

/**
 * The paths of the peer tools a benchmark compares against: Debian's builds in /usr/bin (not
 * whatever else is on PATH, so that every run times the same builds), installed with apt-get
 * when missing.
 */
export function peers<P extends Peer>(...names: P[]): Record<P, string> {
  const path = (p: Peer) => `/usr/bin/${p}`;
  const missing = names.filter((p) => {
    try {
      accessSync(path(p), constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) {
    const packages = missing.map((p) => PEER_PACKAGES[p]).join(' ');
    process.stderr.write(`installing peers (Debian packages): ${packages}\n`);
    execFileSync(
      'sh',
      [
        '-c',
        `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${packages}`,
      ],
      { stdio: 'inherit' },
    );
  }
  return Object.fromEntries(names.map((p) => [p, path(p)])) as Record<P, string>;
}

/** Packs this repository and installs the tarball in a scratch prefix: the `cdk-s3-dr` a user gets. */
export function installCli(): string {
  // `npm pack` packs what is built (npm ci builds it; a checkout moved without it has nothing):
  // without the command line asset every timed run would fail to start.
  const built = join(ROOT, 'assets', 'cli', 'cdk-s3-dr.js');
  if (!existsSync(built)) {
    throw new Error(`nothing built to pack: ${built} is missing; run \`npm run build\` (npm ci runs it) and try again`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'cdk-s3-dr-bench-'));
  execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  execFileSync(
    'npm',
    [
      'install',
      '--prefix',
      dir,
      '--no-save',
      '--legacy-peer-deps',
      '--no-audit',
      '--no-fund',
      '--silent',
      join(dir, tgz),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const bin = join(dir, 'node_modules', '.bin', 'cdk-s3-dr');
  if (!existsSync(bin)) throw new Error(`the packed package installed no cdk-s3-dr bin (${bin})`);
  return bin;
}

export interface Timed {
  readonly seconds: number;
  /** Peak resident memory of the process, from GNU time. */
  readonly maxRssKiB: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command under GNU time: wall seconds and peak RSS. */
export function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '__MAXRSS__%M', cmd, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const m = /__MAXRSS__(\d+)/.exec(stderr);
      resolve({
        seconds,
        maxRssKiB: m ? Number(m[1]) : NaN,
        code: code ?? -1,
        stdout,
        stderr: stderr.replace(/__MAXRSS__\d+\n?/, ''),
      });
    });
  });
}

/**
 * `rclone check --fast-list --checkers 32` (rclone's fastest mode for S3) of two buckets of zone
 * za, timed; the remote `za` is configured through rclone's environment variables.
 */
export function rcloneCheck(rclone: string, env: StandEnv, src: string, rep: string): Promise<Timed> {
  const za = env.zones.za;
  const rcloneEnv: NodeJS.ProcessEnv = {
    ...process.env,
    RCLONE_CONFIG_ZA_TYPE: 's3',
    RCLONE_CONFIG_ZA_PROVIDER: 'Ceph',
    RCLONE_CONFIG_ZA_ENDPOINT: za.endpoint,
    RCLONE_CONFIG_ZA_REGION: za.region,
    RCLONE_CONFIG_ZA_ACCESS_KEY_ID: env.accessKeyId,
    RCLONE_CONFIG_ZA_SECRET_ACCESS_KEY: env.secretAccessKey,
  };
  delete rcloneEnv.AWS_CA_BUNDLE;
  return timed(rclone, ['check', `za:${src}`, `za:${rep}`, '--fast-list', '--checkers', '32'], rcloneEnv);
}

/** The differences a `rclone check` run reports (0 when it reports none). */
export function rcloneDifferences(run: Timed): number {
  return Number(/(\d+) differences found/.exec(run.stderr)?.[1] ?? 0);
}

/**
 * Creates a bucket on the stand: versioned unless `versioned: false`, and copied to zone zb unless
 * `replicate: false`.
 */
export async function createBucket(
  c: S3Client,
  bucket: string,
  opts: { replicate?: boolean; versioned?: boolean } = {},
): Promise<void> {
  await c.send(new CreateBucketCommand({ Bucket: bucket }));
  if (opts.versioned !== false) {
    await c.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  }
  // Buckets only read through zone za need no copy on zb: halving the stand's write load.
  if (opts.replicate === false) await disableBucketSync(bucket);
}

/** PUTs `keys` with bodies from `body(key)` at a fixed concurrency; prints progress. */
export async function putAll(
  c: S3Client,
  bucket: string,
  keys: string[],
  body: (key: string) => Buffer,
  concurrency = 32,
): Promise<void> {
  let done = 0;
  await pool(keys, concurrency, async (key) => {
    await c.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body(key) }));
    if (++done % 5000 === 0) process.stderr.write(`  ${bucket}: ${done}/${keys.length}\n`);
  });
}

/** Every key of a bucket with its size, by listing it (1,000 a page). */
export async function listSizes(c: S3Client, bucket: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await c.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) sizes.set(o.Key!, o.Size ?? 0);
    token = page.NextContinuationToken;
  } while (token);
  return sizes;
}

/** Counts the keys of a bucket by listing it. */
export async function countKeys(c: S3Client, bucket: string): Promise<number> {
  return (await listSizes(c, bucket)).size;
}

/** Keys spread over 97 folders, like real data (rclone without --fast-list lists folder by folder). */
export function benchKeys(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `d${String(i % 97).padStart(2, '0')}/obj-${String(i).padStart(7, '0')}`);
}

export function fixedBody(size: number, seed: string): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (seed.charCodeAt(i % seed.length) + i) & 0xff;
  return b;
}

export const fmt = (x: number, d = 2) => x.toFixed(d);

/** The median of some figures (the mean of the middle two when they are even in number). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The median with the spread (lowest-highest) of some figures: "1.51 (1.40-1.82)". */
export const spread = (xs: readonly number[], d = 2) =>
  `${fmt(median(xs), d)} (${fmt(Math.min(...xs), d)}-${fmt(Math.max(...xs), d)})`;

/**
 * Builds the command line asset from this checkout, as `npm ci` does, so that a benchmark never
 * times a build older than the code beside it, and returns its path.
 */
export function buildCli(): string {
  process.stderr.write('building the command line asset\n');
  execFileSync('node', [join(ROOT, 'scripts', 'build-handlers.mjs'), '--quiet'], { stdio: 'inherit' });
  return join(ROOT, 'assets', 'cli', 'cdk-s3-dr.js');
}

/** CPU seconds used so far by the stand's daemons (monitor, OSD, both radosgw), from /proc. */
function standCpuSeconds(): number {
  const run = join(process.env.STAND_DIR ?? join(ROOT, '.stand'), 'run');
  let ticks = 0;
  for (const f of readdirSync(run).filter((n) => n.endsWith('.pid'))) {
    try {
      const stat = readFileSync(`/proc/${readFileSync(join(run, f), 'utf8').trim()}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime + stime
    } catch {
      // a daemon that is not running uses no CPU
    }
  }
  return ticks / 100; // USER_HZ
}

/**
 * Waits until the stand is idle (its daemons use under a third of a core over two seconds: the
 * multisite zones poll each other's logs at about 0.2-0.3 of a core when there is nothing to do,
 * and a replication backlog takes more) and returns the seconds waited; gives up after
 * `maxSeconds`. Each timed run of a comparison starts from the same state.
 */
export async function waitForQuietStand(maxSeconds = 90): Promise<number> {
  const started = Date.now();
  for (;;) {
    const before = standCpuSeconds();
    await new Promise((r) => setTimeout(r, 2000));
    const waited = (Date.now() - started) / 1000;
    if ((standCpuSeconds() - before) / 2 < 0.35 || waited >= maxSeconds) return waited;
  }
}
