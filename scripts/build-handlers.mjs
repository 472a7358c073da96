#!/usr/bin/env node
// Pre-bundles the Lambda handlers and the command line into plain JavaScript under assets/,
// so that constructs load them with lambda.Code.fromAsset and consumers of the library need
// neither esbuild nor Docker. Runs on `npm ci` (prepare), before tests and before synth.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');

/** Lambda entry points: lambda/<name>/index.ts -> assets/handlers/<name>/index.js */
const handlers = readdirSync(join(root, 'lambda'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'lambda', d.name, 'index.ts')))
  .map((d) => d.name);

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};

await Promise.all([
  ...handlers.map((name) => {
    const outdir = join(root, 'assets', 'handlers', name);
    mkdirSync(outdir, { recursive: true });
    return build({ ...common, entryPoints: [join(root, 'lambda', name, 'index.ts')], outfile: join(outdir, 'index.js') });
  }),
  ...(existsSync(join(root, 'lambda', 'cli', 'main.ts'))
    ? [
        build({
          ...common,
          entryPoints: [join(root, 'lambda', 'cli', 'main.ts')],
          outfile: join(root, 'assets', 'cli', 'cdk-s3-dr.js'),
          banner: { js: '#!/usr/bin/env node' },
        }),
      ]
    : []),
]);
if (!quiet) console.error(`bundled ${handlers.length} handler(s)${handlers.length ? ': ' + handlers.join(', ') : ''}`);
