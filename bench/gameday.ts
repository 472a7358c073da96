/**
 * A whole outage on the local stand (issue: come home without losing a write), the scenario of
 * test/stand/game-day.test.ts at a larger size: N objects written to the source zone za, za
 * stopped, the failover controller fails over the pointer (probe every `--period` seconds, SSM and
 * CloudWatch on moto's server, so moto_server must be on PATH), M objects written and K deleted on
 * the replica zone zb, za restarted, failback retried until the audit from the replica back to the
 * source passes. Prints figures; asserts nothing about time.
 *
 *   npm run bench:gameday -- [--objects 2000] [--writes 500] [--deletes 200] [--period 10]
 *
 * The stand is the one `npm test` uses (scripts/stand.sh ensure; STAND_DIR and STAND_*_PORT
 * are honoured).
 */
import { GameDayResult, runGameDay } from '../test/support/game-day';
import { MotoServer } from '../test/support/moto';
import { emptyAndDeleteBucket } from '../test/support/stand';
import { fmt, stand } from './common';
import { numberArg } from './args';

const s = (ms?: number) => (ms === undefined ? 'not reached' : `${fmt(ms / 1000, 1)} s`);

function report(r: GameDayResult, n: number, m: number, k: number, period: number): void {
  const ages = r.atRisk.map((w) => (r.stoppedAt - w.at) / 1000);
  console.log(`\ngame day on the stand: ${n} objects before the outage, ${m} written and ${k} deleted during it`);
  console.log('RPO measured (objects written to za that were not on zb when za stopped):');
  console.log(
    r.atRisk.length === 0
      ? '  none: zb had every object'
      : `  ${r.atRisk.length} of ${n} objects; written ${fmt(Math.min(...ages), 2)} s (newest) to ${fmt(Math.max(...ages), 2)} s (oldest) before the stop`,
  );
  console.log(`time from stopping za to the fail-over decision (probe every ${period} s, confirm 3 of 5):`);
  console.log(
    `  ${s(r.stopToDecisionMs)} after ${r.probes} probes; pointers written in both regions ${s(r.stopToFailoverMs)} after the stop`,
  );
  console.log('time from restarting za to failback complete:');
  console.log(
    `  ${s(r.restartToFailbackMs)} (za serving and sync resumed both ways: ${s(r.restartMs)}; ${r.failbacks.length} failback attempts, ${r.failbacks.filter((f) => f.action === 'refused').length} refused)`,
  );
  console.log(
    `  when failback passed the source had ${r.atFailback?.writesOnSource ?? '?'}/${m} outage writes and ${r.atFailback?.deletesOnSource ?? '?'}/${k} outage deletes; both zones agreed ${s(r.convergedAfterMs)} later`,
  );
  console.log('objects copied back to the source against the minimum (M writes + K delete markers):');
  console.log(`  ${r.travelledBack} for ${m + k} (${fmt(r.travelledBack / (m + k), 2)}x)`);
  const deleted = new Map(r.deleted.map((d) => [d.key, d.markerVersionId]));
  const want = new Map<string, { versionId: string; sha256?: string }>();
  for (const w of [...r.pre, ...r.during]) want.set(w.key, { versionId: w.versionId, sha256: w.sha256 });
  for (const [key, marker] of deleted) want.set(key, { versionId: marker });
  let bad = 0;
  for (const key of r.keys) {
    const e = want.get(key.key);
    for (const zone of ['za', 'zb'] as const) {
      const l = key.latest[zone];
      if (!e || !l || l.versionId !== e.versionId || key.sha256[zone] !== e.sha256) bad++;
    }
  }
  bad += 2 * [...want.keys()].filter((k) => !r.keys.some((x) => x.key === k)).length;
  console.log(
    `end state: ${r.keys.length} keys on both zones, ${bad} key-sides differing from what was written and deleted`,
  );
  const last = r.failbacks.at(-1);
  console.log(
    `pointer at the end: ${JSON.stringify(Object.values(r.pointersAtEnd).map((p) => (typeof p === 'object' ? p.region : p)))}; last failback ${last?.action}`,
  );
}

async function main() {
  const n = numberArg('objects', 2000);
  const m = numberArg('writes', 500);
  const k = numberArg('deletes', 200);
  const period = numberArg('period', 10);
  if (k > n)
    throw new Error(`--deletes ${k} is more than --objects ${n}: deletes are of objects written before the outage`);
  stand();
  const moto = await MotoServer.start();
  let r: GameDayResult | undefined;
  try {
    r = await runGameDay(moto, {
      objects: n,
      writes: m,
      deletes: k,
      periodSeconds: period,
      failbackDeadlineMs: 600_000,
      convergeDeadlineMs: 300_000,
      log: (line) => process.stderr.write(`  ${line}\n`),
    });
    report(r, n, m, k, period);
  } finally {
    await moto.close();
    if (r) for (const b of [r.bucket, r.reportsBucket]) await emptyAndDeleteBucket('za', b).catch(() => undefined);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
