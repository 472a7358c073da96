#!/usr/bin/env node
// The package.json a user installs carries no scripts and no dev dependencies: they serve only
// this repository (building, testing), and npm lists a `prepare` script of an installed package
// as an install script to approve although it would never run there.
//   node scripts/pack-manifest.mjs strip     (npm's prepack: keeps the full manifest aside)
//   node scripts/pack-manifest.mjs restore   (npm's postpack: puts it back)
// npm reads the scripts it runs before packing, so postpack still runs after strip.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = join(root, 'package.json');
const kept = join(root, '.package.json.full');

const command = process.argv[2];
if (command === 'strip') {
  if (existsSync(kept)) renameSync(kept, manifest); // an interrupted pack left the full one aside
  const full = readFileSync(manifest, 'utf8');
  writeFileSync(kept, full);
  const { scripts: _scripts, devDependencies: _dev, overrides: _overrides, ...published } = JSON.parse(full);
  writeFileSync(manifest, JSON.stringify(published, null, 2) + '\n');
} else if (command === 'restore') {
  if (existsSync(kept)) renameSync(kept, manifest);
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}
