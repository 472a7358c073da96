import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditRecord, AuditSummary } from '../../lambda/audit/core';
import { auditInvocation } from '../../lambda/audit/index';
import { AuditReport } from '../../lambda/audit/report';
import { AuditOptions, runAudit } from '../../lambda/audit/run-audit';
import { MemorySink } from '../../lambda/audit/sink';
import { main } from '../../lambda/cli/main';
import { createS3Client, RequestStats } from '../../lambda/shared/s3-client';
import {
  createBucket,
  emptyAndDeleteBucket,
  listAllVersions,
  putObjects,
  standClient,
  standEnv,
  standSide,
  startFaultProxy,
  startZone,
} from '../support/stand';

jest.setTimeout(120_000);
/** A test that restarts a zone waits for multisite sync to resume (startZone): up to minutes. */
const ZONE_RESTART_TIMEOUT_MS = 420_000;

const env = standEnv();
process.env.AWS_ACCESS_KEY_ID = env.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = env.secretAccessKey;
const za = standSide('za');
const zb = standSide('zb');

function cliIO(lines: string[] = [], onErr?: (line: string) => void) {
  return {
    out: (l: string) => lines.push(l),
    err: (l: string) => {
      lines.push(l);
      onErr?.(l);
    },
    isTTY: false,
    env: { ...process.env, AWS_REGION: za.region },
  };
}

/** Kinds and keys of the records, for exact comparisons. */
function byKind(records: readonly AuditRecord[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of records) (out[r.kind] ??= []).push(r.key);
  return out;
}

/** The summary minus what differs between two runs made at different times (timings, requests, ages). */
function comparable(summary: AuditSummary) {
  const { requests: _r, retries: _t, durationMs: _d, startedAt: _s, maxObservedLagSeconds: _l, ...rest } = summary;
  return rest;
}

const created: [zone: 'za' | 'zb', bucket: string][] = [];
afterAll(async () => {
  for (const [zone, bucket] of created) await emptyAndDeleteBucket(zone, bucket).catch(() => undefined);
}, ZONE_RESTART_TIMEOUT_MS); // buckets on zb are deleted through za, which an outage test restarted

describe('planted differences between two buckets', () => {
  let src: string;
  let dst: string;
  const base: [string, string][] = Array.from({ length: 120 }, (_, i) => [
    `obj/${String(i).padStart(4, '0')}`,
    `body ${i}`,
  ]);
  base.push(['obj/\uE000', 'private use'], ['obj/\u{1F600}', 'astral']); // S3 byte order differs from JS order

  beforeAll(async () => {
    // Both unversioned at first: objects written now have version id "null" on both sides, as if replicated.
    // Two buckets of one zone, the differences planted: nothing needs replicating.
    [src, dst] = await Promise.all([
      createBucket('za', { versioned: false, replicated: false }),
      createBucket('za', { versioned: false, replicated: false }),
    ]);
    created.push(['za', src], ['za', dst]);
    const sc = standClient('za');
    // The replica's copies are written first, so the source's differing writes are the newer changes.
    await putObjects(sc, dst, [
      ...base,
      ['obj/extra', 'only in replica'],
      ['obj/size', 'longer!'],
      ['obj/content', 'bbbb'],
      ['obj/version', 'same'],
      ['obj/dm-replica', 'deleted on the replica'],
      ['obj/deleted-source', 'deleted on the source'],
    ]);
    await putObjects(sc, src, [
      ...base,
      ['obj/missing', 'only in source'],
      ['obj/size', 'short'],
      ['obj/content', 'aaaa'],
      ['obj/version', 'same'],
      ['obj/dm-replica', 'deleted on the replica'],
      ['obj/deleted-source', 'deleted on the source'],
    ]);
    for (const b of [src, dst])
      await sc.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
    await sc.send(new PutObjectCommand({ Bucket: dst, Key: 'obj/version', Body: 'same' })); // new version id, same content
    await sc.send(new DeleteObjectCommand({ Bucket: dst, Key: 'obj/dm-replica' })); // delete marker on the replica only
    await sc.send(new DeleteObjectCommand({ Bucket: src, Key: 'obj/deleted-source' })); // not replicated: expected
  });

  const audit = async (o: Partial<AuditOptions>, client = standClient('za'), stats?: RequestStats) => {
    const sink = new MemorySink();
    const result = await runAudit(
      { source: { bucket: src, prefix: 'obj/' }, replica: { bucket: dst, prefix: 'obj/' }, lagWindowSeconds: 0, ...o },
      { sourceClient: client, replicaClient: client, sink, stats },
    );
    return { result, records: sink.records };
  };

  test('all-versions mode finds every planted kind at exactly the planted keys', async () => {
    const before = await Promise.all([listAllVersions('za', src), listAllVersions('za', dst)]);
    const { result, records } = await audit({ mode: 'versions' });
    expect(result.status).toBe('complete');
    expect(byKind(records)).toEqual({
      missing: ['missing'],
      extra: ['extra'],
      'size-mismatch': ['size'],
      'content-mismatch': ['content'],
      'version-mismatch': ['version'],
      'delete-marker-mismatch': ['dm-replica'],
    });
    const s = result.summary;
    expect(s.discrepancies).toBe(6);
    expect(s.deletesNotReplicated).toBe(1);
    expect(s.counts.matched).toBe(base.length);
    expect(s.comparison.byEtag).toBe(base.length);
    const content = records.find((r) => r.kind === 'content-mismatch')!;
    expect(content).toMatchObject({ source: { size: 4, etag: expect.any(String) }, replica: { size: 4 } });
    // the audit wrote nothing to either bucket
    expect(await Promise.all([listAllVersions('za', src), listAllVersions('za', dst)])).toEqual(before);
  });

  test('current mode: a replica-only delete marker shows as missing, a source delete as a delete not replicated', async () => {
    const { result, records } = await audit({ mode: 'current' });
    expect(byKind(records)).toEqual({
      missing: ['dm-replica', 'missing'],
      extra: ['extra'],
      'size-mismatch': ['size'],
      'content-mismatch': ['content'],
    });
    expect(result.summary.deletesNotReplicated).toBe(1);
  });

  test('the packaged command (ES module chunks, as npm installs them) reports what main() reports', async () => {
    execFileSync('node', [join(__dirname, '..', '..', 'scripts', 'build-handlers.mjs'), '--quiet']);
    const dir = mkdtempSync(join(tmpdir(), 'audit-bin-'));
    const args = (report: string) => [
      'audit',
      '--source',
      `s3://${src}/obj/`,
      '--replica',
      `s3://${dst}/obj/`,
      '--source-endpoint',
      za.endpoint!,
      '--replica-endpoint',
      za.endpoint!,
      '--lag-window',
      '0',
      '--report',
      report,
    ];
    const bin = join(__dirname, '..', '..', 'assets', 'cli', 'cdk-s3-dr.js');
    let code = 0;
    try {
      execFileSync(bin, args(join(dir, 'bin.json')), { env: { ...process.env, AWS_REGION: za.region }, stdio: 'pipe' });
    } catch (err) {
      code = (err as { status: number }).status;
    }
    expect(code).toBe(1); // discrepancies found
    expect(await main(args(join(dir, 'main.json')), cliIO())).toBe(1);
    const read = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as AuditReport;
    const [fromBin, fromMain] = [read('bin.json'), read('main.json')];
    expect(fromBin.summary.counts).toEqual(fromMain.summary.counts);
    expect(fromBin.discrepancies.map((d) => [d.key, d.kind])).toEqual(
      fromMain.discrepancies.map((d) => [d.key, d.kind]),
    );
    expect(fromBin.summary.counts.missing).toBeGreaterThan(0);
  });

  test('a distributed run: ranges report under one run id without metrics, the merge step gives the one-pass report', async () => {
    const reports = await createBucket('za', { versioned: false });
    created.push(['za', reports]);
    const env = {
      SOURCE_BUCKET: src,
      REPLICA_BUCKET: dst,
      SOURCE_PREFIX: 'obj/',
      REPLICA_PREFIX: 'obj/',
      REPORTS_BUCKET: reports,
      REPORTS_PREFIX: 'audits/',
      SOURCE_REGION: za.region,
      REPLICA_REGION: za.region,
      SOURCE_ENDPOINT: za.endpoint,
      REPLICA_ENDPOINT: za.endpoint,
      LAG_WINDOW_SECONDS: '0',
      AUDIT_NAME: 'planted',
    };
    const ctx = { getRemainingTimeInMillis: () => 900_000 };
    const emf: string[] = [];
    const deps = { env, emit: (l: string) => emf.push(l) };
    const whole = await auditInvocation({ runId: 'whole' }, ctx, deps);
    expect(emf).toHaveLength(1);
    const ranges = [{ endAt: 'm' }, { startAfter: 'm' }];
    for (const range of ranges) {
      const r = await auditInvocation({ range, runId: 'exec-1', emitMetrics: false }, ctx, deps);
      expect(r.reportKey).toMatch(/^audits\/exec-1\/range-[^/]+\/report\.json$/);
    }
    expect(emf).toHaveLength(1); // ranges of a distributed run leave the metrics to the merge step

    const merged = await auditInvocation({ merge: { runId: 'exec-1', ranges } }, ctx, deps);
    expect(merged.reportKey).toBe('audits/exec-1/report.json');
    expect(merged.summary.counts).toEqual(whole.summary.counts);
    expect(merged.summary.keys).toBe(whole.summary.keys);
    expect(emf).toHaveLength(2);
    expect(JSON.parse(emf[1])).toMatchObject({ Audit: 'planted', Discrepancies: whole.summary.discrepancies });
    const read = async (key: string) =>
      JSON.parse(
        await (
          await standClient('za').send(new GetObjectCommand({ Bucket: reports, Key: key }))
        ).Body!.transformToString(),
      ) as AuditReport & { ranges: { report: string }[] };
    const [one, two] = [await read(whole.reportKey), await read(merged.reportKey)];
    expect(two.discrepancies.map((d) => [d.key, d.kind])).toEqual(one.discrepancies.map((d) => [d.key, d.kind]));
    expect(two.ranges).toHaveLength(2);
    expect(two.range).toEqual({});

    await expect(
      auditInvocation({ merge: { runId: 'exec-1', ranges: [...ranges, { startAfter: 'z' }] } }, ctx, deps),
    ).rejects.toThrow(/cannot be merged: the report of range \{"startAfter":"z"\}/);
  });

  test('within the lag window the fresh source changes are pending, not failures', async () => {
    const { result, records } = await audit({ mode: 'versions', lagWindowSeconds: 3600 });
    // the source wrote missing, size and content last: pending; the replica-side changes are not source changes
    expect(byKind(records)).toEqual({
      pending: ['content', 'missing', 'size'],
      extra: ['extra'],
      'version-mismatch': ['version'],
      'delete-marker-mismatch': ['dm-replica'],
    });
    expect(result.summary.counts.pending).toBe(3);
    expect(result.summary.discrepancies).toBe(3);
  });

  test('a 503 storm through the fault proxy gives the identical report, with retries', async () => {
    const direct = await audit({ mode: 'versions', pageSize: 20 });
    const proxy = await startFaultProxy({ target: za.endpoint!, slowDownRate: 0.3, dropRate: 0, seed: 7 });
    try {
      const stats = new RequestStats();
      const stormy = createS3Client({ region: za.region, endpoint: proxy.endpoint, maxAttempts: 20, stats });
      const storm = await audit({ mode: 'versions', pageSize: 20 }, stormy, stats);
      expect(storm.records).toEqual(direct.records);
      expect(comparable(storm.result.summary)).toEqual(comparable(direct.result.summary));
      expect(storm.result.summary.retries).toBeGreaterThan(0);
      expect(stats.retries).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });
});

describe('a replica produced by multisite replication', () => {
  let bucket: string;
  const objects: [string, string][] = Array.from({ length: 60 }, (_, i) => [
    `d${i % 7}/k${String(i).padStart(4, '0')}`,
    `v${i}`,
  ]);

  beforeAll(async () => {
    bucket = await createBucket('za', { versioned: true });
    created.push(['za', bucket]);
    await putObjects(standClient('za'), bucket, objects);
    await standClient('za').send(new DeleteObjectCommand({ Bucket: bucket, Key: objects[0][0] }));
    // wait until zb lists every version za has (preserved version ids)
    const want = JSON.stringify(await listAllVersions('za', bucket));
    for (let i = 0; i < 120; i++) {
      if (JSON.stringify(await listAllVersions('zb', bucket).catch(() => [])) === want) {
        return;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new Error(`bucket ${bucket} did not replicate to zb within 120 s`);
  });

  test('gives zero discrepancies in both modes through the CLI, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-clean-'));
    const before = await Promise.all([listAllVersions('za', bucket), listAllVersions('zb', bucket)]);
    for (const mode of [[], ['--versions', '--delete-marker-replication']]) {
      const lines: string[] = [];
      const report = join(dir, `r${mode.length}.json`);
      const code = await main(
        [
          'audit',
          '--source',
          `s3://${bucket}`,
          '--replica',
          `s3://${bucket}`,
          '--source-endpoint',
          za.endpoint!,
          '--replica-endpoint',
          zb.endpoint!,
          '--report',
          report,
          ...mode,
        ],
        cliIO(lines),
      );
      expect({ code, lines }).toMatchObject({ code: 0 });
      const r = JSON.parse(readFileSync(report, 'utf8')) as AuditReport;
      expect(r.summary.discrepancies).toBe(0);
      expect(r.discrepancies).toEqual([]);
      expect(r.summary.counts.matched).toBe(mode.length ? 60 : 59);
      expect(lines.join('\n')).toMatch(/the replica is consistent with the source/);
    }
    expect(await Promise.all([listAllVersions('za', bucket), listAllVersions('zb', bucket)])).toEqual(before);
  });

  test('the Lambda adapter audits, writes its report to the reports bucket and emits metrics', async () => {
    // Reports live in the replica region (zb), the side that stays writable when the source is down.
    const reports = await createBucket('zb', { versioned: false });
    created.push(['zb', reports]);
    const emf: string[] = [];
    const result = await auditInvocation(
      {},
      { getRemainingTimeInMillis: () => 900_000 },
      {
        env: {
          SOURCE_BUCKET: bucket,
          REPLICA_BUCKET: bucket,
          REPORTS_BUCKET: reports,
          REPORTS_PREFIX: 'audits/',
          SOURCE_REGION: za.region,
          REPLICA_REGION: zb.region,
          SOURCE_ENDPOINT: za.endpoint,
          REPLICA_ENDPOINT: zb.endpoint,
          MODE: 'versions',
          AUDIT_NAME: 'clean',
        },
        emit: (l) => emf.push(l),
      },
    );
    expect(result.status).toBe('complete');
    expect(result.reportKey).toMatch(/^audits\/.+\/report\.json$/);
    expect(result.summary.discrepancies).toBe(0);
    const keys = (await listAllVersions('zb', reports)).map((v) => v.key);
    expect(keys).toContain(result.reportKey);
    expect(JSON.parse(emf[0])).toMatchObject({ Audit: 'clean', Discrepancies: 0, ObjectsAudited: 60 });
  });
});

describe('the source region goes down mid-run', () => {
  let src: string;
  let dst: string;
  const objects: [string, string][] = Array.from({ length: 1000 }, (_, i) => [
    `k${String(i).padStart(5, '0')}`,
    `x${i}`,
  ]);

  beforeAll(async () => {
    // Separate buckets written directly on each zone: no replication wait needed, nor replication.
    [src, dst] = await Promise.all([
      createBucket('za', { versioned: false, replicated: false }),
      createBucket('zb', { versioned: false, replicated: false }),
    ]);
    created.push(['za', src], ['zb', dst]);
    await Promise.all([
      putObjects(standClient('za'), src, objects),
      putObjects(standClient('zb'), dst, objects.slice(0, 990)),
    ]);
  });

  afterAll(async () => {
    await startZone('za');
  }, ZONE_RESTART_TIMEOUT_MS);

  test(
    'exits 3 with a checkpoint and the resume command; resuming gives the uninterrupted report',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'audit-outage-'));
      const args = (report: string) => [
        'audit',
        '--source',
        `s3://${src}`,
        '--replica',
        `s3://${dst}`,
        '--source-endpoint',
        za.endpoint!,
        '--replica-endpoint',
        zb.endpoint!,
        '--page-size',
        '10',
        '--max-attempts',
        '2',
        '--lag-window',
        '0',
        '--report',
        report,
      ];
      const whole = join(dir, 'whole.json');
      expect(await main(args(whole), cliIO())).toBe(1);

      const lines: string[] = [];
      let stopped = false;
      const onErr = (line: string) => {
        // the first progress line comes after 500 keys: stop the source zone right there (synchronously)
        if (!stopped && line.startsWith('audit: ')) {
          stopped = true;
          execFileSync('bash', [join(__dirname, '../../scripts/stand.sh'), 'stop-zone', 'za'], { stdio: 'ignore' });
        }
      };
      const report = join(dir, 'cut.json');
      let code: number;
      try {
        code = await main(args(report), cliIO(lines, onErr));
      } finally {
        await startZone('za');
      }
      expect(stopped).toBe(true);
      expect(code).toBe(3);
      const text = lines.join('\n');
      expect(text).toMatch(/the source bucket ".+" could not be read after \d+ keys/);
      const resume = /resume with: (cdk-s3-dr audit .+ --resume (\S+))$/m.exec(text);
      expect(resume).not.toBeNull();
      const checkpoint = JSON.parse(readFileSync(resume![2], 'utf8'));
      expect(checkpoint.lastKey).toMatch(/^k\d{5}$/);
      expect(checkpoint.summarySoFar.keys).toBeGreaterThanOrEqual(500);
      expect(checkpoint.summarySoFar.keys).toBeLessThan(1000);

      const resumed = resume![1].split(' ').slice(1); // the printed command, without the program name
      expect(await main(resumed, cliIO())).toBe(1);
      const a = JSON.parse(readFileSync(whole, 'utf8')) as AuditReport;
      const b = JSON.parse(readFileSync(report, 'utf8')) as AuditReport;
      expect(comparable(b.summary)).toEqual(comparable(a.summary));
      expect(b.discrepancies).toEqual(a.discrepancies);
      expect(b.discrepancies.map((d) => [d.key, d.kind])).toEqual(objects.slice(990).map(([k]) => [k, 'missing']));
    },
    ZONE_RESTART_TIMEOUT_MS,
  );
});
