import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Construct } from 'constructs';
import * as lib from '../../lib';
import { extractTsBlocks } from '../support/doc-blocks';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

/** Every construct the package exports, and TwoWayReplication (a pair of constructs, not one itself). */
const CONSTRUCTS = [
  ...Object.entries(lib)
    .filter(([, v]) => typeof v === 'function' && v.prototype instanceof Construct)
    .map(([name]) => name),
  'TwoWayReplication',
].sort();

describe('README, the quick start', () => {
  test('shows the two commands first', () => {
    const firstCode = readme.indexOf('```sh');
    expect(readme.slice(firstCode, readme.indexOf('```', firstCode + 5))).toMatch(
      /npm ci && npx cdk synth[\s\S]*npm test/,
    );
    expect(readme.match(/^## .*/m)?.[0]).toBe('## The two commands');
  });

  test('finds the constructs to show', () => {
    expect(CONSTRUCTS).toEqual(expect.arrayContaining(['ReplicaBucket', 'ReplicatedBucket', 'ReplicationBackfill']));
    expect(CONSTRUCTS.length).toBeGreaterThanOrEqual(14);
  });

  test.each(CONSTRUCTS)('has an example of %s in a code block', (name) => {
    const blocks = extractTsBlocks('README.md', readme).filter((b) => b.code.includes(`new ${name}(`));
    expect(blocks.length).toBeGreaterThan(0);
  });

  test.each(['repair', 'backfill', 'failback'])('shows %s on the command line, with its exit codes', (command) => {
    const shell = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
    expect(shell).toMatch(new RegExp(`^npx cdk-s3-dr ${command} `, 'm'));
    // The exit-code table: a column per command, a row per code, a cell saying what it means.
    const lines = readme.split('\n');
    const head = lines.findIndex((l) => l.startsWith('| exit |'));
    expect(head).toBeGreaterThan(-1);
    const cells = (l: string) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
    const column = cells(lines[head]).indexOf(`\`${command}\``);
    expect(column).toBeGreaterThan(0);
    const rows = lines
      .slice(
        head + 2,
        lines.findIndex((l, i) => i > head && !l.startsWith('|')),
      )
      .map(cells);
    expect(rows.map((r) => [r[0], r[column] !== '']).sort()).toEqual([
      ['0', true],
      ['1', true],
      ['3', true],
    ]);
    expect(readme).toMatch(/All commands: 2 bad input[^.]*, 4 [^.]*, 5 /);
  });

  test('stays short: a quick start, not the reference', () => {
    expect(Buffer.byteLength(readme)).toBeLessThan(15_000);
  });

  test('links every docs page', () => {
    const pages = readdirSync(join(__dirname, '..', '..', 'docs')).filter((f) => f.endsWith('.md'));
    for (const page of pages)
      expect({ page, linked: readme.includes(`](docs/${page}`) }).toEqual({ page, linked: true });
  });
});
