import { drillCommand, drillOptionsFromArgs } from '../../../lambda/cli/drill-command';
import { drillMetrics, reportKey } from '../../../lambda/drill/index';
import { parseDrillEnv } from '../../../lambda/drill/core/config';

const base = ['--source', 's3://data/logs/', '--replica', 's3://data-replica/logs/', '--restore-to', 's3://scratch'];

describe('drill command line', () => {
  test('reads the options, with the restore target defaulting to the replica side', () => {
    const o = drillOptionsFromArgs(
      [
        ...base,
        '--replica-endpoint',
        'http://127.0.0.1:7481',
        '--sample',
        '25',
        '--sample-mode',
        'newest',
        '--as-of',
        '2026-11-20T12:00:00Z',
      ],
      { AWS_REGION: 'eu-west-1' },
    );
    expect(o).toMatchObject({
      source: { bucket: 'data', prefix: 'logs/', region: 'eu-west-1' },
      replica: { bucket: 'data-replica', prefix: 'logs/', endpoint: 'http://127.0.0.1:7481' },
      restoreTo: { bucket: 'scratch', prefix: '', region: 'eu-west-1', endpoint: 'http://127.0.0.1:7481' },
      sampleSize: 25,
      sampleMode: 'newest',
      concurrency: 32,
    });
    expect(o.asOf?.toISOString()).toBe('2026-11-20T12:00:00.000Z');
  });

  test('copies in mode auto unless --copy (or the older --server-side-copy) says otherwise', () => {
    const env = { AWS_REGION: 'x' };
    expect(drillOptionsFromArgs(base, env).copyMode).toBe('auto');
    expect(drillOptionsFromArgs([...base, '--copy', 'stream'], env).copyMode).toBe('stream');
    expect(drillOptionsFromArgs([...base, '--copy', 'server-side'], env).copyMode).toBe('server-side');
    expect(drillOptionsFromArgs([...base, '--server-side-copy'], env).copyMode).toBe('server-side');
    expect(() => drillOptionsFromArgs([...base, '--copy', 'fast'], env)).toThrow(
      '--copy "fast" is unknown: use auto, server-side, stream',
    );
    expect(() => drillOptionsFromArgs([...base, '--server-side-copy', '--copy', 'stream'], env)).toThrow(
      /--server-side-copy and --copy stream contradict each other/,
    );
  });

  test('defaults to a random sample of 100', () => {
    expect(drillOptionsFromArgs(base, { AWS_REGION: 'x' })).toMatchObject({ sampleSize: 100, sampleMode: 'random' });
  });

  test('names the missing or bad option and value', () => {
    expect(() => drillOptionsFromArgs(base.slice(2), { AWS_REGION: 'x' })).toThrow(
      '--source is required: give it as s3://bucket[/prefix] (see --help)',
    );
    expect(() => drillOptionsFromArgs(base, {})).toThrow(/--replica-region is required when AWS_REGION is not set/);
    expect(() => drillOptionsFromArgs([...base, '--replica-endpoint', 'localhost:7481'], { AWS_REGION: 'x' })).toThrow(
      '--replica-endpoint "localhost:7481" is not an http(s) endpoint: write for example http://127.0.0.1:7480',
    );
    expect(() => drillOptionsFromArgs([...base, '--concurrency', '0'], { AWS_REGION: 'x' })).toThrow(
      '--concurrency "0" is not a whole number from 1 to 256',
    );
    expect(() => drillOptionsFromArgs([...base, 'extra'], { AWS_REGION: 'x' })).toThrow(/unexpected argument 'extra'/);
    expect(() => drillOptionsFromArgs([...base, '--sample'], { AWS_REGION: 'x' })).toThrow(
      /option '--sample <value>' argument missing/,
    );
  });

  test('--help prints the options and exits 0', async () => {
    const out: string[] = [];
    const code = await drillCommand(['--help'], {
      out: (l) => out.push(l),
      err: () => undefined,
      isTTY: false,
      env: {},
    });
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/--restore-to URI/);
    expect(out.join('\n')).toMatch(
      /exit codes: 0 consistent \/ drill passed .*\n(.*\n)?.*2 bad usage or input, 3 a service/,
    );
    expect(out.join('\n')).toMatch(/4 a permission or configuration problem/);
  });
});

describe('drill lambda pieces', () => {
  test('emits DrillPassed 0 alone when the drill did not run', () => {
    const doc = drillMetrics('nightly').toEmf(0)!;
    expect(doc).toMatchObject({ Drill: 'nightly', DrillPassed: 0 });
    expect((doc._aws as { CloudWatchMetrics: { Metrics: unknown[] }[] }).CloudWatchMetrics[0].Metrics).toHaveLength(1);
  });

  test('puts reports under <prefix>/<name>/<drillId>.json', () => {
    const env = {
      REPLICA_BUCKET: 'data-replica',
      REPLICA_REGION: 'eu-central-1',
      SOURCE_BUCKET: 'data',
      SOURCE_REGION: 'eu-west-1',
      RESTORE_BUCKET: 'scratch',
      RESTORE_REGION: 'eu-central-1',
      REPORTS_BUCKET: 'reports',
      REPORTS_REGION: 'eu-central-1',
      REPORTS_PREFIX: 'drills',
      DRILL_NAME: 'nightly',
    };
    expect(reportKey(parseDrillEnv(env), 'drill-1')).toBe('drills/nightly/drill-1.json');
    expect(reportKey(parseDrillEnv({ ...env, REPORTS_PREFIX: '' }), 'drill-1')).toBe('nightly/drill-1.json');
  });
});
