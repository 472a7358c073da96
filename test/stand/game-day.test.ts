/**
 * A whole outage on the stand (test/support/game-day.ts): N objects written to the source zone za,
 * za stopped, the controller fails over the pointer, M objects written and K deleted on the
 * replica zone zb, za restarted, failback retried until the audit from the replica back to the
 * source passes. The stand's zones replicate the bucket both ways, like a pair under two-way
 * replication. SSM and CloudWatch are moto's server. Timings are printed, never asserted (see
 * `npm run bench:gameday`).
 */
import { MotoServer } from '../support/moto';
import { GameDayResult, PREFIX, REP_REGION, runGameDay, SRC_REGION } from '../support/game-day';
import { emptyAndDeleteBucket, startZone } from '../support/stand';

const N = 200;
const M = 50;
const K = 20;

/** Restarting a zone waits for multisite sync to resume (minutes on a loaded machine). */
jest.setTimeout(1_200_000);

let moto: MotoServer;
let result: GameDayResult;

beforeAll(async () => {
  moto = await MotoServer.start();
  result = await runGameDay(moto, {
    objects: N,
    writes: M,
    deletes: K,
    log: (line) => process.stderr.write(`game day: ${line}\n`),
  });
  const s = (ms?: number) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
  process.stderr.write(
    `game day figures (not asserted): at risk ${result.atRisk.length}/${N}; stop to decision ${s(result.stopToDecisionMs)}; ` +
      `restart ${s(result.restartMs)}; restart to failback ${s(result.restartToFailbackMs)} after ${result.failbacks.length} attempts; ` +
      `deletes on the source at failback ${result.atFailback?.deletesOnSource}/${K}; converged ${s(result.convergedAfterMs)} after failback; ` +
      `travelled back ${result.travelledBack} (minimum ${M + K})\n`,
  );
});

afterAll(async () => {
  await startZone('za');
  await moto?.close();
  if (result) {
    for (const b of [result.bucket, result.reportsBucket]) await emptyAndDeleteBucket('za', b).catch(() => undefined);
  }
});

test('the controller fails over while the source zone is down, on the probe datapoints', () => {
  expect(result.failover?.decision.action).toBe('fail-over');
  expect(result.failover?.decision.reasons.join('\n')).toMatch(
    /source unavailable in \d+ of the last \d+ probe datapoints/,
  );
  expect(result.failover?.results.map((r) => [r.step.region, r.ok])).toEqual([
    [REP_REGION, true],
    [SRC_REGION, true],
  ]);
  for (const region of [REP_REGION, SRC_REGION]) {
    expect(result.pointersAfterFailover[region]).toMatchObject({ bucket: result.bucket, region: REP_REGION });
  }
});

test('the outage writes and deletes went to the replica', () => {
  expect(result.during).toHaveLength(M);
  expect(result.deleted).toHaveLength(K);
  expect(new Set(result.deleted.map((d) => d.markerVersionId)).size).toBe(K);
});

test('failback waits for the audit, then points both regions back to the source', () => {
  const last = result.failbacks[result.failbacks.length - 1];
  expect(last.action).toBe('fail-back');
  expect(last.audit).toEqual({ discrepancies: 0 });
  expect(last.results.map((r) => [r.step.region, r.ok])).toEqual([
    [SRC_REGION, true],
    [REP_REGION, true],
  ]);
  // Every attempt before the last was refused (never a failback over missing objects).
  for (const f of result.failbacks.slice(0, -1)) {
    expect(f.action).toBe('refused');
    expect(f.executed).toBe(false);
  }
  // What the audit guarantees: every outage write is on the source when routing returns to it.
  expect(result.atFailback?.writesOnSource).toBe(M);
  for (const region of [REP_REGION, SRC_REGION]) {
    expect(result.pointersAtEnd[region]).toMatchObject({ bucket: result.bucket, region: SRC_REGION });
  }
});

test('no object is lost or resurrected: every key, its current version and its bytes, on both sides', () => {
  expect(result.convergedAfterMs).toBeDefined();
  const deleted = new Map(result.deleted.map((d) => [d.key, d.markerVersionId]));
  const expected = [...result.pre, ...result.during].map((w) =>
    deleted.has(w.key)
      ? { key: w.key, deleteMarker: deleted.get(w.key), entries: 2 }
      : { key: w.key, versionId: w.versionId, sha256: w.sha256, entries: 1 },
  );
  const seen = result.keys.map((k) => {
    const za = k.latest.za;
    const zb = k.latest.zb;
    return {
      key: k.key,
      za: za && {
        versionId: za.versionId,
        deleteMarker: za.isDeleteMarker,
        sha256: k.sha256.za,
        entries: k.entries.za,
      },
      zb: zb && {
        versionId: zb.versionId,
        deleteMarker: zb.isDeleteMarker,
        sha256: k.sha256.zb,
        entries: k.entries.zb,
      },
    };
  });
  const want = expected
    .sort((a, b) => (a.key < b.key ? -1 : 1))
    .map((e) => {
      const side =
        e.deleteMarker !== undefined
          ? { versionId: e.deleteMarker, deleteMarker: true, sha256: undefined, entries: e.entries }
          : { versionId: e.versionId, deleteMarker: false, sha256: e.sha256, entries: e.entries };
      return { key: e.key, za: side, zb: side };
    });
  expect(seen).toEqual(want);
  expect(seen.every((k) => k.key.startsWith(PREFIX))).toBe(true);
  expect(want).toHaveLength(N + M);
});

test('objects that travelled back to the source are exactly the outage writes and deletes', () => {
  expect(result.travelledBack).toBe(M + K);
});

test('the decisions are recorded in order: fail-over, then fail-back', () => {
  const executed = result.records.filter((r) => r.executed);
  expect(executed.map((r) => [r.kind, r.decision.target])).toEqual([
    ['failover', 'replica'],
    ['failback', 'source'],
  ]);
  expect(result.records[0].kind).toBe('failover');
  expect(result.records[result.records.length - 1]).toMatchObject({ kind: 'failback', executed: true });
  // One record per failback attempt, refused ones included.
  expect(result.records.filter((r) => r.kind === 'failback')).toHaveLength(result.failbacks.length);
  expect(result.records.map((r) => r.at)).toEqual([...result.records.map((r) => r.at)].sort());
});
