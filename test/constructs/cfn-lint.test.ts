import { App } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleApp } from '../../bin/example';
import { COMPOSITIONS } from '../support/compositions';
import { synthesizeTo } from '../support/synth';

const ROOT = join(__dirname, '..', '..');

interface Match {
  readonly Rule: { readonly Id: string };
  readonly Level: string;
  readonly Message: string;
  readonly Filename: string;
}

/**
 * cfn-lint over every template of the example app and the composition tests, in one invocation,
 * with the project's .cfnlintrc.yaml (the one place where rules are ignored, each with a reason).
 * cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational; anything else
 * (1, or no exit code) means it did not run properly.
 */
describe('cfn-lint', () => {
  const builds: Array<readonly [string, (app: App) => void]> = [
    ['the example app', (app) => void buildExampleApp(app)],
    ...COMPOSITIONS,
  ];
  const apps = builds.map(([, build]) => synthesizeTo(build, 'cdk-s3-dr-lint-'));
  const templates = apps.flatMap((a) => a.templates);
  afterAll(() => apps.forEach((a) => rmSync(a.outdir, { recursive: true, force: true })));

  test('is installed', () => {
    const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
    if (version.error || version.status !== 0) {
      throw new Error(
        'cfn-lint is not on PATH: install it with `pip install cfn-lint` (Python 3.9 or later), then run the tests again',
      );
    }
    expect(version.stdout).toMatch(/cfn-lint \d+\./);
  });

  test('reports no error and no unexplained warning in any synthesized template', () => {
    expect(templates.length).toBe(15);
    const run = spawnSync(
      'cfn-lint',
      ['--config-file', join(ROOT, '.cfnlintrc.yaml'), '--format', 'json', '--', ...templates],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (run.error)
      throw new Error(`cfn-lint did not run (${run.error.message}): install it with \`pip install cfn-lint\``);
    expect(run.status === null || (run.status & 1) === 1 ? run.stderr : '').toBe('');
    const matches = JSON.parse(run.stdout || '[]') as Match[];
    expect(matches.map((m) => `${m.Level} ${m.Rule.Id} ${m.Filename.split('/').pop()}: ${m.Message}`)).toEqual([]);
    expect(run.status).toBe(0);
  });
});
