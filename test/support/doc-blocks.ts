import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One TypeScript code block of a Markdown file. */
export interface DocBlock {
  /** The file, relative to the repository root. */
  readonly file: string;
  /** Line (1-based) of the block's first code line in the file. */
  readonly line: number;
  readonly code: string;
  /**
   * `typecheck-only`: not a CDK app (for example application code reading the SSM pointer),
   * marked by `<!-- docs-test: typecheck-only -->` on the line before the fence; it is
   * type-checked but not run.
   */
  readonly mode: 'synth' | 'typecheck-only';
}

/** The marker, on the line before a fence, of a block that is type-checked but not run. */
export const TYPECHECK_ONLY_MARKER = '<!-- docs-test: typecheck-only -->';

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/;

/** Every `ts` / `typescript` fenced block of one Markdown text. */
export function extractTsBlocks(file: string, text: string): DocBlock[] {
  const lines = text.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const [, , fence, info] = open;
    const end = lines.findIndex((l, j) => j > i && l.trim().startsWith(fence) && l.trim().replace(/[`~]/g, '') === '');
    const close = end === -1 ? lines.length : end;
    if (info === 'ts' || info === 'typescript') {
      const previous = lines
        .slice(0, i)
        .reverse()
        .find((l) => l.trim() !== '');
      blocks.push({
        file,
        line: i + 2,
        code: lines.slice(i + 1, close).join('\n') + '\n',
        mode: previous?.trim() === TYPECHECK_ONLY_MARKER ? 'typecheck-only' : 'synth',
      });
    }
    i = close;
  }
  return blocks;
}

/** README.md and every docs/**\/*.md of the repository, in a stable order. */
export function docFiles(root: string): string[] {
  const files = [join(root, 'README.md')];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.md')) files.push(p);
    }
  };
  walk(join(root, 'docs'));
  return files;
}

/** Every TypeScript block of the repository's documentation. */
export function docBlocks(root: string): DocBlock[] {
  return docFiles(root).flatMap((f) => extractTsBlocks(relative(root, f), readFileSync(f, 'utf8')));
}
