/**
 * The package as a user gets it: `npm pack` (which builds it through `prepare`), installed into a
 * scratch CDK app outside the repository with its own package.json, tsconfig.json and cdk.json,
 * type-checked against the shipped declarations and synthesized by the CDK CLI, using only the
 * public API. The scratch app sets no feature flags, as in an app that predates them. It is made
 * twice: with the peer versions this repository is tested with, and with what a new app installs
 * today (the newest each peer range allows, the newest CDK CLI, and the TypeScript that this
 * CLI's `cdk init` writes), so a peer release the range admits is tested before a user meets it.
 *
 * Timeouts are sized to the work, measured on a 2-core machine, with room for a machine shared
 * with other builds: every build (the handlers bundled with esbuild, the jsii compilation, the API
 * reference) takes about 40 s alone. `npm pack` runs one (its `prepack`, before the scratch
 * installs), and a git-URL install runs two: npm's git-dependency preparation runs
 * `npm install --force` in its clone, which installs all dev dependencies and runs the root
 * package's `prepare`, and then runs `prepare` once more before packing the clone (about 160 s in
 * all, unloaded).
 */
import { execFileSync, ExecFileSyncOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..', '..');
const repoPackage = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
/** The versions this repository is tested with. */
const pinned = (name: string) => `${name}@${repoPackage.devDependencies[name]}`;
/** What `npm install <name>` gives a new app today: the newest version the peer range allows. */
const newestInRange = (name: string) => `${name}@${repoPackage.peerDependencies[name]}`;

interface PeerSet {
  /** What `npm install` is given beside the tarball. */
  readonly peers: string[];
  /** The TypeScript to install; undefined: the version the installed CLI's `cdk init` writes. */
  readonly typescript?: string;
}

const PEER_SETS: Array<[string, PeerSet]> = [
  [
    'the versions this repository is tested with',
    {
      peers: [pinned('aws-cdk-lib'), pinned('constructs'), pinned('cdk-nag'), pinned('aws-cdk')],
      typescript: pinned('typescript'),
    },
  ],
  [
    'what a new app installs today',
    {
      peers: [newestInRange('aws-cdk-lib'), newestInRange('constructs'), newestInRange('cdk-nag'), 'aws-cdk@latest'],
    },
  ],
];

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
// Ranges that choose themselves: a Distributed Map, whose permissions aws-cdk-lib adds.
new ConsistencyAudit(west, 'Audit', { ...pair, lagWindow: Duration.minutes(15), rangeCount: 4 });
new RestoreDrill(west, 'Drill', { ...pair, sampleSize: 10 });
new ReplicationProbe(west, 'Probe', { ...pair });
new ReplicationRepair(west, 'Repair', { ...pair, to: RepairTarget.SOURCE });

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
`;

/** Runs a command; a failure shows the command's own output. */
function run(cwd: string, file: string, args: string[], options: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync(file, args, {
      cwd,
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
}

let packDir: string;
let tarball: string;
let packStarted: number;
/** The files of the tarball, and the handlers it ships (their folders under assets/handlers/). */
let listed: string[];
let packedHandlers: string[];

/** An installed copy of the package has the manifest's entry points and the handlers the tarball ships. */
function expectInstalled(installed: string): void {
  for (const path of [repoPackage.main, repoPackage.types, repoPackage.bin['cdk-s3-dr']]) {
    expect([path, existsSync(join(installed, path))]).toEqual([path, true]);
  }
  expect(readdirSync(join(installed, 'assets', 'handlers')).sort()).toEqual(packedHandlers);
}

beforeAll(() => {
  packDir = mkdtempSync(join(tmpdir(), 'cdk-s3-dr-pack-'));
  packStarted = Date.now();
  const packed = JSON.parse(
    run(REPO, 'npm', ['pack', '--json', '--pack-destination', packDir], {
      env: { ...process.env, npm_config_loglevel: 'error' },
      timeout: ONE_BUILD_TIMEOUT_MS,
    }),
  );
  tarball = join(packDir, packed[0].filename);
  listed = run(packDir, 'tar', ['-tzf', tarball]).trim().split('\n');
  packedHandlers = [
    ...new Set(listed.map((f) => /^package\/assets\/handlers\/([^/]+)\//.exec(f)?.[1]).filter((h) => h !== undefined)),
  ].sort();
}, ONE_BUILD_TIMEOUT_MS);

afterAll(() => {
  if (packDir) rmSync(packDir, { recursive: true, force: true });
});

test('npm pack builds the package it packs, ships the compiled constructs, their declarations, the handlers and the command line, and no sources', () => {
  // Built by this pack (its prepack), not left over from an earlier build of other sources.
  for (const built of ['dist/lib/index.js', '.jsii', 'assets/cli/cdk-s3-dr.js']) {
    expect([built, statSync(join(REPO, built)).mtimeMs >= packStarted]).toEqual([built, true]);
  }
  for (const path of [repoPackage.main, repoPackage.types, repoPackage.bin['cdk-s3-dr']]) {
    expect(listed).toContain(`package/${path.replace(/^\.\//, '')}`);
  }
  expect(packedHandlers).toEqual(['audit', 'backfill', 'drill', 'failover', 'probe', 'repair', 'replication-events']);
  expect(
    listed.filter((f) => /^package\/(lib|lambda|test|bin)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts'))),
  ).toEqual([]);
  // The shipped manifest names no script (npm would list a `prepare` as an install script to
  // approve) and no dev dependency; the peers are what the user installs beside it.
  const manifest = JSON.parse(run(packDir, 'tar', ['-xzOf', tarball, 'package/package.json']));
  expect([manifest.scripts, manifest.devDependencies]).toEqual([undefined, undefined]);
  expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'cdk-nag', 'constructs']);
  // Packing put the repository's own manifest back.
  expect(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'))).toEqual(repoPackage);
});

describe.each(PEER_SETS)('the packed package in a scratch app, with %s', (_name, set) => {
  let dir: string;
  const inApp = (file: string, args: string[], options: ExecFileSyncOptions = {}) => run(dir, file, args, options);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cdk-s3-dr-consumer-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, version: '0.0.0' }));
    writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ app: 'node out/app.js' }));
    writeFileSync(join(dir, 'app.ts'), APP);
    const install = (specs: string[]) =>
      inApp('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...specs]);
    install([tarball, ...set.peers, ...(set.typescript ? [set.typescript] : [])]);
    // The compiler settings (and, unless pinned, the TypeScript) that `cdk init app --language
    // typescript` of the installed CLI writes (NodeNext modules, strict), emitting JavaScript for
    // cdk.json's app command.
    const template = join(dir, 'node_modules', 'aws-cdk', 'lib', 'init-templates', 'app', 'typescript');
    if (!set.typescript) {
      const initPackage = JSON.parse(readFileSync(join(template, 'package.json'), 'utf8'));
      install([`typescript@${initPackage.devDependencies.typescript}`]);
    }
    const { compilerOptions } = JSON.parse(readFileSync(join(template, 'tsconfig.json'), 'utf8'));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { ...compilerOptions, noEmit: false, outDir: 'out', types: [] },
        files: ['app.ts'],
      }),
    );
  }, 2 * COMMAND_TIMEOUT_MS);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('installs the package with its compiled constructs, declarations, handlers and command line', () => {
    expectInstalled(join(dir, 'node_modules', 'cdk-s3-dr'));
  });

  test('type-checks against the shipped declarations and synthesizes with cdk synth, nag clean, with no feature flags', () => {
    inApp(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', '.']);
    const out = inApp(
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
    // A Distributed Map's permissions on a customer managed policy: no inline policy.
    expect(types).toContain('AWS::StepFunctions::StateMachine');
    expect(types.filter((t) => t === 'AWS::IAM::Policy')).toEqual([]);
    // The handlers' code is the package's own pre-built assets, staged by the CLI.
    const assets = readdirSync(assembly).filter((f) => f.startsWith('asset.'));
    expect(assets.length).toBeGreaterThanOrEqual(4);
  });

  test('the installed command line runs: help exits 0, a bad option exits 2 naming it', () => {
    const bin = join(dir, 'node_modules', '.bin', 'cdk-s3-dr');
    expect(inApp(bin, ['--help'])).toMatch(/audit/);
    let failure: { status?: number; stderr?: string } = {};
    try {
      inApp(bin, ['audit', '--no-such-option']);
    } catch (e) {
      failure = e as typeof failure;
    }
    expect(failure.status).toBe(2);
    expect(String(failure.stderr)).toMatch(/no-such-option/);
  });
});

test(
  'an install from the git repository builds the same package',
  () => {
    // npm clones the repository's committed HEAD, installs its dev dependencies, runs `prepare`
    // and installs the result, as for a dependency given as a git URL (it runs no prepack there,
    // so that package keeps the repository's scripts; prepare has already built it).
    const gitDir = mkdtempSync(join(tmpdir(), 'cdk-s3-dr-git-'));
    try {
      writeFileSync(join(gitDir, 'package.json'), JSON.stringify({ name: 'git-app', private: true, version: '0.0.0' }));
      run(gitDir, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `git+file://${REPO}`], {
        timeout: GIT_INSTALL_TIMEOUT_MS,
      });
      expectInstalled(join(gitDir, 'node_modules', 'cdk-s3-dr'));
    } finally {
      rmSync(gitDir, { recursive: true, force: true });
    }
  },
  GIT_INSTALL_TIMEOUT_MS + COMMAND_TIMEOUT_MS,
);
