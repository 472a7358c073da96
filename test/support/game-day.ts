/**
 * A whole regional outage on the local stand, end to end, shared by the game-day stand test
 * (test/stand/game-day.test.ts, which asserts) and the benchmark (bench/gameday.ts, which prints):
 *
 *  1. write N objects to the source (zone za); the stand's zones replicate the bucket both ways,
 *     like a pair under two-way replication;
 *  2. stop zone za; the probe reports the source unavailable every period; the controller
 *     (pointer plan, SSM and CloudWatch on moto's server) decides and fails over;
 *  3. write M more objects and delete K on the replica (zone zb), as the application does once the
 *     pointer names the replica;
 *  4. start zone za again (startZone waits until multisite sync works both ways);
 *  5. fail back: `failBack` below, retried until the audit from the replica back to the source
 *     passes or a deadline;
 *  6. wait (bounded) until both zones hold what was written and deleted, and read back every key.
 *
 * Every moment is measured; nothing here asserts. Callers own the stand (it must be running) and
 * the moto server.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { FailoverConfig, parseFailoverConfig } from '../../lambda/failover/core/config';
import { formatPointerValue, parsePointerValue, PointerValue } from '../../lambda/failover/core/routing';
import { DecisionRecord, DecisionRecords } from '../../lambda/failover/decision-records';
import { replicaToSourceAudit } from '../../lambda/failover/failback-audit';
import { FailbackOutcome, FailoverOutcome, runFailback, runFailover } from '../../lambda/failover/run-failover';
import { ProbeConfig } from '../../lambda/probe/config';
import { runProbe } from '../../lambda/probe/run-probe';
import { MotoServer } from './moto';
import {
  createBucket,
  listAllVersions,
  pool,
  standClient,
  standEnv,
  standSide,
  startZone,
  stopZone,
  VersionEntry,
  Zone,
} from './stand';

/** The stand signs every zone with one region name; the controller needs two (a pointer in each). */
export const SRC_REGION = 'eu-west-1';
export const REP_REGION = 'eu-central-1';
export const PARAM = '/gameday/s3-active';
export const PREFIX = 'gd/';
const PROBE = 'gameday';
const ALARM = 'gameday-source-impaired';

export interface GameDayOptions {
  /** Objects written to the source before the outage (N). */
  readonly objects: number;
  /** Objects written to the replica during the outage (M). */
  readonly writes: number;
  /** Pre-outage objects deleted on the replica during the outage (K, at most N). */
  readonly deletes: number;
  /** Probe period, the controller's `periodSeconds` (at least 10). @default 10 */
  readonly periodSeconds?: number;
  /** Give up failing back after this long from the restart of za. @default 300_000 */
  readonly failbackDeadlineMs?: number;
  /** Give up waiting for both zones to agree after failback. @default 180_000 */
  readonly convergeDeadlineMs?: number;
  /** Bytes per object. @default 256 */
  readonly size?: number;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
}

/** What was written where, with the id S3 returned: the expected end state. */
export interface Written {
  readonly key: string;
  readonly versionId: string;
  readonly sha256: string;
  /** Epoch ms when the PUT returned. */
  readonly at: number;
}

export interface Deleted {
  readonly key: string;
  /** The delete marker's version id, as DeleteObject returned it on the replica. */
  readonly markerVersionId: string;
}

export interface KeyState {
  readonly key: string;
  /** The latest entry of the key in ListObjectVersions, per zone (undefined: not listed). */
  readonly latest: Record<Zone, VersionEntry | undefined>;
  /** Entries (versions and delete markers) listed for the key, per zone. */
  readonly entries: Record<Zone, number>;
  /** sha256 of the current object's bytes read from each zone (undefined: delete marker or absent). */
  readonly sha256: Record<Zone, string | undefined>;
}

export interface GameDayResult {
  readonly bucket: string;
  readonly reportsBucket: string;
  readonly config: FailoverConfig;
  readonly pre: Written[];
  readonly during: Written[];
  readonly deleted: Deleted[];
  /** Epoch ms when stopZone('za') returned. */
  readonly stoppedAt: number;
  /** Pre-outage objects zb did not have when za stopped: the data at risk. */
  readonly atRisk: Written[];
  readonly probes: number;
  /** From stopping za to the controller's first fail-over decision (dry run after each probe). */
  readonly stopToDecisionMs?: number;
  /** From stopping za to the executed fail-over (pointers written in both regions). */
  readonly stopToFailoverMs?: number;
  readonly failover?: FailoverOutcome;
  /** The pointer in each region after the fail-over. */
  readonly pointersAfterFailover: Record<string, PointerValue | string | undefined>;
  /** startZone('za') (restart plus sync resumed both ways). */
  readonly restartMs: number;
  /** Every failback attempt, in order; the last one is the one that failed back, if any did. */
  readonly failbacks: FailbackOutcome[];
  /** From restarting za to the executed failback. */
  readonly restartToFailbackMs?: number;
  /** Outage writes present on za (same version id) and outage deletes already on za, when failback passed. */
  readonly atFailback?: { writesOnSource: number; deletesOnSource: number };
  /** The pointer in each region at the end. */
  readonly pointersAtEnd: Record<string, PointerValue | string | undefined>;
  /** From failback complete until both zones held the expected state (undefined: not within the deadline). */
  readonly convergedAfterMs?: number;
  /** Every key under the prefix, from both zones, after the convergence wait. */
  readonly keys: KeyState[];
  /** Entries (versions and markers) on za under the prefix that za did not have when it stopped. */
  readonly travelledBack: number;
  /** The decision records, oldest first. */
  readonly records: DecisionRecord[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const body = (key: string, size: number) => {
  const seed = `${key}|`;
  return Buffer.from(seed.repeat(Math.ceil(size / seed.length)).slice(0, size));
};
const keyOf = (phase: 'pre' | 'new', i: number) => `${PREFIX}${phase}/${String(i).padStart(6, '0')}`;

async function putAll(client: S3Client, bucket: string, keys: string[], size: number): Promise<Written[]> {
  const out: Written[] = [];
  await pool(keys, 16, async (key) => {
    const b = body(key, size);
    const r = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: b }));
    out.push({ key, versionId: r.VersionId ?? 'null', sha256: sha(b), at: Date.now() });
  });
  return out.sort((a, b) => a.at - b.at);
}

async function pointers(moto: MotoServer): Promise<Record<string, PointerValue | string | undefined>> {
  const out: Record<string, PointerValue | string | undefined> = {};
  for (const region of [SRC_REGION, REP_REGION]) {
    const p = await moto.getParameter(region, PARAM);
    out[region] = p && parsePointerValue(p.value);
  }
  return out;
}

/**
 * The failback step, isolated: one run of the controller's failback with the audit from the
 * replica back to the source. The only place to change when failback gains its own catch-up wait
 * or a repair of the source.
 */
export function failBack(
  config: FailoverConfig,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<FailbackOutcome> {
  return runFailback(
    config,
    { trigger: 'game day: the source zone is back' },
    { audit: replicaToSourceAudit(config), credentials, log: () => undefined },
  );
}

/** Lists every key under the prefix on both zones and reads the current bytes of each. */
export async function readKeys(bucket: string): Promise<{ keys: KeyState[]; listings: Record<Zone, VersionEntry[]> }> {
  const listings = {
    za: await listAllVersions('za', bucket, PREFIX),
    zb: await listAllVersions('zb', bucket, PREFIX),
  };
  const byKey = new Map<string, KeyState>();
  const state = (key: string) => {
    let s = byKey.get(key);
    if (!s) {
      s = {
        key,
        latest: { za: undefined, zb: undefined },
        entries: { za: 0, zb: 0 },
        sha256: { za: undefined, zb: undefined },
      };
      byKey.set(key, s);
    }
    return s;
  };
  for (const zone of ['za', 'zb'] as const) {
    for (const v of listings[zone]) {
      const s = state(v.key);
      s.entries[zone]++;
      if (v.isLatest) s.latest[zone] = v;
    }
  }
  const keys = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  const clients = { za: standClient('za'), zb: standClient('zb') };
  await pool(keys, 16, async (s) => {
    for (const zone of ['za', 'zb'] as const) {
      const latest = s.latest[zone];
      if (!latest || latest.isDeleteMarker) continue;
      const out = await clients[zone].send(new GetObjectCommand({ Bucket: bucket, Key: s.key }));
      s.sha256[zone] = sha(await out.Body!.transformToByteArray());
    }
  });
  return { keys, listings };
}

/** True when both zones hold exactly the expected latest entry of every key, and nothing else. */
function converged(listings: Record<Zone, VersionEntry[]>, expected: Map<string, string>): boolean {
  for (const zone of ['za', 'zb'] as const) {
    const latest = listings[zone].filter((v) => v.isLatest);
    if (latest.length !== expected.size) return false;
    for (const v of latest) if (expected.get(v.key) !== v.versionId) return false;
  }
  return true;
}

export async function runGameDay(moto: MotoServer, opts: GameDayOptions): Promise<GameDayResult> {
  const log = opts.log ?? (() => undefined);
  const period = opts.periodSeconds ?? 10;
  const size = opts.size ?? 256;
  const env = standEnv();
  const credentials = { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey };
  const za = standSide('za');
  const zb = standSide('zb');
  // Both buckets exist before za (the metadata master) stops.
  const bucket = await createBucket('za', { versioned: true });
  const reportsBucket = await createBucket('za', { versioned: false });
  const config = parseFailoverConfig({
    plan: 'pointer',
    mode: 'automatic',
    source: { bucket, region: SRC_REGION, endpoint: za.endpoint },
    replica: { bucket, region: REP_REGION, endpoint: zb.endpoint },
    parameterName: PARAM,
    alarmName: ALARM,
    probeName: PROBE,
    periodSeconds: period,
    cooldownMinutes: 30,
    // The stand's zones replicate a bucket both ways: failback waits for the reverse replication
    // to catch up (bounded) instead of repairing the source.
    twoWayReplication: true,
    failbackCatchUpSeconds: 120,
    // Read and written through zb: za is down during the failover.
    reports: { bucket: reportsBucket, region: REP_REGION, endpoint: zb.endpoint },
    endpoints: { ssm: moto.endpoint, cloudWatch: moto.endpoint },
  });
  const probe = (): ProbeConfig => ({
    source: { bucket, region: SRC_REGION, endpoint: za.endpoint },
    replica: { bucket, region: REP_REGION, endpoint: zb.endpoint },
    probeName: PROBE,
    lagDeadlineSeconds: 20,
    keep: 3,
    sourceTimeoutSeconds: 2,
  });
  const initial = formatPointerValue({
    bucket,
    region: SRC_REGION,
    since: new Date().toISOString(),
    reason: 'initial',
  });
  for (const region of [REP_REGION, SRC_REGION]) await moto.setParameter(region, PARAM, initial);
  // A healthy history before the outage, as the probe would have left it.
  const healthy = await runProbe(probe());
  await moto.putDatapoints(
    config.metricsRegion,
    'SourceAvailable',
    PROBE,
    [5, 4, 3, 2, 1].map((i) => ({ at: Date.now() - i * period * 1000, value: healthy.sourceAvailable ? 1 : 0 })),
  );

  // 1. N objects to the source.
  const zaClient = standClient('za');
  const zbClient = standClient('zb', { maxAttempts: 3 });
  log(`writing ${opts.objects} objects to zone za`);
  const pre = await putAll(
    zaClient,
    bucket,
    Array.from({ length: opts.objects }, (_, i) => keyOf('pre', i)),
    size,
  );

  // 2. The outage. What zb has at this moment is what survives if za never comes back.
  await stopZone('za');
  const stoppedAt = Date.now();
  log('zone za stopped');
  let zbAtStop: VersionEntry[] = [];
  try {
    zbAtStop = await listAllVersions(zbClient, bucket, PREFIX);
    const onZb = new Set(zbAtStop.map((v) => `${v.key}@${v.versionId}`));
    const atRisk = pre.filter((w) => !onZb.has(`${w.key}@${w.versionId}`));
    log(`${atRisk.length} of ${pre.length} objects were not on zb when za stopped`);

    let probes = 0;
    let stopToDecisionMs: number | undefined;
    let stopToFailoverMs: number | undefined;
    let failover: FailoverOutcome | undefined;
    while (Date.now() - stoppedAt < 300_000) {
      const started = Date.now();
      const r = await runProbe(probe());
      probes++;
      await moto.putDatapoints(config.metricsRegion, 'SourceAvailable', PROBE, [
        { at: Date.now(), value: r.sourceAvailable ? 1 : 0 },
      ]);
      if (!r.sourceAvailable) await moto.setAlarm(config.metricsRegion, ALARM, 'ALARM');
      const dry = await runFailover(
        config,
        { dryRun: true, trigger: 'game day' },
        { credentials, record: false, log: () => undefined },
      );
      if (dry.decision.action === 'fail-over') {
        stopToDecisionMs = Date.now() - stoppedAt;
        failover = await runFailover(
          config,
          { trigger: `alarm ${ALARM} changed to ALARM` },
          { credentials, log: () => undefined },
        );
        stopToFailoverMs = Date.now() - stoppedAt;
        break;
      }
      await sleep(Math.max(0, period * 1000 - (Date.now() - started)));
    }
    const pointersAfterFailover = await pointers(moto);
    log(`failover: ${failover?.decision.action ?? 'no decision'} after ${probes} probes`);

    // 3. The application writes to the replica and deletes some of what it reads there.
    const readable = new Set(zbAtStop.filter((v) => v.isLatest && !v.isDeleteMarker).map((v) => v.key));
    const toDelete = pre.filter((w) => readable.has(w.key)).slice(0, opts.deletes);
    const during = await putAll(
      zbClient,
      bucket,
      Array.from({ length: opts.writes }, (_, i) => keyOf('new', i)),
      size,
    );
    const deleted: Deleted[] = [];
    await pool(toDelete, 16, async (w) => {
      const r = await zbClient.send(new DeleteObjectCommand({ Bucket: bucket, Key: w.key }));
      deleted.push({ key: w.key, markerVersionId: r.VersionId ?? 'null' });
    });
    log(`wrote ${during.length} and deleted ${deleted.length} objects on zone zb`);

    // 4. The source region comes back.
    const restartedAt = Date.now();
    await startZone('za');
    const restartMs = Date.now() - restartedAt;
    log(`zone za back, sync resumed, after ${(restartMs / 1000).toFixed(1)} s`);

    // 5. Fail back once the audit passes.
    const failbacks: FailbackOutcome[] = [];
    let restartToFailbackMs: number | undefined;
    let atFailback: GameDayResult['atFailback'];
    const deadline = restartedAt + (opts.failbackDeadlineMs ?? 300_000);
    for (;;) {
      const out = await failBack(config, credentials);
      failbacks.push(out);
      if (out.action === 'fail-back' && out.complete) {
        restartToFailbackMs = Date.now() - restartedAt;
        const onZa = await listAllVersions(zaClient, bucket, PREFIX);
        const ids = new Set(onZa.map((v) => `${v.key}@${v.versionId}`));
        atFailback = {
          writesOnSource: during.filter((w) => ids.has(`${w.key}@${w.versionId}`)).length,
          deletesOnSource: deleted.filter((d) => ids.has(`${d.key}@${d.markerVersionId}`)).length,
        };
        break;
      }
      if (out.action !== 'refused' || Date.now() > deadline) break;
      await sleep(3000);
    }
    log(`failback: ${failbacks.at(-1)?.action} after ${failbacks.length} attempts`);
    const pointersAtEnd = await pointers(moto);

    // 6. Wait (bounded) for both zones to agree, then read every key on both.
    const expected = new Map<string, string>();
    for (const w of [...pre, ...during]) expected.set(w.key, w.versionId);
    for (const d of deleted) expected.set(d.key, d.markerVersionId);
    const convergeFrom = Date.now();
    let convergedAfterMs: number | undefined;
    for (;;) {
      const listings = {
        za: await listAllVersions(zaClient, bucket, PREFIX),
        zb: await listAllVersions(zbClient, bucket, PREFIX),
      };
      if (converged(listings, expected)) {
        convergedAfterMs = Date.now() - convergeFrom;
        break;
      }
      if (Date.now() - convergeFrom > (opts.convergeDeadlineMs ?? 180_000)) break;
      await sleep(2000);
    }
    const { keys, listings } = await readKeys(bucket);
    const zaAtStop = new Set(pre.map((w) => `${w.key}@${w.versionId}`));
    const travelledBack = listings.za.filter((v) => !zaAtStop.has(`${v.key}@${v.versionId}`)).length;

    const records = await readRecords(config);
    return {
      bucket,
      reportsBucket,
      config,
      pre,
      during,
      deleted,
      stoppedAt,
      atRisk,
      probes,
      stopToDecisionMs,
      stopToFailoverMs,
      failover,
      pointersAfterFailover,
      restartMs,
      failbacks,
      restartToFailbackMs,
      atFailback,
      pointersAtEnd,
      convergedAfterMs,
      keys,
      travelledBack,
      records,
    };
  } finally {
    // Idempotent: a no-op wait when za is already back.
    await startZone('za');
  }
}

/** Every decision record in the reports bucket (read through zb), oldest first. */
export async function readRecords(config: FailoverConfig): Promise<DecisionRecord[]> {
  const client = standClient('zb');
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: config.reports.bucket,
        Prefix: config.reports.prefix,
        ContinuationToken: token,
      }),
    );
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const records = new DecisionRecords(config);
  return Promise.all(keys.sort().map((k) => records.get(k)));
}
