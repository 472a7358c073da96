/**
 * A temporary folder of each jest run's own. The global setup points TMPDIR at it (the test
 * workers, started after it, inherit it), so what the tests leave in the system's temporary
 * folder lands there, and the global teardown removes it: cloud assemblies of apps synthesized
 * with no outdir (aws-cdk-lib makes a `cdk.out…` folder for each, with the handlers' bundles
 * staged in it: about 900 MB over a full `npm test`), and the scratch folders of the tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const STATE = '__cdkS3DrRunTmp';

interface RunTmp {
  readonly dir: string;
  readonly previous: string | undefined;
}

export function useRunTmp(): void {
  const dir = mkdtempSync(join(tmpdir(), 'cdk-s3-dr-jest-'));
  (globalThis as Record<string, unknown>)[STATE] = { dir, previous: process.env.TMPDIR } satisfies RunTmp;
  process.env.TMPDIR = dir;
}

export function removeRunTmp(): void {
  const state = (globalThis as Record<string, unknown>)[STATE] as RunTmp | undefined;
  if (!state) return;
  if (state.previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = state.previous;
  rmSync(state.dir, { recursive: true, force: true });
}
