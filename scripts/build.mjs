#!/usr/bin/env node
// Builds the package: the Lambda handlers and the command line into assets/ (build-handlers.mjs),
// then the constructs with jsii into dist/ (JavaScript and type declarations) and .jsii (the
// assembly the Python, Java, .NET and Go packages are generated from; tsconfig.build.json), then
// the API reference API.md from the assembly (jsii-docgen). npm runs it (with --check: API.md
// must be the committed one) so that every way a package gets made builds it whole: as `prepare`
// for `npm ci` in a checkout and for an install from a git URL (npm installs the dev dependencies
// there and runs `prepare`), and as `prepack` for `npm pack` and `npm publish`. Packing needs the
// prepack: npm reads `prepare` from the manifest after prepack has stripped its scripts
// (scripts/pack-manifest.mjs), so it would pack whatever dist/ a former build left.
// The published package.json has no scripts (scripts/pack-manifest.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const quiet = process.argv.includes('--quiet');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (args) => {
  // Quiet (as npm's prepare and prepack run it): the steps' output goes to stderr, so the
  // standard output of `npm pack --json` is the JSON alone.
  const { status, signal } = spawnSync(process.execPath, args, { cwd: root, stdio: [0, quiet ? 2 : 1, 2] });
  if (status !== 0) {
    console.error(`build: "node ${args.join(' ')}" ${signal ? `was killed by ${signal}` : `exited ${status}`}`);
    process.exit(status || 1);
  }
};

run([join(root, 'scripts', 'build-handlers.mjs'), ...process.argv.slice(2).filter((a) => a !== '--check')]);
rmSync(join(root, 'dist'), { recursive: true, force: true });
rmSync(join(root, '.jsii'), { force: true });
const jsii = join(dirname(createRequire(import.meta.url).resolve('jsii/package.json')), 'bin', 'jsii');
run([jsii, '--silence-warnings', 'metadata/missing-dev-dependency']);

// Handler modules that lib imports are compiled into dist/lambda/ and shipped. The package's only
// runtime dependencies are its peer dependencies (aws-cdk-lib, constructs, cdk-nag): the handlers'
// own (the AWS SDK, Powertools) are bundled into assets/ and may not be required from dist/.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const allowed = new Set(Object.keys(pkg.peerDependencies ?? {}));
const packageOf = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');
const shipped = readdirSync(join(root, 'dist'), { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile() && e.name.endsWith('.js'))
  .map((e) => join(e.parentPath ?? e.path, e.name));
const unshippable = [];
for (const file of shipped) {
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
    if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
    if (!allowed.has(packageOf(spec))) unshippable.push(`${file.slice(root.length + 1)}: ${spec}`);
  }
}
if (unshippable.length > 0) {
  console.error(
    `build: dist/ requires packages the package does not depend on (only its peer dependencies are installed with it):\n  ${unshippable.join('\n  ')}\n` +
      'import only the small pure modules (a contract, shared rules) from lib/, or move what lib needs into them',
  );
  process.exit(1);
}

// The API reference, generated from the doc comments in the assembly. `npm run build` rewrites
// API.md; with --check (the `prepare` script, so `npm ci`, `npm pack` and CI) the build fails when
// the committed API.md is not what the doc comments generate.
const check = process.argv.includes('--check');
const docgen = join(dirname(createRequire(import.meta.url).resolve('jsii-docgen/package.json')), 'bin', 'jsii-docgen');
const generated = join(mkdtempSync(join(tmpdir(), 'cdk-s3-dr-docgen-')), 'API.md');
run([docgen, '--output', generated]);
const committed = join(root, 'API.md');
const before = existsSync(committed) ? readFileSync(committed, 'utf8') : undefined;
const after = readFileSync(generated, 'utf8');
rmSync(dirname(generated), { recursive: true, force: true });
if (before !== after) {
  if (check) {
    console.error('build: API.md is not what the doc comments generate; run `npm run build` and commit API.md');
    process.exit(1);
  }
  writeFileSync(committed, after);
  if (!quiet) console.log('build: API.md regenerated from the doc comments');
}
