import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_USAGE } from '../../../lambda/cli/audit-command';
import { BACKFILL_USAGE } from '../../../lambda/cli/backfill-command';
import { DRILL_USAGE } from '../../../lambda/cli/drill-command';
import { FAILBACK_USAGE } from '../../../lambda/cli/failback-command';
import { FAILOVER_USAGE } from '../../../lambda/cli/failover-command';
import { REPAIR_USAGE } from '../../../lambda/cli/repair-command';

/** docs/cli.md lists every flag of every command's --help, in that command's section. */
const page = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'cli.md'), 'utf8');
const COMMON = new Set(['--request-timeout', '--deadline', '--help']);

function section(command: string): string {
  const start = page.indexOf(`### \`cdk-s3-dr ${command}\``);
  if (start === -1) return '';
  const next = page.slice(start + 1).search(/\n#{2,3} /);
  return next === -1 ? page.slice(start) : page.slice(start, start + 1 + next);
}

const COMMANDS: [string, string][] = [
  ['audit', AUDIT_USAGE],
  ['drill', DRILL_USAGE],
  ['repair', REPAIR_USAGE],
  ['backfill', BACKFILL_USAGE],
  ['failover', FAILOVER_USAGE],
  ['failback', FAILBACK_USAGE],
];

describe('docs/cli.md', () => {
  test.each(COMMANDS)('lists every flag of %s --help', (command, usage) => {
    const options = usage.slice(usage.indexOf('\noptions:'));
    const flags = [...new Set([...options.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]))].filter(
      (f) => !COMMON.has(f),
    );
    expect(flags.length).toBeGreaterThan(2);
    const text = section(command);
    expect(flags.filter((f) => !new RegExp(`\`${f}(?![\\w-])`).test(text))).toEqual([]);
  });

  test.each(COMMANDS)('%s --help sets each flag apart from its description', (_command, usage) => {
    // A flag (or a list of flags) alone on its line, or two spaces before what it does.
    const lines = usage.slice(usage.indexOf('\noptions:')).split('\n');
    const flagLines = lines.filter((l) => /^  --/.test(l));
    expect(flagLines.length).toBeGreaterThan(2);
    const flag = '--[a-z][a-z-]*(?: \\S+)?';
    const shape = new RegExp(`^  ${flag}(?:, ${flag})*(?: {2,}\\S.*)?$`);
    expect(flagLines.filter((l) => !shape.test(l))).toEqual([]);
  });

  test.each(COMMANDS.map(([command]) => command))(
    'the %s table gives each flag its own cell and says what it does',
    (command) => {
      const rows = section(command)
        .split('\n')
        .filter((l) => l.startsWith('|') && !/^\|[\s-|]+\|$/.test(l))
        .slice(1)
        .map((l) =>
          l
            .split(/(?<!\\)\|/)
            .slice(1, -1)
            .map((c) => c.trim()),
        );
      expect(rows.length).toBeGreaterThan(2);
      // One flag, or a list of flags, each in backquotes; what it does in the next cell.
      const flags = /^`--[a-z][a-z-]*(?: [^`]+)?`(?:, `--[a-z][a-z-]*(?: [^`]+)?`)*$/;
      expect(rows.filter(([flag, what]) => !flags.test(flag) || !what)).toEqual([]);
    },
  );

  test('lists the options of every command once', () => {
    for (const flag of COMMON) if (flag !== '--help') expect(page).toContain(`\`${flag} SECONDS\``);
  });
});
