/**
 * Global setup of the `stand` jest project: makes sure the local two-region S3 stand is installed
 * and running (`scripts/stand.sh ensure`: install if missing, start if stopped, reuse if healthy).
 * The stand keeps running after the tests for the next run; `npm run stand -- stop` stops it.
 * Fails the run with the reason and the log path when the stand cannot be brought up: the stand
 * tests are never skipped.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..');
const INSTALL_HINT =
  'the stand needs Ceph RGW 16 or later: apt-get install --no-install-recommends radosgw ceph-mon ceph-osd ceph-common curl (as root)';

export default async function globalSetup(): Promise<void> {
  const dir = process.env.STAND_DIR ? resolve(process.env.STAND_DIR) : join(REPO_ROOT, '.stand');
  mkdirSync(dir, { recursive: true });
  const logPath = join(dir, 'ensure.log');
  const started = Date.now();
  // The script's output goes to a file, never to a pipe of ours: nothing the stand starts may hold
  // the test runner's output open.
  const fd = openSync(logPath, 'a');
  let code: number | null;
  let signal: NodeJS.Signals | null = null;
  try {
    [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done, fail) => {
      const child = spawn('bash', [join(REPO_ROOT, 'scripts', 'stand.sh'), 'ensure'], {
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
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (code !== 0) {
    const tail = readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
    throw new Error(
      `the local S3 stand could not be started ('bash scripts/stand.sh ensure' ${signal ? `killed by ${signal}` : `exit ${code}`} after ${seconds} s).\n` +
        `last lines of ${logPath}:\n${tail}\n` +
        `${INSTALL_HINT}; daemon logs are in ${join(dir, 'log')}.`,
    );
  }
  process.stderr.write(`\n[stand] ready in ${seconds} s (state ${dir}, log ${logPath})\n`);
}
