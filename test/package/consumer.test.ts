/**
 * The package as a user gets it: `npm pack` (which builds it through `prepare`), installed into a
 * scratch CDK app outside the repository with its own package.json, tsconfig.json and cdk.json,
 * type-checked against the shipped declarations and synthesized by the CDK CLI, using only the
 * public API. The scratch app sets no feature flags, as in an app that predates them.
 *
 * Timeouts are sized to the work, measured on a 2-core machine, with room for a machine shared
 * with other builds: every `prepare` is a full build (the handlers bundled with esbuild, the jsii
 * compilation, the API reference), about 40 s alone. `npm pack` runs one (before the scratch
 * install), and a git-URL install runs two: npm's git-dependency preparation runs
 * `npm install --force` in its clone, which installs all dev dependencies and runs the root
 * package's `prepare`, and then runs `prepare` once more before packing the clone (about 160 s in
 * all, unloaded).
 */
import { execFileSync, ExecFileSyncOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..', '..');
const repoPackage = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
/** The versions this repository is tested with: the peers a user installs beside the package. */
const pinned = (name: string) => `${name}@${repoPackage.devDependencies[name]}`;

/** A command without a build (tsc, cdk synth, the CLI, a peer install). */
const COMMAND_TIMEOUT_MS = 300_000;
/** A command that builds the package once (`npm pack`). */
const ONE_BUILD_TIMEOUT_MS = 600_000;
/** A git-URL install: a dev-dependency install and two builds. */
const GIT_INSTALL_TIMEOUT_MS = 1_200_000;

const APP = `import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  ConsistencyAudit,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationDestination,
  ReplicationPairs,
  ReplicationProbe,
  ReplicationRepair,
  RepairTarget,
  RestoreDrill,
} from 'cdk-s3-dr';

const app = new App();
const env = (region: string) => ({ account: '111111111111', region });
const west = new Stack(app, 'Replica', { env: env('us-west-2') });
const east = new Stack(app, 'Primary', { env: env('us-east-1') });

const replica = new ReplicaBucket(west, 'Replica');
const data = new ReplicatedBucket(east, 'Data', {
  destinations: [ReplicationDestination.toReplicaBucket(replica)],
});
const pair = ReplicationPairs.of(data);
new ConsistencyAudit(west, 'Audit', { ...pair, lagWindow: Duration.minutes(15) });
new RestoreDrill(west, 'Drill', { ...pair, sampleSize: 10 });
new ReplicationProbe(west, 'Probe', { ...pair });
new ReplicationRepair(west, 'Repair', { ...pair, to: RepairTarget.SOURCE });

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
`;

describe('the packed package in a scratch app', () => {
  let dir: string;
  let tarball: string;
  /** Runs a command in the scratch app; a failure shows the command's own output. */
  const run = (file: string, args: string[], options: ExecFileSyncOptions = {}) => {
    try {
      return execFileSync(file, args, {
        cwd: dir,
        encoding: 'utf8',
        stdio: 'pipe',
        timeout: COMMAND_TIMEOUT_MS,
        ...options,
      }) as string;
    } catch (e) {
      const { status, stdout, stderr } = e as { status?: number; stdout?: string; stderr?: string };
      throw Object.assign(new Error(`${file} ${args.join(' ')} exited ${status}:\n${stdout ?? ''}${stderr ?? ''}`), {
        status,
        stderr,
      });
    }
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cdk-s3-dr-consumer-'));
    const packed = JSON.parse(
      run('npm', ['pack', '--json', '--pack-destination', dir], {
        cwd: REPO,
        env: { ...process.env, npm_config_loglevel: 'error' },
        timeout: ONE_BUILD_TIMEOUT_MS,
      }),
    );
    tarball = join(dir, packed[0].filename);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, version: '0.0.0' }));
    writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ app: 'node out/app.js' }));
    writeFileSync(join(dir, 'app.ts'), APP);
    run('npm', [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      tarball,
      pinned('aws-cdk-lib'),
      pinned('constructs'),
      pinned('cdk-nag'),
      pinned('aws-cdk'),
      pinned('typescript'),
    ]);
    // The compiler settings `cdk init app --language typescript` writes (NodeNext modules, strict),
    // emitting JavaScript for cdk.json's app command.
    const initTsconfig = join(
      dir,
      'node_modules',
      'aws-cdk',
      'lib',
      'init-templates',
      'app',
      'typescript',
      'tsconfig.json',
    );
    const { compilerOptions } = JSON.parse(readFileSync(initTsconfig, 'utf8'));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { ...compilerOptions, noEmit: false, outDir: 'out', types: [] },
        files: ['app.ts'],
      }),
    );
  }, ONE_BUILD_TIMEOUT_MS + COMMAND_TIMEOUT_MS);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('ships the compiled constructs, their declarations, the handlers and the command line, and no sources', () => {
    const listed = run('tar', ['-tzf', tarball]).trim().split('\n');
    const installed = join(dir, 'node_modules', 'cdk-s3-dr');
    for (const path of [repoPackage.main, repoPackage.types, repoPackage.bin['cdk-s3-dr']]) {
      expect([path, existsSync(join(installed, path))]).toEqual([path, true]);
    }
    const handlers = readdirSync(join(installed, 'assets', 'handlers')).sort();
    expect(handlers).toEqual(['audit', 'backfill', 'drill', 'failover', 'probe', 'repair', 'replication-events']);
    expect(
      listed.filter((f) => /^package\/(lib|lambda|test|bin)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts'))),
    ).toEqual([]);
    // The installed manifest names no script (npm would list a `prepare` as an install script to
    // approve) and no dev dependency; the peers are what the user installs beside it.
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect([manifest.scripts, manifest.devDependencies]).toEqual([undefined, undefined]);
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'cdk-nag', 'constructs']);
    // Packing put the repository's own manifest back.
    expect(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'))).toEqual(repoPackage);
  });

  test('type-checks against the shipped declarations and synthesizes with cdk synth, nag clean, with no feature flags', () => {
    run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', '.']);
    const out = run(
      join(dir, 'node_modules', '.bin', 'cdk'),
      ['synth', '-q', '--no-notices', '--no-version-reporting'],
      {
        env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
      },
    );
    expect(out).not.toMatch(/error/i);
    const assembly = join(dir, 'cdk.out');
    const templates = readdirSync(assembly)
      .filter((f) => f.endsWith('.template.json'))
      .sort();
    expect(templates).toEqual(['Primary.template.json', 'Replica.template.json']);
    const replica = JSON.parse(readFileSync(join(assembly, 'Replica.template.json'), 'utf8'));
    const types = Object.values(replica.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::Lambda::Function').length).toBe(4);
    // The handlers' code is the package's own pre-built assets, staged by the CLI.
    const assets = readdirSync(assembly).filter((f) => f.startsWith('asset.'));
    expect(assets.length).toBeGreaterThanOrEqual(4);
  });

  test('the installed command line runs: help exits 0, a bad option exits 2 naming it', () => {
    const bin = join(dir, 'node_modules', '.bin', 'cdk-s3-dr');
    expect(run(bin, ['--help'])).toMatch(/audit/);
    let failure: { status?: number; stderr?: string } = {};
    try {
      run(bin, ['audit', '--no-such-option']);
    } catch (e) {
      failure = e as typeof failure;
    }
    expect(failure.status).toBe(2);
    expect(String(failure.stderr)).toMatch(/no-such-option/);
  });

  test(
    'an install from the git repository builds the same package',
    () => {
      // npm clones the repository's committed HEAD, installs its dev dependencies, runs `prepare`
      // and installs the result, as for a dependency given as a git URL (it runs no prepack there,
      // so that package keeps the repository's scripts; prepare has already built it).
      const gitDir = mkdtempSync(join(tmpdir(), 'cdk-s3-dr-git-'));
      try {
        writeFileSync(
          join(gitDir, 'package.json'),
          JSON.stringify({ name: 'git-app', private: true, version: '0.0.0' }),
        );
        run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `git+file://${REPO}`], {
          cwd: gitDir,
          timeout: GIT_INSTALL_TIMEOUT_MS,
        });
        const installed = join(gitDir, 'node_modules', 'cdk-s3-dr');
        for (const path of [repoPackage.main, repoPackage.types, repoPackage.bin['cdk-s3-dr']]) {
          expect([path, existsSync(join(installed, path))]).toEqual([path, true]);
        }
        expect(readdirSync(join(installed, 'assets', 'handlers')).sort()).toEqual(
          readdirSync(join(dir, 'node_modules', 'cdk-s3-dr', 'assets', 'handlers')).sort(),
        );
      } finally {
        rmSync(gitDir, { recursive: true, force: true });
      }
    },
    GIT_INSTALL_TIMEOUT_MS + COMMAND_TIMEOUT_MS,
  );
});
