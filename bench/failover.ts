/**
 * Failover measurements on the local stand (issue: monitoring and failover):
 *  1. the probe's measured replication lag for a burst of canary writes (p50, p99);
 *  2. the time from stopping the source zone to the failover controller's decision, with the
 *     probe at the controller's fastest period, SSM and CloudWatch served by moto's server
 *     (moto_server must be on PATH).
 * Prints figures; asserts nothing about time.
 *
 *   npm run bench:failover -- [--burst 100] [--concurrency 20] [--period 10]
 */
import { parseFailoverConfig } from '../lambda/failover/core/config';
import { formatPointerValue } from '../lambda/failover/core/routing';
import { runFailover } from '../lambda/failover/run-failover';
import { ProbeConfig } from '../lambda/probe/config';
import { runProbe } from '../lambda/probe/run-probe';
import { MotoServer } from '../test/support/moto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { client, createBucket, fmt, ROOT, stand } from './common';
import { numberArg } from './args';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const zone = (cmd: 'stop-zone' | 'start-zone') =>
  execFileSync('bash', [join(ROOT, 'scripts', 'stand.sh'), cmd, 'za'], { stdio: ['ignore', 'ignore', 'inherit'] });

async function main() {
  const burst = numberArg('burst', 100);
  const concurrency = numberArg('concurrency', 20);
  const period = numberArg('period', 10);
  const env = stand();
  const za = env.zones.za;
  const zb = env.zones.zb;
  const tag = Date.now().toString(36);
  const data = `bench-fo-${tag}`;
  const reports = `bench-fo-reports-${tag}`;
  await createBucket(client(env, 'za'), data);
  await createBucket(client(env, 'za'), reports);
  await new Promise((r) => setTimeout(r, 3000)); // buckets reach zb

  const probe = (name: string, timeout = 5): ProbeConfig => ({
    source: { bucket: data, region: 'eu-west-1', endpoint: za.endpoint },
    replica: { bucket: data, region: 'eu-central-1', endpoint: zb.endpoint },
    probeName: name,
    lagDeadlineSeconds: 60,
    keep: 1000,
    sourceTimeoutSeconds: timeout,
  });

  // 1. Lag for a burst of canary writes.
  const lags: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < burst) {
      const i = next++;
      const r = await runProbe(probe(`burst-${i % concurrency}`));
      if (r.lagSeconds !== undefined) lags.push(r.lagSeconds);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  console.log(`\nprobe lag for a burst of ${burst} canaries (${concurrency} at once), zone za -> zb:`);
  console.log(
    `  replicated ${lags.length}/${burst}; p50 ${fmt(pct(lags, 50))} s, p99 ${fmt(pct(lags, 99))} s, max ${fmt(Math.max(...lags))} s`,
  );

  // 2. Stop the source zone; probe every `period` seconds; decide after each datapoint.
  const moto = await MotoServer.start();
  const PARAM = '/bench/s3-active';
  const initial = formatPointerValue({
    bucket: data,
    region: 'eu-west-1',
    since: new Date().toISOString(),
    reason: 'initial',
  });
  await moto.setParameter('eu-central-1', PARAM, initial);
  await moto.setParameter('eu-west-1', PARAM, initial);
  const config = parseFailoverConfig({
    plan: 'pointer',
    mode: 'dry-run',
    source: { bucket: data, region: 'eu-west-1', endpoint: za.endpoint },
    replica: { bucket: data, region: 'eu-central-1', endpoint: zb.endpoint },
    parameterName: PARAM,
    alarmName: 'bench-impaired',
    probeName: 'bench-outage',
    periodSeconds: period,
    reports: { bucket: reports, region: 'eu-central-1', endpoint: zb.endpoint },
    endpoints: { ssm: moto.endpoint, cloudWatch: moto.endpoint },
  });
  await moto.putDatapoints(
    config.metricsRegion,
    'SourceAvailable',
    'bench-outage',
    [5, 4, 3, 2, 1].map((i) => ({ at: Date.now() - i * period * 1000, value: 1 })),
  );
  const credentials = { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey };
  let decidedAfter: number | undefined;
  let probes = 0;
  const t0 = Date.now();
  zone('stop-zone');
  try {
    while (decidedAfter === undefined && Date.now() - t0 < 300_000) {
      const started = Date.now();
      const r = await runProbe(probe('bench-outage', 2));
      probes++;
      await moto.putDatapoints(config.metricsRegion, 'SourceAvailable', 'bench-outage', [
        { at: Date.now(), value: r.sourceAvailable ? 1 : 0 },
      ]);
      if (!r.sourceAvailable) await moto.setAlarm(config.metricsRegion, 'bench-impaired', 'ALARM');
      const out = await runFailover(
        config,
        { dryRun: true, trigger: 'bench' },
        { credentials, record: false, log: () => undefined },
      );
      if (out.decision.action === 'fail-over') decidedAfter = (Date.now() - t0) / 1000;
      else await new Promise((res) => setTimeout(res, Math.max(0, period * 1000 - (Date.now() - started))));
    }
  } finally {
    zone('start-zone');
    await moto.close();
  }
  console.log(
    `time from stopping the source zone to the controller's fail-over decision (probe every ${period} s, confirm 3 of 5):`,
  );
  console.log(
    `  ${decidedAfter === undefined ? 'no decision within 300 s' : `${fmt(decidedAfter, 1)} s after ${probes} probes`}`,
  );
  console.log(
    `  at the fastest AWS schedule (1-minute probes) the same policy takes ${fmt((decidedAfter ?? NaN) / period, 1)} periods, about ${fmt((decidedAfter ?? NaN) / period, 1)} minutes`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
