#!/usr/bin/env node
// Pre-bundles the Lambda handlers and the command line into plain JavaScript under assets/,
// so that constructs load them with lambda.Code.fromAsset and consumers of the library need
// neither esbuild nor Docker. Runs on `npm ci` (prepare), before tests and before synth.
import { build } from 'esbuild';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * The command line as ES modules split at its dynamic imports: a command loads only its own
 * chunks, and the SDK clients load when first used (an audit lists without them), so a run
 * compiles a fraction of the code before its first request. A package.json beside the chunks
 * marks them as ES modules; `require` is provided for the CommonJS dependencies inside them.
 */
async function buildCli() {
  const outdir = join(root, 'assets', 'cli');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  writeFileSync(join(outdir, 'package.json'), JSON.stringify({ type: 'module' }) + '\n');
  await build({
    ...common,
    format: 'esm',
    splitting: true,
    entryPoints: { 'cdk-s3-dr': join(root, 'lambda', 'cli', 'bin.ts') },
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __cdkS3DrCreateRequire } from 'node:module';\nconst require = __cdkS3DrCreateRequire(import.meta.url);",
    },
  });
  chmodSync(join(outdir, 'cdk-s3-dr.js'), 0o755);
}

await Promise.all([
  ...handlers.map((name) => {
    const outdir = join(root, 'assets', 'handlers', name);
    mkdirSync(outdir, { recursive: true });
    return build({
      ...common,
      entryPoints: [join(root, 'lambda', name, 'index.ts')],
      outfile: join(outdir, 'index.js'),
    });
  }),
  ...(existsSync(join(root, 'lambda', 'cli', 'bin.ts')) ? [buildCli()] : []),
]);
if (!quiet) console.error(`bundled ${handlers.length} handler(s)${handlers.length ? ': ' + handlers.join(', ') : ''}`);
