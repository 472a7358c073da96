/**
 * The probe, the failover controller and failback against the real two-zone stand (za = source
 * region, zb = replica region), with SSM and CloudWatch served by moto's server
 * (test/support/moto.ts). Stops zone za for the outage and always restarts it.
 */
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { FailoverConfig, parseFailoverConfig } from '../../lambda/failover/core/config';
import { formatPointerValue, parsePointerValue } from '../../lambda/failover/core/routing';
import { DecisionRecords } from '../../lambda/failover/decision-records';
import { replicaToSourceAudit } from '../../lambda/failover/failback-audit';
import { runFailback, runFailover } from '../../lambda/failover/run-failover';
import { ProbeConfig } from '../../lambda/probe/config';
import { probeMetrics, ProbeResult, runProbe } from '../../lambda/probe/run-probe';
import { CANARY_PREFIX } from '../../lambda/shared/reserved';
import { MotoServer } from '../support/moto';
import {
  createBucket,
  emptyAndDeleteBucket,
  standClient,
  standEnv,
  standSide,
  startZone,
  stopZone,
} from '../support/stand';

jest.setTimeout(180_000);
/** A test that restarts a zone waits for multisite sync to resume (startZone): up to minutes. */
const ZONE_RESTART_TIMEOUT_MS = 420_000;

const env = standEnv();
process.env.AWS_ACCESS_KEY_ID = env.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = env.secretAccessKey;
const za = standSide('za');
const zb = standSide('zb');
// The stand signs every zone with one region name; the controller needs two distinct regions
// (the pointer lives in each), so the sides carry logical region names and the zone endpoints.
const SRC_REGION = 'eu-west-1';
const REP_REGION = 'eu-central-1';
const PARAM = '/app/s3-active';
const credentials = { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey };

let moto: MotoServer;
const created: ['za' | 'zb', string][] = [];
let data: string;
let reports: string;

beforeAll(async () => {
  moto = await MotoServer.start();
  // Every bucket is created before za (the metadata master) is stopped.
  data = await createBucket('za', { versioned: true });
  reports = await createBucket('za', { versioned: false });
  created.push(['za', data], ['za', reports]);
});

afterAll(async () => {
  await startZone('za');
  await moto?.close();
  for (const [zone, bucket] of created) await emptyAndDeleteBucket(zone, bucket).catch(() => undefined);
}, ZONE_RESTART_TIMEOUT_MS);

function probeConfig(name: string): ProbeConfig {
  return {
    source: { bucket: data, region: SRC_REGION, endpoint: za.endpoint },
    replica: { bucket: data, region: REP_REGION, endpoint: zb.endpoint },
    probeName: name,
    lagDeadlineSeconds: 20,
    keep: 3,
    sourceTimeoutSeconds: 5,
  };
}

function controllerConfig(over: { source?: string; replica?: string; sourceEndpoint?: string } = {}): FailoverConfig {
  return parseFailoverConfig({
    plan: 'pointer',
    mode: 'automatic',
    source: { bucket: over.source ?? data, region: SRC_REGION, endpoint: over.sourceEndpoint ?? za.endpoint },
    replica: { bucket: over.replica ?? data, region: REP_REGION, endpoint: zb.endpoint },
    parameterName: PARAM,
    alarmName: 'app-outage',
    probeName: 'stand-outage',
    cooldownMinutes: 30,
    // The reports bucket is read and written through zb: za is down during the failover.
    reports: { bucket: reports, region: REP_REGION, endpoint: zb.endpoint },
    endpoints: { ssm: moto.endpoint, cloudWatch: moto.endpoint },
  });
}

describe('probe', () => {
  test('measures the replication lag from za to zb and keeps only its last canaries', async () => {
    const results: ProbeResult[] = [];
    for (let i = 0; i < 5; i++) results.push(await runProbe(probeConfig('stand-lag')));
    for (const r of results) {
      expect(r.sourceAvailable).toBe(true);
      expect(r.replicated).toBe(true);
      expect(r.lagSeconds).toBeGreaterThan(0);
      expect(r.canaryKey.startsWith(`${CANARY_PREFIX}stand-lag/`)).toBe(true);
    }
    // The canary really is on zb.
    const last = results[results.length - 1];
    const head = await standClient('zb').send(new HeadObjectCommand({ Bucket: data, Key: last.canaryKey }));
    expect(head.ContentLength).toBeGreaterThan(0);
    expect(results.reduce((n, r) => n + r.cleanup.deleted, 0)).toBeGreaterThanOrEqual(2);
    expect(last.cleanup.kept).toBe(3);
    const emf = probeMetrics(last).toEmf()!;
    expect(emf).toMatchObject({ Probe: 'stand-lag', SourceAvailable: 1, CanaryNotReplicated: 0 });
    // Figures for the report (not asserted): lag seconds per run.
    process.stderr.write(`probe lag seconds on the stand: ${results.map((r) => r.lagSeconds).join(', ')}\n`);
  });
});

describe('outage of the source zone', () => {
  test(
    'the probe reports the source unavailable and the controller fails over the pointer; failback waits for the audit',
    async () => {
      const config = controllerConfig();
      const initial = formatPointerValue({
        bucket: data,
        region: SRC_REGION,
        since: '2026-01-01T00:00:00.000Z',
        reason: 'initial',
      });
      await moto.setParameter(REP_REGION, PARAM, initial);
      await moto.setParameter(SRC_REGION, PARAM, initial);
      // A healthy datapoint first, then the outage.
      const healthy = await runProbe(probeConfig('stand-outage'));
      expect(healthy.sourceAvailable).toBe(true);
      const now = Date.now();
      await moto.putDatapoints(config.metricsRegion, 'SourceAvailable', 'stand-outage', [
        { at: now - 5 * 60_000, value: 1 },
      ]);

      await stopZone('za');
      try {
        for (let i = 3; i >= 0; i--) {
          const r = await runProbe(probeConfig('stand-outage'));
          expect(r.sourceAvailable).toBe(false);
          expect(r.sourceError).toBeDefined();
          expect(r.lagSeconds).toBeUndefined();
          const emf = probeMetrics(r).toEmf()!;
          expect(emf.SourceAvailable).toBe(0);
          await moto.putDatapoints(config.metricsRegion, 'SourceAvailable', 'stand-outage', [
            { at: now - i * 60_000 - 1000, value: emf.SourceAvailable as number },
          ]);
        }
        await moto.setAlarm(config.metricsRegion, 'app-outage', 'ALARM');

        // Dry run first: the plan, no change.
        const dry = await runFailover(
          config,
          { dryRun: true, trigger: 'test' },
          { credentials, record: false, log: () => undefined },
        );
        expect(dry.decision.action).toBe('fail-over');
        expect(dry.executed).toBe(false);
        for (const region of [REP_REGION, SRC_REGION]) expect(await moto.parameterHistory(region, PARAM)).toEqual([initial]);

        const out = await runFailover(
          config,
          { trigger: 'alarm app-outage changed to ALARM' },
          { credentials, log: () => undefined },
        );
        expect(out.decision.action).toBe('fail-over');
        expect(out.decision.reasons.join('\n')).toMatch(/unavailable in 4 of the last 5/);
        expect(out.results.map((r) => [r.step.region, r.ok])).toEqual([
          [REP_REGION, true],
          [SRC_REGION, true],
        ]);
        for (const region of [REP_REGION, SRC_REGION]) {
          expect(parsePointerValue((await moto.getParameter(region, PARAM))!.value)).toMatchObject({
            bucket: data,
            region: REP_REGION,
          });
        }
        expect(out.recordUri).toMatch(new RegExp(`^s3://${reports}/failover/decisions/`));
        const record = await new DecisionRecords(config).get(out.recordUri!.replace(`s3://${reports}/`, ''));
        expect(record.executed).toBe(true);
        expect(record.datapoints!.SourceAvailable.filter((p) => p.value === 0)).toHaveLength(4);

        // Idempotent: a second alarm event changes nothing.
        const again = await runFailover(
          config,
          { trigger: 'alarm again' },
          { credentials, log: () => undefined, now: () => Date.now() + 1 },
        );
        expect(again.decision.action).toBe('none');
        expect(again.decision.reasons.join('\n')).toMatch(/already points to the replica/);
        // One write per region in all: the failover's, none from the second event.
        for (const region of [REP_REGION, SRC_REGION]) expect(await moto.parameterHistory(region, PARAM)).toHaveLength(2);
      } finally {
        await startZone('za');
      }
    },
    ZONE_RESTART_TIMEOUT_MS,
  );

  test('failback refuses while the replica has an object the source lacks, and proceeds once the audit passes', async () => {
    // A non-replicated pair on one zone, so the difference stays planted.
    const src = await createBucket('za', { versioned: false });
    const rep = await createBucket('za', { versioned: false });
    created.push(['za', src], ['za', rep]);
    const c = standClient('za');
    for (const b of [src, rep]) await c.send(new PutObjectCommand({ Bucket: b, Key: 'a/1', Body: 'one' }));
    await c.send(new PutObjectCommand({ Bucket: rep, Key: 'a/written-during-failover', Body: 'two' }));
    const config = controllerConfig({ source: src, replica: rep, sourceEndpoint: za.endpoint });
    const failbackConfig = parseFailoverConfig(
      { ...config, replica: { ...config.replica, endpoint: za.endpoint } },
      { strict: false },
    );
    const onReplica = formatPointerValue({
      bucket: rep,
      region: REP_REGION,
      since: new Date().toISOString(),
      reason: 'failover: test',
    });
    await moto.setParameter(REP_REGION, PARAM, onReplica);
    await moto.setParameter(SRC_REGION, PARAM, onReplica);
    const writes = async () =>
      (await moto.parameterHistory(REP_REGION, PARAM)).length + (await moto.parameterHistory(SRC_REGION, PARAM)).length;
    const before = await writes();

    const refused = await runFailback(
      failbackConfig,
      { trigger: 'test' },
      { audit: replicaToSourceAudit(failbackConfig), credentials, log: () => undefined },
    );
    expect(refused.action).toBe('refused');
    expect(refused.audit).toEqual({ discrepancies: 1 });
    expect(refused.reasons.join('\n')).toMatch(/found 1 discrepancies/);
    expect(await writes()).toBe(before);

    await c.send(new PutObjectCommand({ Bucket: src, Key: 'a/written-during-failover', Body: 'two' }));
    const done = await runFailback(
      failbackConfig,
      { trigger: 'test' },
      { audit: replicaToSourceAudit(failbackConfig), credentials, log: () => undefined },
    );
    expect(done.action).toBe('fail-back');
    expect(done.results.map((r) => [r.step.region, r.ok])).toEqual([
      [SRC_REGION, true],
      [REP_REGION, true],
    ]);
    for (const region of [SRC_REGION, REP_REGION]) {
      expect(parsePointerValue((await moto.getParameter(region, PARAM))!.value)).toMatchObject({
        bucket: src,
        region: SRC_REGION,
      });
    }
  });
});
