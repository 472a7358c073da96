/**
 * Global teardown of the `stand` jest project: stops the stand when this run started it (by the
 * pid files, `scripts/stand.sh stop`), so nothing the run started outlives it. A stand the run
 * found running is left alone; STAND_KEEP=1 keeps a started stand for repeated runs.
 */
import { join } from 'node:path';
import { removeRunTmp } from '../support/run-tmp';
import { runStandScript, STARTED_BY_THIS_RUN } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  removeRunTmp();
  const dir = (globalThis as Record<string, unknown>)[STARTED_BY_THIS_RUN];
  if (typeof dir !== 'string') return;
  if (process.env.STAND_KEEP === '1') {
    process.stderr.write(`[stand] kept running (STAND_KEEP=1): stop it with 'npm run stand -- stop'\n`);
    return;
  }
  const [code, signal] = await runStandScript('stop', dir, join(dir, 'ensure.log'));
  if (code !== 0) {
    throw new Error(
      `the stand this run started could not be stopped ('bash scripts/stand.sh stop' ${signal ? `killed by ${signal}` : `exit ${code}`}); see ${join(dir, 'ensure.log')}`,
    );
  }
  process.stderr.write('[stand] stopped (this run started it)\n');
}
