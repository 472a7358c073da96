import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { main } from '../../lambda/cli/main';
import { DrillOptions } from '../../lambda/drill/core/options';
import { drill } from '../../lambda/drill/index';
import { runDrill } from '../../lambda/drill/run-drill';
import { UsageError } from '../../lambda/shared/errors';
import { RequestStats } from '../../lambda/shared/s3-client';
import {
  createBucket,
  disableBucketSync,
  emptyAndDeleteBucket,
  listAllVersions,
  standClient,
  standEnv,
  standSide,
  startFaultProxy,
  startZone,
  stopZone,
} from '../support/stand';

jest.setTimeout(120_000);
/** A test that restarts a zone waits for multisite sync to resume (startZone): up to minutes. */
const ZONE_RESTART_TIMEOUT_MS = 420_000;

const env = standEnv();
process.env.AWS_ACCESS_KEY_ID = env.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = env.secretAccessKey;
const za = standSide('za');
const zb = standSide('zb');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const created: ['za' | 'zb', string][] = [];
async function bucket(zone: 'za' | 'zb', versioned: boolean): Promise<string> {
  const name = await createBucket(zone, { versioned });
  created.push([zone, name]);
  // A bucket created in one zone reaches the other by metadata sync: wait until both serve it.
  for (const z of ['za', 'zb'] as const) {
    const c = standClient(z);
    try {
      for (let i = 0; ; i++) {
        try {
          await c.send(new HeadBucketCommand({ Bucket: name }));
          break;
        } catch (err) {
          if (i >= 120) throw err;
          await sleep(250);
        }
      }
    } finally {
      c.destroy();
    }
  }
  return name;
}

async function put(client: S3Client, b: string, objects: [string, string][]): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (i < objects.length) {
        const [key, body] = objects[i++];
        await client.send(new PutObjectCommand({ Bucket: b, Key: key, Body: body }));
      }
    }),
  );
}

/** Versions as an order-free comparable list. */
async function versions(zone: 'za' | 'zb', b: string): Promise<string[]> {
  const all = (await listAllVersions(zone, b)) as unknown as Record<string, unknown>[];
  return all.map((v) => JSON.stringify(v)).sort();
}

/** Waits until zb holds every version and delete marker za holds (by key and version id). */
async function replicated(b: string, timeoutMs = 60_000): Promise<void> {
  const ids = async (zone: 'za' | 'zb') =>
    (
      (await listAllVersions(zone, b)) as unknown as {
        key?: string;
        Key?: string;
        versionId?: string;
        VersionId?: string;
      }[]
    )
      .map((v) => `${v.key ?? v.Key}@${v.versionId ?? v.VersionId}`)
      .sort()
      .join('\n');
  const deadline = Date.now() + timeoutMs;
  const want = await ids('za');
  while ((await ids('zb')) !== want) {
    if (Date.now() > deadline) throw new Error(`bucket ${b} did not replicate to zb within ${timeoutMs} ms`);
    await sleep(250);
  }
}

function cliIO(lines: string[]) {
  return {
    out: (l: string) => lines.push(l),
    err: (l: string) => lines.push(l),
    isTTY: false,
    env: { ...process.env, AWS_REGION: za.region },
  };
}

const zaClient = standClient('za');
let data: string;
let scratch: string;
const objects: [string, string][] = Array.from({ length: 30 }, (_, i) => [
  `obj/${String(i).padStart(3, '0')}`,
  `object ${i} `.repeat(1 + i * 50),
]);

function options(over: Partial<DrillOptions> = {}): DrillOptions {
  return {
    source: { bucket: data, prefix: 'obj/', ...za },
    replica: { bucket: data, prefix: 'obj/', ...zb },
    restoreTo: { bucket: scratch, prefix: 'restores', ...zb },
    sampleSize: 8,
    sampleMode: 'random',
    concurrency: 4,
    ...over,
  } as DrillOptions;
}

beforeAll(async () => {
  [data, scratch] = await Promise.all([bucket('za', true), bucket('za', true)]);
  // The restore target is scratch space, as in a deployment: not replicated. (Multisite would
  // copy every drill write to za and may bring a deleted version back for a while.)
  await disableBucketSync(scratch);
  await put(zaClient, data, objects);
  await replicated(data);
});

afterAll(async () => {
  for (const [zone, b] of created) await emptyAndDeleteBucket(zone, b).catch(() => undefined);
  zaClient.destroy();
});

describe('restore drill on the two-zone stand', () => {
  test('restores and verifies a seeded sample, changes no source or replica data and removes everything it wrote', async () => {
    const before = await Promise.all([versions('za', data), versions('zb', data), versions('zb', scratch)]);
    const r = await runDrill(options({ seed: 'stand-1', copyMode: 'stream' }));
    expect(r.passed).toBe(true);
    expect(r.plan).toMatchObject({ copy: 'stream', copyReason: expect.stringMatching(/^copy mode stream/) });
    expect(r.sourceAvailable).toBe(true);
    expect(r.sample).toMatchObject({ selected: 8, listedObjects: 30, seed: 'stand-1' });
    expect(r.restored.objects).toBe(8);
    expect(r.verified).toMatchObject({ objects: 8, against: { 'source-sha256': 8, unverifiable: 0 } });
    const byKey = new Map(objects);
    for (const o of r.objects) {
      expect(o.targetKey).toBe(`restores/${r.drillId}/${o.key}`);
      expect(o.sha256).toBe(sha256(byKey.get(o.key)!));
    }
    expect(r.cleanup).toMatchObject({ written: 8, deleted: 8, swept: 0, complete: true, leftovers: [] });
    expect(r.rto).toMatchObject({ totalObjects: 30, concurrency: 4 });
    expect(r.rto!.seconds).toBeGreaterThan(0);
    expect(await Promise.all([versions('za', data), versions('zb', data), versions('zb', scratch)])).toEqual(before);

    // The same seed picks the same objects; the default (auto: replica and target on one
    // endpoint) copies them server-side and restores them just as well.
    const copyStats = new RequestStats();
    const again = await runDrill(options({ seed: 'stand-1' }), { stats: copyStats });
    expect(again.passed).toBe(true);
    expect(again.objects.map((o) => o.key)).toEqual(r.objects.map((o) => o.key));
    expect(again.plan).toMatchObject({
      copy: 'server-side',
      copyReason: `replica and target are both in ${zb.endpoint}: the target copies from the replica directly`,
    });
    expect(again.restoredAt! >= again.startedAt && again.restoredAt! <= again.finishedAt).toBe(true);
    expect(again.verified).toMatchObject({ objects: 8, against: { 'source-sha256': 8 } });
    for (const o of again.objects) expect(o.sha256).toBe(sha256(byKey.get(o.key)!));
    // One request per object: the copy is pinned to the listed ETag instead of a HEAD, and the
    // stand's CopyObject names no version id, so one listing of the drill's prefix learns them.
    expect(copyStats.byOperation.CopyObjectCommand).toBe(8);
    expect(copyStats.byOperation.HeadObjectCommand).toBeUndefined();
    expect(again.objects.every((o) => typeof o.targetVersionId === 'string')).toBe(true);
    // The recorded version ids were the written ones: the sweep found nothing else.
    expect(again.cleanup).toMatchObject({ written: 8, swept: 0, complete: true, leftovers: [] });
    expect(await Promise.all([versions('za', data), versions('zb', data), versions('zb', scratch)])).toEqual(before);
  });

  test('restores a prefix as it was at a point in time', async () => {
    const p = 'pit/';
    await put(zaClient, data, [
      [`${p}overwritten`, 'old content'],
      [`${p}deleted-since`, 'deleted later'],
      [`${p}deleted-before`, 'gone before T'],
    ]);
    await zaClient.send(new DeleteObjectCommand({ Bucket: data, Key: `${p}deleted-before` }));
    await sleep(1100);
    const asOf = new Date();
    await sleep(1100);
    await put(zaClient, data, [
      [`${p}overwritten`, 'new content, longer'],
      [`${p}created-after`, 'too new'],
    ]);
    await zaClient.send(new DeleteObjectCommand({ Bucket: data, Key: `${p}deleted-since` }));
    await replicated(data);
    const before = await Promise.all([versions('za', data), versions('zb', data), versions('zb', scratch)]);

    const pointInTime = options({
      source: { bucket: data, prefix: p, ...za },
      replica: { bucket: data, prefix: p, ...zb },
      sampleSize: 10,
      asOf,
    });
    const r = await runDrill(pointInTime);
    expect(r.passed).toBe(true);
    expect(r.objects.map((o) => [o.key, o.since, o.sha256])).toEqual([
      [`${p}deleted-since`, 'deleted', sha256('deleted later')],
      [`${p}overwritten`, 'overwritten', sha256('old content')],
    ]);
    expect(r.sample.pointInTime).toMatchObject({
      keys: 4,
      resolved: 2,
      deletedAtT: 1,
      createdAfterT: 1,
      deletedSince: 1,
      overwrittenSince: 1,
    });
    expect(r.objects.every((o) => o.verifiedAgainst === 'source-sha256')).toBe(true);
    expect(await Promise.all([versions('za', data), versions('zb', data), versions('zb', scratch)])).toEqual(before);

    // A server-side copy restores the same versions (copied by version id).
    const copied = await runDrill({ ...pointInTime, copyMode: 'server-side' });
    expect(copied.passed).toBe(true);
    expect(copied.objects.map((o) => [o.key, o.versionId, o.sha256])).toEqual(
      r.objects.map((o) => [o.key, o.versionId, o.sha256]),
    );
    expect(await Promise.all([versions('za', data), versions('zb', data), versions('zb', scratch)])).toEqual(before);
  });

  test('detects a replica whose bytes differ from the source (same size) and fails with exit 1', async () => {
    // A pair that does not replicate into each other: source and replica are different buckets,
    // the replica written directly through zb.
    const [src, rep] = await Promise.all([bucket('za', true), bucket('za', true)]);
    const zbClient = standClient('zb');
    try {
      await put(zaClient, src, [
        ['k/good', 'same bytes'],
        ['k/bad', 'AAAAAAAAAA'],
      ]);
      await put(zbClient, rep, [
        ['k/good', 'same bytes'],
        ['k/bad', 'AAAAAAAAAB'],
      ]);
    } finally {
      zbClient.destroy();
    }
    const lines: string[] = [];
    const code = await main(
      [
        'drill',
        '--source',
        `s3://${src}/k/`,
        '--source-endpoint',
        za.endpoint!,
        '--source-region',
        za.region,
        '--replica',
        `s3://${rep}/k/`,
        '--replica-endpoint',
        zb.endpoint!,
        '--replica-region',
        zb.region,
        '--restore-to',
        `s3://${scratch}/corrupt`,
        '--sample',
        '10',
        '--report',
        '-',
      ],
      cliIO(lines),
    );
    expect(code).toBe(1);
    const report = JSON.parse(lines.find((l) => l.startsWith('{'))!);
    expect(report.passed).toBe(false);
    const bad = report.objects.find((o: { key: string }) => o.key === 'k/bad');
    expect(bad).toMatchObject({ restored: true, verified: false, verifiedAgainst: 'source-sha256' });
    expect(bad.reason).toMatch(/restored sha-256 [0-9a-f]{64} differs from the source's [0-9a-f]{64}/);
    expect(bad.reason).toMatch(/the replica copy is corrupt or stale/);
    expect(report.objects.find((o: { key: string }) => o.key === 'k/good')).toMatchObject({ verified: true });
    expect(report.failures).toEqual([expect.objectContaining({ key: 'k/bad', phase: 'verify' })]);
    expect(lines.join('\n')).toMatch(/FAILED/);
    expect(report.cleanup.complete).toBe(true);
    expect(await versions('zb', scratch)).toEqual([]);
  });

  test(
    'with the source zone down, verifies against the replica etag and says so',
    async () => {
      const before = await versions('zb', data);
      await stopZone('za');
      const copyStats = new RequestStats();
      let r;
      let copied;
      try {
        r = await runDrill(options({ sampleSize: 5, seed: 'outage', copyMode: 'stream' }), {
          sourceProbeTimeoutMs: 5000,
        });
        copied = await runDrill(options({ sampleSize: 5, seed: 'outage' }), {
          sourceProbeTimeoutMs: 5000,
          stats: copyStats,
        });
      } finally {
        await startZone('za');
      }
      // A server-side copy reads the replica's record (one HEAD per object) only because the
      // source cannot be used.
      expect(copied.passed).toBe(true);
      expect(copied.objects.map((o) => o.verifiedAgainst)).toEqual(Array(5).fill('replica-etag-md5'));
      expect(copyStats.byOperation.HeadObjectCommand).toBe(5);
      expect(copied.cleanup.complete).toBe(true);
      expect(r.sourceAvailable).toBe(false);
      expect(r.notes.join('\n')).toMatch(
        /the source s3:\/\/.* was unavailable .*verified against what the replica recorded/,
      );
      expect(r.objects.map((o) => o.verifiedAgainst)).toEqual(Array(5).fill('replica-etag-md5'));
      expect(r.passed).toBe(true);
      expect(r.cleanup.complete).toBe(true);
      expect(await versions('zb', data)).toEqual(before);
      expect(await versions('zb', scratch)).toEqual([]);
    },
    ZONE_RESTART_TIMEOUT_MS,
  );

  test('a server-side copy of an object that changed after the listing restores the version the replica holds now', async () => {
    const [src, rep] = await Promise.all([bucket('za', true), bucket('za', true)]);
    const zbClient = standClient('zb');
    const drillWithOverwrite = async (body: string, s3Precondition: boolean) => {
      const stats = new RequestStats();
      let changed: { key: string; versionId?: string } | undefined;
      // Replica and restore target through a proxy in front of zb (a server-side copy needs
      // them on one endpoint), which overwrites the first copied object on both sides between
      // the listing and its copy.
      const proxy = await startFaultProxy({
        target: zb.endpoint!,
        beforeForward: async (req) => {
          const copySource = req.headers['x-amz-copy-source'];
          if (req.method !== 'PUT' || typeof copySource !== 'string') return;
          if (!changed) {
            const key = decodeURIComponent(copySource.slice(copySource.indexOf('/') + 1));
            changed = { key };
            await zaClient.send(new PutObjectCommand({ Bucket: src, Key: key, Body: body }));
            const out = await zbClient.send(new PutObjectCommand({ Bucket: rep, Key: key, Body: body }));
            changed.versionId = out.VersionId;
          }
          // RGW reads x-amz-copy-source-if-match as x-amz-copy-if-match: under both names the
          // stand refuses a stale copy, as S3 does.
          const pin = req.headers['x-amz-copy-source-if-match'];
          if (s3Precondition && pin) req.headers['x-amz-copy-if-match'] = pin;
        },
      });
      try {
        const report = await runDrill(
          options({
            source: { bucket: src, prefix: 'c/', ...za },
            replica: { bucket: rep, prefix: 'c/', ...zb, endpoint: proxy.endpoint },
            restoreTo: { bucket: scratch, prefix: 'restores', ...zb, endpoint: proxy.endpoint },
            sampleSize: 3,
            sampleMode: 'prefix',
            copyMode: 'server-side',
          }),
          { stats },
        );
        return { report, stats, changed: changed! };
      } finally {
        await proxy.close();
      }
    };
    try {
      const pairs: [string, string][] = [
        ['c/a', 'first a'],
        ['c/b', 'first b'],
        ['c/c', 'first c'],
      ];
      await put(zaClient, src, pairs);
      await put(zbClient, rep, pairs);

      // S3's behaviour: the copy pinned to the listed ETag is refused, one HEAD pins the new version.
      const s3 = await drillWithOverwrite('second, longer', true);
      expect(s3.report.passed).toBe(true);
      expect(s3.report.objects.find((o) => o.key === s3.changed.key)).toMatchObject({
        restored: true,
        verified: true,
        versionId: s3.changed.versionId,
        size: 14,
        sha256: sha256('second, longer'),
      });
      expect(s3.stats.byOperation.CopyObjectCommand).toBe(4);
      expect(s3.stats.byOperation.HeadObjectCommand).toBe(1);
      expect(s3.report.restored.bytes).toBe(14 + 7 + 7);
      expect(s3.report.cleanup).toMatchObject({ written: 3, swept: 0, complete: true });

      // The stand's own behaviour: it copies the current version without being asked to pin;
      // the listing of the drill's prefix records what was written.
      const rgw = await drillWithOverwrite('third, longer still', false);
      expect(rgw.report.passed).toBe(true);
      expect(rgw.report.objects.find((o) => o.key === rgw.changed.key)).toMatchObject({
        restored: true,
        verified: true,
        size: 19,
        sha256: sha256('third, longer still'),
      });
      expect(rgw.stats.byOperation.CopyObjectCommand).toBe(3);
      expect(rgw.stats.byOperation.HeadObjectCommand).toBeUndefined();
      expect(rgw.changed.key).toBe(s3.changed.key);
      expect(rgw.report.restored.bytes).toBe(19 + 7 + 7);
      expect(rgw.report.cleanup).toMatchObject({ written: 3, swept: 0, complete: true });
    } finally {
      zbClient.destroy();
    }
  });

  test('by default streams where the target cannot copy from the replica; an explicit server-side copy there is refused before any request', async () => {
    // The restore target on the other zone's endpoint: a server-side copy cannot read zb's replica there.
    const across = options({ restoreTo: { bucket: scratch, prefix: 'across', ...za }, sampleSize: 3 });
    const streamed = await runDrill(across);
    expect(streamed.passed).toBe(true);
    expect(streamed.plan).toMatchObject({
      copy: 'stream',
      copyReason: `the replica is in ${zb.endpoint} and the target in ${za.endpoint}: a server-side copy cannot read across them`,
    });
    expect(streamed.requests.byOperation.CopyObjectCommand).toBeUndefined();
    expect(streamed.cleanup.complete).toBe(true);
    expect(await versions('za', scratch)).toEqual([]);

    const stats = new RequestStats();
    await expect(runDrill({ ...across, copyMode: 'server-side' }, { stats })).rejects.toThrow(
      /copyMode server-side needs the replica and the restore target on one endpoint/,
    );
    expect(stats.requests).toBe(0);
    const lines: string[] = [];
    const code = await main(
      [
        'drill',
        '--source',
        `s3://${data}/obj/`,
        '--source-endpoint',
        za.endpoint!,
        '--replica',
        `s3://${data}/obj/`,
        '--replica-endpoint',
        zb.endpoint!,
        '--restore-to',
        `s3://${scratch}/across`,
        '--restore-endpoint',
        za.endpoint!,
        '--copy',
        'server-side',
      ],
      cliIO(lines),
    );
    expect(code).toBe(2);
    expect(lines.join('\n')).toMatch(
      /--copy server-side needs the replica and the restore target on one endpoint .*: use auto \(the default\), which streams where a server-side copy cannot read the replica, or stream/,
    );
  });

  test('rejects a restore target equal to the source or the replica before reading anything', async () => {
    for (const restoreTo of [
      { bucket: data, prefix: 'x', ...za },
      { bucket: data, prefix: 'x', ...zb },
    ]) {
      const stats = new RequestStats();
      await expect(runDrill(options({ restoreTo }), { stats })).rejects.toThrow(UsageError);
      await expect(runDrill(options({ restoreTo }), { stats })).rejects.toThrow(/is the (source|replica) bucket/);
      expect(stats.requests).toBe(0);
    }
    const lines: string[] = [];
    const code = await main(
      [
        'drill',
        '--source',
        `s3://${data}`,
        '--source-endpoint',
        za.endpoint!,
        '--replica',
        `s3://${data}`,
        '--replica-endpoint',
        zb.endpoint!,
        '--restore-to',
        `s3://${data}/scratch`,
      ],
      cliIO(lines),
    );
    expect(code).toBe(2);
    expect(lines.join('\n')).toMatch(/--restore-to bucket ".*" at http:\/\/127\.0\.0\.1:\d+ is the replica bucket/);
  });

  test('bad options exit 2 with the option and value named; a missing restore bucket exits 4', async () => {
    const base = [
      'drill',
      '--source',
      `s3://${data}`,
      '--source-endpoint',
      za.endpoint!,
      '--replica',
      `s3://${data}`,
      '--replica-endpoint',
      zb.endpoint!,
    ];
    const run = async (args: string[]) => {
      const lines: string[] = [];
      return { code: await main([...base, ...args], cliIO(lines)), text: lines.join('\n') };
    };
    expect(await run(['--restore-to', `s3://${scratch}`, '--as-of', 'yesterday'])).toEqual({
      code: 2,
      text: 'cdk-s3-dr drill: --as-of "yesterday" is not an ISO 8601 time: write 2026-11-20T12:00:00Z',
    });
    expect(await run(['--restore-to', `s3://${scratch}`, '--sample', 'ten'])).toMatchObject({
      code: 2,
      text: expect.stringMatching(/--sample "ten"/),
    });
    expect(await run(['--restore-to', `s3://${scratch}`, '--sample-mode', 'oldest'])).toMatchObject({
      code: 2,
      text: expect.stringMatching(/--sample-mode "oldest"/),
    });
    expect(await run(['--restore-to', `s3://${scratch}`, '--frobnicate'])).toMatchObject({
      code: 2,
      text: expect.stringMatching(/unknown option '--frobnicate'/),
    });
    expect(await run(['--restore-to', 's3://no-such-drill-bucket-zz9'])).toMatchObject({
      code: 4,
      text: expect.stringMatching(/restore target bucket "no-such-drill-bucket-zz9" does not exist/),
    });
  });

  test('the lambda adapter runs a drill, writes the report and emits the metrics', async () => {
    const reports = await bucket('za', false);
    const lines: string[] = [];
    const summary: string[] = [];
    const result = await drill(
      { sampleSize: 3, sampleMode: 'newest' },
      {
        REPLICA_BUCKET: data,
        REPLICA_REGION: zb.region,
        REPLICA_ENDPOINT: zb.endpoint,
        REPLICA_PREFIX: 'obj/',
        SOURCE_BUCKET: data,
        SOURCE_REGION: za.region,
        SOURCE_ENDPOINT: za.endpoint,
        SOURCE_PREFIX: 'obj/',
        RESTORE_BUCKET: scratch,
        RESTORE_REGION: zb.region,
        RESTORE_ENDPOINT: zb.endpoint,
        REPORTS_BUCKET: reports,
        REPORTS_REGION: za.region,
        REPORTS_ENDPOINT: za.endpoint,
        REPORTS_PREFIX: 'drills',
        DRILL_NAME: 'stand',
      },
      { emit: (l) => lines.push(l), log: (l) => summary.push(l) },
    );
    expect(result.passed).toBe(true);
    expect(result.report).toBe(`s3://${reports}/drills/stand/${result.drillId}.json`);
    const got = await zaClient.send(
      new GetObjectCommand({ Bucket: reports, Key: `drills/stand/${result.drillId}.json` }),
    );
    const report = JSON.parse(await got.Body!.transformToString());
    expect(report).toMatchObject({ drillId: result.drillId, passed: true, sample: { mode: 'newest', selected: 3 } });
    // No COPY_MODE: auto, and the replica and target share the endpoint.
    expect(report.plan.copy).toBe('server-side');
    expect(report.objects).toHaveLength(3);
    expect(summary[0]).toMatch(new RegExp(`drill ${result.drillId}: PASSED: restored 3/3 objects`));
    const emf = JSON.parse(lines[0]);
    expect(emf).toMatchObject({ Drill: 'stand', DrillPassed: 1, ObjectsRestored: 3, VerificationFailures: 0 });
    expect(emf._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name).sort()).toEqual([
      'BytesRestored',
      'DrillDurationSeconds',
      'DrillPassed',
      'ObjectsRestored',
      'RestoreThroughputBytesPerSecond',
      'RtoEstimateSeconds',
      'VerificationFailures',
    ]);
    expect(await versions('zb', scratch)).toEqual([]);
  });
});
