/**
 * Global setup of the `stand` jest project: makes sure the local two-region S3 stand is installed
 * and running (`scripts/stand.sh ensure`: install if missing, start if stopped, reuse if healthy).
 * A stand this run started is stopped by the global teardown (global-teardown.ts) unless
 * STAND_KEEP=1; a stand found running is left alone. Fails the run with the reason and the log
 * path when the stand cannot be brought up: the stand tests are never skipped.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { useRunTmp } from '../support/run-tmp';

const REPO_ROOT = resolve(__dirname, '..', '..');
const INSTALL_HINT =
  'the stand needs Ceph RGW 16 or later: apt-get install --no-install-recommends radosgw ceph-mon ceph-osd ceph-common curl (as root)';

/** Set for the global teardown (same process): the stand's directory when this run started it. */
export const STARTED_BY_THIS_RUN = '__cdkS3DrStandStartedBy';

/** Runs `scripts/stand.sh <command>` with its output appended to `logPath`; resolves with the exit code and signal. */
export async function runStandScript(
  command: string,
  dir: string,
  logPath: string,
): Promise<[number | null, NodeJS.Signals | null]> {
  // The script's output goes to a file, never to a pipe of ours: nothing the stand starts may hold
  // the test runner's output open.
  const fd = openSync(logPath, 'a');
  try {
    return await new Promise<[number | null, NodeJS.Signals | null]>((done, fail) => {
      const child = spawn('bash', [join(REPO_ROOT, 'scripts', 'stand.sh'), command], {
        cwd: REPO_ROOT,
        env: { ...process.env, STAND_DIR: dir },
        stdio: ['ignore', fd, fd],
      });
      child.on('error', fail);
      child.on('exit', (c, s) => done([c, s]));
    });
  } finally {
    closeSync(fd);
  }
}

export default async function globalSetup(): Promise<void> {
  const dir = process.env.STAND_DIR ? resolve(process.env.STAND_DIR) : join(REPO_ROOT, '.stand');
  mkdirSync(dir, { recursive: true });
  const logPath = join(dir, 'ensure.log');
  const started = Date.now();
  // A stand that already answers was started by someone else (a previous run with STAND_KEEP=1,
  // 'npm run stand -- start'): this run leaves it as it found it.
  const [statusCode] = await runStandScript('status', dir, logPath);
  const [code, signal] = await runStandScript('ensure', dir, logPath);
  if (statusCode !== 0) (globalThis as Record<string, unknown>)[STARTED_BY_THIS_RUN] = dir;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (code !== 0) {
    const tail = readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
    throw new Error(
      `the local S3 stand could not be started ('bash scripts/stand.sh ensure' ${signal ? `killed by ${signal}` : `exit ${code}`} after ${seconds} s).\n` +
        `last lines of ${logPath}:\n${tail}\n` +
        `${INSTALL_HINT}; daemon logs are in ${join(dir, 'log')}.`,
    );
  }
  if (statusCode !== 0) {
    // After its daemons start, each zone's multisite sync recovers with a backoff (a minute or
    // two after a restart): tests that rely on replication must not start before it works.
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    const { waitForReplicationToResume } = await import('../support/stand');
    try {
      await waitForReplicationToResume();
    } finally {
      restore('AWS_ACCESS_KEY_ID', saved.id);
      restore('AWS_SECRET_ACCESS_KEY', saved.secret);
    }
  }
  // After the stand is up (its daemons keep the system's temporary folder): the tests' own.
  useRunTmp();
  const total = ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(
    `\n[stand] ready in ${seconds} s, replicating in ${total} s (state ${dir}, log ${logPath}; ${statusCode === 0 ? 'found running, left running' : process.env.STAND_KEEP === '1' ? 'started, kept after the run (STAND_KEEP=1)' : 'started, stopped after the run'})\n`,
  );
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
