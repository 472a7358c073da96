/**
 * Every TypeScript block of README.md and docs/**\/*.md compiles and synthesizes on its own, as a
 * reader would paste it: each block is written to a scratch folder as its own module, where
 * `import ... from 'cdk-s3-dr'` resolves to this repository's lib/index.ts (tsconfig `paths`).
 *
 * - All blocks are type-checked in one program with the repository's compiler options (strict,
 *   no unused locals).
 * - Each block that is a CDK app is then run (`node --import tsx`, all in one child process, each
 *   with its own CDK_OUTDIR) and must call `app.synth()` itself; the test checks the cloud
 *   assembly it wrote (a template per stack). Blocks marked `<!-- docs-test: typecheck-only -->` on the line before the fence are
 *   not run (application code, not CDK apps).
 * - The child runs with no feature flags at all, as in an app that predates them: the constructs do
 *   not depend on them (test/constructs/feature-flags.test.ts compares a bare app with the flags
 *   `cdk init` writes).
 *
 * A failure names the file and line of the block.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { DocBlock, docBlocks, extractTsBlocks, TYPECHECK_ONLY_MARKER } from '../support/doc-blocks';

const root = join(__dirname, '..', '..');
const blocks = docBlocks(root);
const where = (b: DocBlock) => `${b.file}:${b.line}`;

let dir: string;
const fileOf = new Map<DocBlock, string>();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdk-s3-dr-docs-'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: blockCompilerOptionsJson(), include: ['*.ts'] }, null, 2),
  );
  blocks.forEach((b, i) => {
    const file = join(dir, `block-${String(i + 1).padStart(2, '0')}.ts`);
    writeFileSync(file, b.code);
    fileOf.set(b, file);
  });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The repository's compiler options, plus the mapping of the package name to lib/index.ts. */
function blockCompilerOptionsJson(): Record<string, unknown> {
  const { config } = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  return {
    ...config.compilerOptions,
    types: ['node'],
    noEmit: true,
    paths: { 'cdk-s3-dr': [join(root, 'lib', 'index.ts')] },
  };
}

/**
 * Runs every CDK block once, in one child process (`node --import tsx`), so the library and
 * aws-cdk-lib load once: each block is required with CDK_OUTDIR set to a folder of its own, and
 * an error is recorded for its block instead of stopping the others. Blocks cannot reach each
 * other's variables (each is its own module, type-checked on its own).
 */
let results: Map<DocBlock, { outdir: string; error?: string }> | undefined;
function runAll(): Map<DocBlock, { outdir: string; error?: string }> {
  if (results) return results;
  const runs = blocks
    .filter((b) => b.mode === 'synth')
    .map((b) => ({ block: b, file: fileOf.get(b)!, outdir: fileOf.get(b)!.replace(/\.ts$/, '.out') }));
  const runner = join(dir, 'run-blocks.cjs');
  writeFileSync(
    runner,
    [
      "const { writeFileSync } = require('node:fs');",
      'const runs = JSON.parse(process.argv[2]);',
      'const errors = {};',
      'for (const { file, outdir } of runs) {',
      '  process.env.CDK_OUTDIR = outdir;',
      '  try {',
      '    require(file);',
      '  } catch (e) {',
      '    errors[file] = String((e && e.stack) || e);',
      '  }',
      '}',
      'writeFileSync(process.argv[3], JSON.stringify(errors));',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CDK_CONTEXT_JSON;
  // The jest setup turns CloudFormation's built-in validation off; a reader's synth has it on.
  delete env.CDK_VALIDATION;
  const errorsFile = join(dir, 'errors.json');
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', runner, JSON.stringify(runs.map(({ file, outdir }) => ({ file, outdir }))), errorsFile],
    { cwd: dir, env, encoding: 'utf8', timeout: 280_000 },
  );
  if (run.status !== 0) throw new Error(`the block runner failed (${run.status}): ${run.stderr}`);
  const errors: Record<string, string> = JSON.parse(readFileSync(errorsFile, 'utf8'));
  results = new Map(runs.map((r) => [r.block, { outdir: r.outdir, error: errors[r.file] }]));
  return results;
}

describe('the block extractor', () => {
  test('finds ts and typescript fences, their first line, and the typecheck-only marker', () => {
    const md = [
      '# t',
      '```ts',
      'const a = 1;',
      '```',
      '```sh',
      'npm test',
      '```',
      TYPECHECK_ONLY_MARKER,
      '',
      '```typescript',
      'const b = 2;',
      '```',
    ].join('\n');
    expect(extractTsBlocks('x.md', md)).toEqual([
      { file: 'x.md', line: 3, code: 'const a = 1;\n', mode: 'synth' },
      { file: 'x.md', line: 11, code: 'const b = 2;\n', mode: 'typecheck-only' },
    ]);
  });
});

describe('documentation code blocks', () => {
  test('README.md and the docs pages have blocks to check, each with its own imports and App', () => {
    expect(blocks.filter((b) => b.file === 'README.md').length).toBeGreaterThanOrEqual(9);
    expect(new Set(blocks.map((b) => b.file)).size).toBeGreaterThanOrEqual(7);
    for (const b of blocks) {
      expect({ at: where(b), imports: /^import /m.test(b.code) }).toEqual({ at: where(b), imports: true });
      if (b.mode === 'synth') {
        expect({ at: where(b), app: /new App\(/.test(b.code), synth: /app\.synth\(\)/.test(b.code) }).toEqual({
          at: where(b),
          app: true,
          synth: true,
        });
      }
    }
  });

  test('every block type-checks with the repository compiler options', () => {
    const parsed = ts.parseJsonConfigFileContent({ compilerOptions: blockCompilerOptionsJson() }, ts.sys, dir);
    const program = ts.createProgram([...fileOf.values()], parsed.options);
    const byFile = new Map([...fileOf].map(([b, f]) => [f, b]));
    const errors: string[] = [...parsed.errors, ...program.getOptionsDiagnostics()].map((d) =>
      ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    );
    for (const [file, block] of byFile) {
      const source = program.getSourceFile(file)!;
      for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
        const { line } = source.getLineAndCharacterOfPosition(d.start ?? 0);
        errors.push(
          `${block.file}:${block.line + line}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
        );
      }
    }
    expect(errors).toEqual([]);
  }, 180_000);

  const synthBlocks = blocks.filter((b) => b.mode === 'synth');
  test.each(synthBlocks.map((b) => [where(b), b] as const))(
    '%s synthesizes',
    (_at, block) => {
      const result = runAll().get(block)!;
      expect({ at: where(block), error: result.error }).toEqual({ at: where(block), error: undefined });
      const manifest = JSON.parse(readFileSync(join(result.outdir, 'manifest.json'), 'utf8'));
      const stacks = Object.values<{ type: string; properties: { templateFile: string } }>(manifest.artifacts).filter(
        (a) => a.type === 'aws:cloudformation:stack',
      );
      expect(stacks.length).toBeGreaterThan(0);
      for (const s of stacks) expect(existsSync(join(result.outdir, s.properties.templateFile))).toBe(true);
    },
    300_000,
  );
});
