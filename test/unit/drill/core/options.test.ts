import { applyDrillEvent, parseDrillEnv } from '../../../../lambda/drill/core/config';
import {
  assertDrillOptions,
  chooseCopy,
  copyPlace,
  describePlan,
  DrillOptions,
  endpointIdentity,
  planDrill,
} from '../../../../lambda/drill/core/options';
import { parseIsoTime, parseSampleMode, parseWholeNumber } from '../../../../lambda/drill/core/parse';
import { UsageError } from '../../../../lambda/shared/errors';
import { DRILL_PREFIX } from '../../../../lambda/shared/reserved';

const A = 'http://127.0.0.1:7480';
const B = 'http://127.0.0.1:7481';

function options(over: Partial<DrillOptions> = {}): DrillOptions {
  return {
    source: { bucket: 'data', prefix: '', region: 'za', endpoint: A },
    replica: { bucket: 'data', prefix: '', region: 'zb', endpoint: B },
    restoreTo: { bucket: 'scratch', prefix: 'restores', region: 'zb', endpoint: B },
    sampleSize: 10,
    sampleMode: 'random',
    concurrency: 4,
    ...over,
  };
}

describe('drill option validation', () => {
  test('accepts good options and plans reads and writes', () => {
    expect(() => assertDrillOptions(options())).not.toThrow();
    const plan = planDrill(options(), 'drill-1', 'seed');
    expect(plan.writes.onlyUnder).toBe('restores/drill-1/');
    expect(plan.reads.listing).toBe('current');
    expect(describePlan(plan).join('\n')).toMatch(
      /writes s3:\/\/scratch\/restores\/drill-1\/ at http:\/\/127.0.0.1:7481/,
    );
    expect(planDrill(options({ restoreTo: { ...options().restoreTo, prefix: '' } }), 'd', 's').writes.onlyUnder).toBe(
      `${DRILL_PREFIX}d/`,
    );
  });

  test('fails when the restore target is the replica bucket on the same endpoint', () => {
    const o = options({ restoreTo: { bucket: 'data', prefix: 'x', region: 'zb', endpoint: 'http://127.0.0.1:7481/' } });
    expect(() => assertDrillOptions(o, { restoreTo: '--restore-to' })).toThrow(
      /--restore-to bucket "data" at http:\/\/127.0.0.1:7481\/ is the replica bucket/,
    );
  });

  test('fails when the restore target is the source bucket', () => {
    const o = options({ restoreTo: { bucket: 'data', prefix: 'x', region: 'za', endpoint: A } });
    expect(() => assertDrillOptions(o)).toThrow(/is the source bucket: a drill never writes to the source/);
  });

  test('treats every aws endpoint as one bucket namespace', () => {
    expect(endpointIdentity(undefined)).toBe(endpointIdentity('https://s3.eu-west-1.amazonaws.com'));
    const aws = options({
      source: { bucket: 'data', prefix: '', region: 'eu-west-1' },
      replica: { bucket: 'data-replica', prefix: '', region: 'eu-central-1' },
      restoreTo: {
        bucket: 'data-replica',
        prefix: 'x',
        region: 'eu-central-1',
        endpoint: 'https://s3.eu-central-1.amazonaws.com',
      },
    });
    expect(() => assertDrillOptions(aws)).toThrow(/is the replica bucket/);
  });

  test('allows the same bucket name on another endpoint', () => {
    expect(() =>
      assertDrillOptions(
        options({ restoreTo: { bucket: 'data', prefix: '', region: 'zc', endpoint: 'http://127.0.0.1:7999' } }),
      ),
    ).not.toThrow();
  });

  test('lists every problem at once', () => {
    const o = options({
      sampleSize: 0,
      concurrency: 1000,
      sampleMode: 'all' as never,
      copyMode: 'server-side',
      restoreTo: { bucket: 'scratch', prefix: '', region: 'za', endpoint: A },
    });
    expect(() => assertDrillOptions(o)).toThrow(UsageError);
    try {
      assertDrillOptions(o);
    } catch (err) {
      const m = (err as Error).message;
      expect(m).toMatch(/sampleSize 0 must be a whole number from 1 to/);
      expect(m).toMatch(/concurrency 1000 must be/);
      expect(m).toMatch(/sampleMode "all" is not a sample mode: use one of random, newest, prefix/);
      expect(m).toMatch(/copyMode server-side needs the replica and the restore target on one endpoint/);
    }
  });
});

describe('copy mode', () => {
  const aws = (region: string, bucket = 'b') => ({ bucket, prefix: '', region });
  const choose = (o: Partial<DrillOptions>) => chooseCopy(options(o));

  test('auto copies server-side when the target can read the replica: one endpoint, or one AWS partition', () => {
    expect(choose({})).toEqual({
      mode: 'server-side',
      reason: `replica and target are both in ${B}: the target copies from the replica directly`,
    });
    // Across AWS regions of one partition (the construct's case: both in the replica region).
    expect(choose({ replica: aws('us-east-1'), restoreTo: aws('us-west-2', 'scratch') })).toMatchObject({
      mode: 'server-side',
      reason: expect.stringMatching(/both in AWS partition aws:/),
    });
    // A regional amazonaws.com endpoint is AWS too.
    expect(
      choose({
        replica: { ...aws('eu-west-1'), endpoint: 'https://s3.eu-west-1.amazonaws.com' },
        restoreTo: aws('eu-west-1', 'scratch'),
      }).mode,
    ).toBe('server-side');
    expect(choose({ replica: aws('cn-north-1'), restoreTo: aws('cn-northwest-1', 'scratch') }).mode).toBe(
      'server-side',
    );
  });

  test('auto streams where a server-side copy cannot read the replica, and says why', () => {
    expect(choose({ restoreTo: { bucket: 'scratch', prefix: '', region: 'za', endpoint: A } })).toEqual({
      mode: 'stream',
      reason: `the replica is in ${B} and the target in ${A}: a server-side copy cannot read across them`,
    });
    expect(choose({ replica: aws('us-east-1'), restoreTo: aws('cn-north-1', 'scratch') })).toMatchObject({
      mode: 'stream',
      reason: expect.stringMatching(/AWS partition aws and the target in AWS partition aws-cn/),
    });
    expect(choose({ replica: aws('us-gov-west-1'), restoreTo: aws('us-east-1', 'scratch') }).mode).toBe('stream');
    expect(choose({ replica: aws('us-east-1'), restoreTo: { ...aws('us-east-1'), endpoint: A } }).mode).toBe('stream');
  });

  test('explicit modes win: stream always streams, server-side copies where it can and is refused where it cannot', () => {
    expect(choose({ copyMode: 'stream' })).toEqual({
      mode: 'stream',
      reason: 'copy mode stream: each object is read from the replica and written to the target',
    });
    expect(choose({ copyMode: 'server-side' }).mode).toBe('server-side');
    const across = options({
      copyMode: 'server-side',
      restoreTo: { bucket: 'scratch', prefix: '', region: 'za', endpoint: A },
    });
    expect(() => assertDrillOptions(across, { copyMode: '--copy' })).toThrow(
      `--copy server-side needs the replica and the restore target on one endpoint (one AWS partition), but the replica is in ${B} and the target in ${A}: use auto (the default), which streams where a server-side copy cannot read the replica, or stream`,
    );
    expect(() => assertDrillOptions(options({ copyMode: 'fast' as never }))).toThrow(
      'copyMode "fast" is not a copy mode: use one of auto, server-side, stream',
    );
  });

  test('the plan records the mode and the reason, and prints them', () => {
    const plan = planDrill(options(), 'd1', 's');
    expect(plan).toMatchObject({ copy: 'server-side', copyReason: expect.stringContaining('copies from the replica') });
    expect(describePlan(plan)[3]).toBe(
      `copies server-side (CopyObject): replica and target are both in ${B}: the target copies from the replica directly`,
    );
    expect(planDrill(options({ copyMode: 'stream' }), 'd1', 's').copy).toBe('stream');
  });

  test('copy places: a custom endpoint by origin, AWS by partition', () => {
    expect(copyPlace({ bucket: 'b', prefix: '', region: 'x', endpoint: 'http://LOCALHOST:9000/' })).toBe(
      'http://localhost:9000',
    );
    expect(
      copyPlace({ bucket: 'b', prefix: '', region: 'cn-north-1', endpoint: 'https://s3.cn-north-1.amazonaws.com.cn' }),
    ).toBe('AWS partition aws-cn');
    expect(copyPlace({ bucket: 'b', prefix: '', region: 'us-isob-east-1' })).toBe('AWS partition aws-iso-b');
  });
});

describe('value parsers', () => {
  test('iso times need a date, a time and a zone', () => {
    expect(parseIsoTime('--as-of', '2026-11-20T12:00:00Z').toISOString()).toBe('2026-11-20T12:00:00.000Z');
    expect(parseIsoTime('--as-of', '2026-11-20T13:00:00+01:00').toISOString()).toBe('2026-11-20T12:00:00.000Z');
    expect(() => parseIsoTime('--as-of', 'yesterday')).toThrow(
      '--as-of "yesterday" is not an ISO 8601 time: write 2026-11-20T12:00:00Z',
    );
    expect(() => parseIsoTime('--as-of', '2026-11-20T12:00:00')).toThrow(/not an ISO 8601 time/);
    expect(() => parseIsoTime('--as-of', '2026-13-40T12:00:00Z')).toThrow(/not a valid time/);
  });

  test('whole numbers and sample modes name the option and value', () => {
    expect(parseWholeNumber('--sample', '25', 1, 100)).toBe(25);
    expect(() => parseWholeNumber('--sample', 'ten', 1, 100)).toThrow(
      '--sample "ten" is not a whole number from 1 to 100',
    );
    expect(() => parseWholeNumber('--sample', '2.5', 1, 100)).toThrow(/--sample "2.5"/);
    expect(() => parseSampleMode('--sample-mode', 'oldest')).toThrow(
      '--sample-mode "oldest" is not a sample mode: use one of random, newest, prefix',
    );
  });
});

describe('lambda environment and event', () => {
  const env = {
    REPLICA_BUCKET: 'data',
    REPLICA_REGION: 'zb',
    REPLICA_ENDPOINT: B,
    REPLICA_PREFIX: 'logs/',
    SOURCE_BUCKET: 'data',
    SOURCE_REGION: 'za',
    SOURCE_ENDPOINT: A,
    SOURCE_PREFIX: 'logs/',
    RESTORE_BUCKET: 'scratch',
    RESTORE_REGION: 'zb',
    RESTORE_ENDPOINT: B,
    REPORTS_BUCKET: 'reports',
    REPORTS_REGION: 'zb',
    REPORTS_ENDPOINT: B,
    REPORTS_PREFIX: 'drills/',
    SAMPLE_SIZE: '20',
    SAMPLE_MODE: 'newest',
    DRILL_NAME: 'nightly',
  };

  test('reads a full configuration', () => {
    const c = parseDrillEnv(env);
    expect(c.name).toBe('nightly');
    expect(c.options).toMatchObject({
      sampleSize: 20,
      sampleMode: 'newest',
      replica: { bucket: 'data', prefix: 'logs/', endpoint: B },
    });
    expect(c.reports).toMatchObject({ bucket: 'reports', prefix: 'drills/' });
    expect(c.options.copyMode).toBe('auto');
    expect(parseDrillEnv({ ...env, COPY_MODE: 'stream' }).options.copyMode).toBe('stream');
    expect(parseDrillEnv({ ...env, CONCURRENCY: '16' }).options.concurrency).toBe(16);
  });

  test('rejects a bad COPY_MODE, and a server-side copy across endpoints', () => {
    expect(() => parseDrillEnv({ ...env, COPY_MODE: 'yes' })).toThrow(
      /environment variable COPY_MODE="yes" is not a known value: use one of auto, server-side, stream/,
    );
    expect(() => parseDrillEnv({ ...env, COPY_MODE: 'server-side', RESTORE_ENDPOINT: A })).toThrow(
      /COPY_MODE server-side needs the replica and the restore target on one endpoint/,
    );
    // auto across endpoints is no error: it streams.
    expect(parseDrillEnv({ ...env, RESTORE_ENDPOINT: A }).options.copyMode).toBe('auto');
  });

  test('names every missing or bad variable', () => {
    const bad = {
      ...env,
      SOURCE_BUCKET: undefined,
      SAMPLE_SIZE: 'lots',
      SAMPLE_MODE: 'all',
      RESTORE_ENDPOINT: 'localhost',
    };
    expect(() => parseDrillEnv(bad)).toThrow(/SOURCE_BUCKET is not set/);
    try {
      parseDrillEnv(bad);
    } catch (err) {
      const m = (err as Error).message;
      expect(m).toMatch(/SAMPLE_SIZE="lots" is not a whole number from 1 to 100000/);
      expect(m).toMatch(/SAMPLE_MODE="all" is not a known value: use one of random, newest, prefix/);
      expect(m).toMatch(/RESTORE_ENDPOINT="localhost" is not an http\(s\) endpoint/);
    }
  });

  test('rejects a restore or reports bucket that is the replica', () => {
    expect(() => parseDrillEnv({ ...env, RESTORE_BUCKET: 'data' })).toThrow(
      /RESTORE_BUCKET bucket "data" at .* is the replica bucket/,
    );
    expect(() => parseDrillEnv({ ...env, REPORTS_BUCKET: 'data' })).toThrow(
      /REPORTS_BUCKET "data" is the replica bucket/,
    );
  });

  test('applies event overrides and keeps the source prefix in step', () => {
    const base = parseDrillEnv(env).options;
    const o = applyDrillEvent(base, {
      sampleSize: 5,
      sampleMode: 'prefix',
      prefix: 'logs/2026/',
      asOf: '2026-11-20T12:00:00Z',
    });
    expect(o).toMatchObject({
      sampleSize: 5,
      sampleMode: 'prefix',
      replica: { prefix: 'logs/2026/' },
      source: { prefix: 'logs/2026/' },
    });
    expect(o.asOf?.toISOString()).toBe('2026-11-20T12:00:00.000Z');
    expect(applyDrillEvent(base, {})).toBe(base);
    expect(applyDrillEvent(base, { 'detail-type': 'Scheduled Event' })).toBe(base);
  });

  test('names every bad event field', () => {
    const base = parseDrillEnv(env).options;
    expect(() => applyDrillEvent(base, { prefix: 'other/' })).toThrow(
      'event field prefix "other/" is outside REPLICA_PREFIX "logs/": give a prefix that starts with "logs/"',
    );
    expect(() => applyDrillEvent(base, { asOf: 'yesterday' })).toThrow(
      'event field asOf "yesterday" is not an ISO 8601 time',
    );
    expect(() => applyDrillEvent(base, { sampleSize: -1 })).toThrow(
      /event field sampleSize "-1" is not a whole number/,
    );
    expect(() => applyDrillEvent(base, { samplesize: 3 })).toThrow(
      /event field "samplesize" is misspelled: write sampleSize/,
    );
    expect(() => applyDrillEvent(base, [1])).toThrow(/must be a JSON object/);
    expect(() => applyDrillEvent(base, { sampleMode: 'x', sampleSize: 'y' })).toThrow(
      /bad drill event:\n  - .*sampleSize[\s\S]*sampleMode/,
    );
  });
});
