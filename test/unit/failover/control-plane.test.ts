/**
 * The controller's control-plane calls made by the real SDK clients: SSM and CloudWatch against
 * moto's server (test/support/moto.ts); Multi-Region Access Point routes, which moto does not
 * serve, and injected failures (a region answering 503, a wrong account id) against the home-made
 * control-plane recorder on 127.0.0.1.
 */
import { FailoverConfig, parseFailoverConfig } from '../../../lambda/failover/core/config';
import { decide, planFailback } from '../../../lambda/failover/core/decide';
import { formatPointerValue, parsePointerValue, RoutingState } from '../../../lambda/failover/core/routing';
import { readObservations } from '../../../lambda/failover/run-failover';
import { RoutingIO } from '../../../lambda/failover/routing-io';
import { ControlPlaneRecorder } from '../../support/control-plane-recorder';
import { MotoServer } from '../../support/moto';

// moto is a Python server: its first requests can take seconds on a busy machine.
jest.setTimeout(60_000);

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
const ARN = 'arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap';
let rec: ControlPlaneRecorder;
let moto: MotoServer;

beforeAll(async () => {
  [rec, moto] = await Promise.all([ControlPlaneRecorder.start(), MotoServer.start()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([rec?.close(), moto?.close()]);
});
beforeEach(async () => {
  rec.clearFailures();
  rec.requests.length = 0;
  await moto.reset();
});

/** `config()` with SSM and CloudWatch on moto (S3 Control stays on the recorder). */
function motoConfig(over: Record<string, unknown> = {}): FailoverConfig {
  return config({ endpoints: { ssm: moto.endpoint, s3Control: rec.endpoint, cloudWatch: moto.endpoint }, ...over });
}

function config(over: Record<string, unknown> = {}): FailoverConfig {
  return parseFailoverConfig({
    plan: 'pointer',
    mode: 'automatic',
    source: { bucket: 'data-src', region: 'eu-west-1' },
    replica: { bucket: 'data-rep', region: 'eu-central-1' },
    parameterName: '/app/s3-active',
    mrapArn: ARN,
    alarmName: 'app-outage',
    probeName: 'app',
    reports: { bucket: 'app-reports', region: 'eu-central-1' },
    endpoints: { ssm: rec.endpoint, s3Control: rec.endpoint, cloudWatch: rec.endpoint },
    ...over,
  });
}

const pointerTo = (bucket: string, region: string) =>
  formatPointerValue({ bucket, region, since: '2026-01-01T00:00:00.000Z', reason: 'initial' });

describe('pointer plan over SSM', () => {
  test('reads both regions, fails over replica region first, then the source region', async () => {
    const c = motoConfig();
    await moto.setParameter('eu-central-1', '/app/s3-active', pointerTo('data-src', 'eu-west-1'));
    await moto.setParameter('eu-west-1', '/app/s3-active', pointerTo('data-src', 'eu-west-1'));
    const io = new RoutingIO(c, credentials);
    const routing = await io.read();
    expect(routing).toMatchObject({
      plan: 'pointer',
      pointers: [
        { region: 'eu-central-1', state: 'ok' },
        { region: 'eu-west-1', state: 'ok' },
      ],
    });
    const d = decide({
      now: Date.now(),
      mode: 'automatic',
      plan: 'pointer',
      sides: c,
      routing,
      alarmState: 'ALARM',
      availability: [],
      cooldownMs: 0,
      policy: c.confirm,
      force: true,
    });
    expect(d.steps.map((s) => s.region)).toEqual(['eu-central-1', 'eu-west-1']);
    const results = await io.execute(d.steps);
    expect(results.every((r) => r.ok)).toBe(true);
    for (const region of ['eu-central-1', 'eu-west-1']) {
      // One write per region: the initial value, then the switch.
      const history = await moto.parameterHistory(region, '/app/s3-active');
      expect(history).toHaveLength(2);
      expect(parsePointerValue(history[1])).toMatchObject({ bucket: 'data-rep', region: 'eu-central-1' });
    }
    // Read back through the same code: both regions now point to the replica.
    const after = await io.read();
    expect(after.plan === 'pointer' && after.pointers.map((p) => p.state === 'ok' && p.value?.bucket)).toEqual([
      'data-rep',
      'data-rep',
    ]);
  });

  test('the pointer write sends what the recorder checks: overwrite, a String parameter, the replica', async () => {
    // The request shape, which moto accepts more loosely than SSM: checked on the recorder.
    const c = config();
    rec.setParameter('eu-central-1', '/app/s3-active', pointerTo('data-src', 'eu-west-1'));
    rec.setParameter('eu-west-1', '/app/s3-active', pointerTo('data-src', 'eu-west-1'));
    const io = new RoutingIO(c, credentials);
    const steps = decide({
      now: Date.now(),
      mode: 'automatic',
      plan: 'pointer',
      sides: c,
      routing: await io.read(),
      availability: [],
      cooldownMs: 0,
      policy: c.confirm,
      force: true,
    }).steps;
    expect((await io.execute(steps)).every((r) => r.ok)).toBe(true);
    const puts = rec.calls('PutParameter');
    expect(puts.map((p) => p.region)).toEqual(['eu-central-1', 'eu-west-1']);
    for (const p of puts) {
      const body = JSON.parse(p.body);
      expect(body).toMatchObject({ Name: '/app/s3-active', Overwrite: true, Type: 'String' });
      expect(parsePointerValue(body.Value)).toMatchObject({ bucket: 'data-rep', region: 'eu-central-1' });
    }
    expect(rec.problems()).toEqual([]);
  });

  test('a missing parameter reads as missing; a region that fails reads as unreadable', async () => {
    rec.setParameter('eu-central-1', '/other', pointerTo('data-src', 'eu-west-1'));
    rec.fail({ service: 'ssm', region: 'eu-west-1' });
    const routing = await new RoutingIO(config({ parameterName: '/absent' }), credentials).read();
    expect(routing).toMatchObject({
      plan: 'pointer',
      pointers: [
        { region: 'eu-central-1', state: 'missing' },
        { region: 'eu-west-1', state: 'unreadable' },
      ],
    });
    // The standard retry mode retried the 503s: three attempts.
    expect(rec.calls('GetParameter').filter((r) => r.region === 'eu-west-1')).toHaveLength(3);
  });

  test('pointer writes are best effort: a failing source region does not stop the replica write', async () => {
    const c = config();
    rec.setParameter('eu-central-1', '/app/s3-active', pointerTo('data-src', 'eu-west-1'));
    rec.setParameter('eu-west-1', '/app/s3-active', pointerTo('data-src', 'eu-west-1'));
    rec.fail({ service: 'ssm', region: 'eu-west-1', operation: 'PutParameter' });
    const io = new RoutingIO(c, credentials);
    const routing = await io.read();
    const steps = decide({
      now: Date.now(),
      mode: 'automatic',
      plan: 'pointer',
      sides: c,
      routing,
      availability: [],
      cooldownMs: 0,
      policy: c.confirm,
      force: true,
    }).steps;
    const results = await io.execute(steps);
    expect(results.map((r) => [r.step.region, r.ok])).toEqual([
      ['eu-central-1', true],
      ['eu-west-1', false],
    ]);
    // The next run sees the replica region switched and the source region not: it completes it.
    rec.clearFailures();
    const again = decide({
      now: Date.now(),
      mode: 'automatic',
      plan: 'pointer',
      sides: c,
      routing: await io.read(),
      availability: [],
      cooldownMs: 3600_000,
      policy: c.confirm,
    });
    expect(again.action).toBe('complete-partial');
    expect(again.steps.map((s) => s.region)).toEqual(['eu-west-1']);
  });
});

describe('mrap plan over S3 Control', () => {
  test('reads routes; replica to 100 then source to 0; skips a control region answering 503', async () => {
    const c = config({ plan: 'mrap' });
    rec.setRoutes(ARN, [
      { region: 'eu-west-1', bucket: 'data-src', dial: 100 },
      { region: 'eu-central-1', bucket: 'data-rep', dial: 0 },
    ]);
    rec.fail({ service: 's3', region: 'us-east-1' });
    const io = new RoutingIO(c, credentials);
    const routing = await io.read();
    expect(routing).toEqual({
      plan: 'mrap',
      routes: [
        { region: 'eu-west-1', bucket: 'data-src', dial: 100 },
        { region: 'eu-central-1', bucket: 'data-rep', dial: 0 },
      ],
    });
    const steps = decide({
      now: Date.now(),
      mode: 'automatic',
      plan: 'mrap',
      sides: c,
      routing,
      availability: [],
      cooldownMs: 0,
      policy: c.confirm,
      force: true,
    }).steps;
    const results = await io.execute(steps);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.controlRegion)).toEqual(['us-west-2', 'us-west-2']);
    const submits = rec.calls('SubmitMultiRegionAccessPointRoutes').filter((r) => r.status === 200);
    expect(submits.map((s) => /<Region>([^<]+)<\/Region>/.exec(s.body)![1])).toEqual(['eu-central-1', 'eu-west-1']);
    expect(submits.every((s) => s.headers['x-amz-account-id'] === '123456789012' && s.method === 'PATCH')).toBe(true);
    expect(rec.getRoutes(ARN)).toEqual([
      { region: 'eu-west-1', bucket: 'data-src', dial: 0 },
      { region: 'eu-central-1', bucket: 'data-rep', dial: 100 },
    ]);
    // The first control region was tried (and retried) before the next.
    expect(rec.calls('GetMultiRegionAccessPointRoutes')[0].region).toBe('us-east-1');
    expect(rec.problems()).toEqual([]);
  });

  test('the recorder enforces at least one active region, as AWS does', async () => {
    rec.setRoutes(ARN, [
      { region: 'eu-west-1', bucket: 'data-src', dial: 100 },
      { region: 'eu-central-1', bucket: 'data-rep', dial: 0 },
    ]);
    const io = new RoutingIO(config({ plan: 'mrap' }), credentials);
    const results = await io.execute([
      { kind: 'set-route', region: 'eu-west-1', bucket: 'data-src', dial: 0 },
      { kind: 'set-route', region: 'eu-central-1', bucket: 'data-rep', dial: 100 },
    ]);
    // The bad first step fails everywhere, and the second is never attempted.
    expect(results).toHaveLength(1);
    expect(results[0].ok).toBe(false);
    expect(results[0].error).toMatch(/at least one region must be active/);
    expect(rec.getRoutes(ARN)![0].dial).toBe(100);
  });

  test('every control region down: the route change fails and the source is never set passive', async () => {
    rec.setRoutes(ARN, [
      { region: 'eu-west-1', bucket: 'data-src', dial: 100 },
      { region: 'eu-central-1', bucket: 'data-rep', dial: 0 },
    ]);
    rec.fail({ service: 's3' });
    const c = config({ plan: 'mrap', controlRegions: ['us-east-1', 'us-west-2'] });
    const io = new RoutingIO(c, credentials);
    const routing: RoutingState = await io.read();
    expect(routing.plan === 'mrap' && routing.error).toMatch(/no failover control region answered/);
    const results = await io.execute(
      planFailback(
        { plan: 'mrap', routes: rec.getRoutes(ARN)!.map((r) => ({ ...r, dial: r.dial === 100 ? 0 : 100 })) },
        c,
        Date.now(),
        'test',
      ),
    );
    expect(results).toHaveLength(1);
    expect(results[0].ok).toBe(false);
    expect(rec.getRoutes(ARN)![0].dial).toBe(100);
  });

  test('a wrong account id is caught by the recorder check', async () => {
    rec.setRoutes(ARN, [{ region: 'eu-west-1', dial: 100 }]);
    const io = new RoutingIO(config({ plan: 'mrap', accountId: '999999999999' }), credentials);
    const routing = await io.read();
    expect(routing.plan === 'mrap' && routing.routes).toBeFalsy();
    expect(rec.problems()[0].problem).toMatch(/does not own/);
  });
});

describe('CloudWatch observations', () => {
  test('alarm state and the probe datapoints come back in the decision shape', async () => {
    const now = Date.now();
    const c = motoConfig();
    await moto.setAlarm(c.metricsRegion, 'app-outage', 'ALARM');
    await moto.putDatapoints(
      c.metricsRegion,
      'SourceAvailable',
      'app',
      [0, 1, 2, 3, 4].map((i) => ({ at: now - i * 60_000 - 1000, value: i < 3 ? 0 : 1 })),
    );
    await moto.putDatapoints(c.metricsRegion, 'ReplicationLagSeconds', 'app', [{ at: now - 5 * 60_000, value: 1.5 }]);
    // Another probe's datapoints and another region's alarm are not this controller's.
    await moto.putDatapoints(c.metricsRegion, 'SourceAvailable', 'other-probe', [{ at: now - 1000, value: 1 }]);
    await moto.setAlarm('ap-southeast-2', 'app-outage', 'OK');
    const obs = await readObservations(c, now, credentials);
    expect(obs.errors).toEqual([]);
    expect(obs.unreadable).toEqual([]);
    expect(obs.alarmState).toBe('ALARM');
    // Newest first (ScanBy TimestampDescending), one value per one-minute period.
    expect(obs.availability.map((p) => p.value)).toEqual([0, 0, 0, 1, 1]);
    expect(obs.availability.map((p) => p.at)).toEqual([...obs.availability.map((p) => p.at)].sort((a, b) => b - a));
    expect(obs.lag.map((p) => p.value)).toEqual([1.5]);
    expect(obs.notReplicated).toEqual([]);
  });

  test('the observation queries use the statistics the decision expects', async () => {
    // The query shape (moto answers any statistic): checked on the recorder.
    await readObservations(config(), Date.now(), credentials);
    const q = JSON.parse(rec.calls('GetMetricData')[0].body);
    expect(q.MetricDataQueries.map((x: { MetricStat: { Stat: string } }) => x.MetricStat.Stat)).toEqual([
      'Minimum',
      'Maximum',
      'Maximum',
    ]);
    expect(rec.calls('DescribeAlarms')[0].headers['x-amz-target']).toBe('GraniteServiceVersion20100801.DescribeAlarms');
  });

  test('CloudWatch down: no state, no datapoints, errors named', async () => {
    rec.fail({ service: 'monitoring' });
    const obs = await readObservations(config(), Date.now(), credentials);
    expect(obs.alarmState).toBeUndefined();
    expect(obs.availability).toEqual([]);
    expect(obs.errors.join()).toMatch(/alarm state unreadable.*probe datapoints unreadable/);
  });
});
