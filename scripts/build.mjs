#!/usr/bin/env node
// Builds the package: the Lambda handlers and the command line into assets/ (build-handlers.mjs),
// then the constructs into dist/ with their type declarations. npm runs it as `prepare`, so every
// way a package gets made builds it whole: `npm ci` in a checkout, `npm pack` and `npm publish`,
// and an install from a git URL (npm installs the dev dependencies there and runs `prepare`).
// The published package.json has no scripts (scripts/pack-manifest.mjs).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
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
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
run([tsc, '-p', join(root, 'tsconfig.build.json')]);
