#!/usr/bin/env node
// Builds the package: the Lambda handlers and the command line into assets/ (build-handlers.mjs),
// then the constructs with jsii into dist/ (JavaScript and type declarations) and .jsii (the
// assembly the Python, Java, .NET and Go packages are generated from; tsconfig.build.json). npm runs it as `prepare`, so every
// way a package gets made builds it whole: `npm ci` in a checkout, `npm pack` and `npm publish`,
// and an install from a git URL (npm installs the dev dependencies there and runs `prepare`).
// The published package.json has no scripts (scripts/pack-manifest.mjs).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (args) => {
  const { status, signal } = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (status !== 0) {
    console.error(`build: "node ${args.join(' ')}" ${signal ? `was killed by ${signal}` : `exited ${status}`}`);
    process.exit(status || 1);
  }
};

run([join(root, 'scripts', 'build-handlers.mjs'), ...process.argv.slice(2)]);
rmSync(join(root, 'dist'), { recursive: true, force: true });
rmSync(join(root, '.jsii'), { force: true });
const jsii = join(dirname(createRequire(import.meta.url).resolve('jsii/package.json')), 'bin', 'jsii');
run([jsii, '--silence-warnings', 'metadata/missing-dev-dependency']);

// Handler modules that lib imports are compiled into dist/lambda/ and shipped; the package has no
// dependency on the AWS SDK, so none of them may require it.
const shipped = (dir) =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => join(e.parentPath ?? e.path, e.name));
let distLambda = [];
try {
  distLambda = shipped(join(root, 'dist', 'lambda'));
} catch {
  // lib imports nothing from lambda/
}
const withSdk = distLambda.filter((f) => /require\("@aws-sdk\/|require\("@smithy\//.test(readFileSync(f, 'utf8')));
if (withSdk.length > 0) {
  console.error(
    `build: lib imports handler modules that require the AWS SDK, which the package does not depend on:\n  ${withSdk.join('\n  ')}\n` +
      'import only the small pure modules (a contract, shared rules) from lib/, or move what lib needs into them',
  );
  process.exit(1);
}
