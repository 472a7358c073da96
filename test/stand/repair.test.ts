/**
 * `cdk-s3-dr repair` against the real stand: planted differences between two buckets of zone za
 * (not replicated to each other, so the differences stay planted), the dry run, --apply,
 * --delete, conflicts, --from-report, the streamed copy, checksums kept by both copy modes and a
 * run killed mid-way then resumed.
 */
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as repairContract from '../../lambda/repair/contract';
import { RepairReport } from '../../lambda/repair/report';
import { BUILT_CLI, cleanEnv, runCli } from '../support/cli';
import {
  createBucket,
  emptyAndDeleteBucket,
  FaultProxyOptions,
  listAllVersions,
  putObjects,
  startFaultProxy,
  standClient,
  standEnv,
  oneZonePairArgs,
  standSide,
  VersionEntry,
} from '../support/stand';

jest.setTimeout(120_000);

const env = standEnv();
process.env.AWS_ACCESS_KEY_ID = env.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = env.secretAccessKey;
const za = standSide('za');
const dir = mkdtempSync(join(tmpdir(), 'repair-stand-'));
const created: string[] = [];
let c: S3Client;

afterAll(async () => {
  for (const b of created) await emptyAndDeleteBucket('za', b).catch(() => undefined);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Listings carry whole seconds on this server: a gap makes "newer" unambiguous. */
const NEWER = 1_200;

/** Both buckets versioned, with `base` written before versioning (version "null" on both, as if replicated). */
async function pair(base: [string, string][]): Promise<[string, string]> {
  const src = await createBucket('za');
  const dst = await createBucket('za');
  created.push(src, dst);
  c = standClient('za');
  await putObjects(c, src, base);
  await putObjects(c, dst, base);
  for (const b of [src, dst])
    await c.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
  return [src, dst];
}

const sides = (src: string, dst: string) => oneZonePairArgs(za, src, dst);

const readReport = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as RepairReport;
const id = (v: VersionEntry) => `${v.key}@${v.versionId}${v.isDeleteMarker ? ' (marker)' : ` ${v.etag}`}`;
const versions = async (bucket: string) => (await listAllVersions('za', bucket)).map(id);
/** Versions in `after` that `before` did not have, by key. */
const added = (before: string[], after: string[]) =>
  after
    .filter((x) => !before.includes(x))
    .map((x) => x.split('@')[0])
    .sort();

async function body(bucket: string, key: string): Promise<string> {
  const out = await c.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString();
}

describe('repair of planted differences (to the replica)', () => {
  let src: string;
  let dst: string;
  const base: [string, string][] = Array.from({ length: 30 }, (_, i) => [
    `same/${String(i).padStart(3, '0')}`,
    `b${i}`,
  ]);
  // The seven differences a repair must write, and only those.
  const toCopy = ['diff/content', 'diff/content-2', 'diff/size', 'diff/size-meta', 'miss/1', 'miss/2', 'miss/meta'];

  beforeAll(async () => {
    [src, dst] = await pair(base);
    // The replica's older versions and the keys only the replica has.
    await putObjects(c, dst, [
      ['diff/size', 'long old body'],
      ['diff/size-meta', 'old'],
      ['diff/content', 'AAAA'],
      ['diff/content-2', 'CCCC'],
      ['extra/1', 'only on the replica'],
      ['extra/2', 'only on the replica too'],
    ]);
    await putObjects(c, src, [['conflict/1', 'source, older']]);
    await sleep(NEWER);
    await putObjects(c, src, [
      ['diff/size', 'new'],
      ['diff/content', 'BBBB'],
      ['diff/content-2', 'DDDD'],
      ['miss/1', 'one'],
      ['miss/2', 'two'],
    ]);
    for (const key of ['miss/meta', 'diff/size-meta']) {
      await c.send(
        new PutObjectCommand({
          Bucket: src,
          Key: key,
          Body: '{"a":1}',
          ContentType: 'application/json',
          CacheControl: 'max-age=60',
          Metadata: { owner: 'team-a', 'build-id': '42' },
          Tagging: 'class=gold&note=a%20b',
        }),
      );
    }
    await sleep(NEWER);
    await putObjects(c, dst, [['conflict/1', 'replica, written later']]);
  });

  test('the dry run prints the plan, writes nothing to either bucket and exits 1', async () => {
    const before = [await versions(src), await versions(dst)];
    const report = join(dir, 'dry.json');
    const run = await runCli(['repair', ...sides(src, dst), '--report', report]);
    expect(run.code).toBe(1);
    expect([await versions(src), await versions(dst)]).toEqual(before);
    const r = readReport(report);
    expect(r.status).toBe('planned');
    expect(r.counts.planned).toMatchObject({ copy: 7, delete: 0, conflict: 1, kept: 2, pending: 0 });
    expect(r.writes).toBe(0);
    expect(
      r.actions
        .filter((a) => a.kind === 'copy')
        .map((a) => a.key)
        .sort(),
    ).toEqual(toCopy);
    expect(run.out).toMatch(/conflict\s+conflict\/1/);
    expect(run.err).toMatch(/dry run, nothing written/);
    // --delete without --apply only shows the deletes.
    const withDelete = await runCli(['repair', ...sides(src, dst), '--delete', '--report', report]);
    expect(withDelete.code).toBe(1);
    expect(readReport(report).counts.planned).toMatchObject({ copy: 7, delete: 2, kept: 0 });
    expect([await versions(src), await versions(dst)]).toEqual(before);
  });

  test('--apply writes exactly the planted differences, keeps metadata, tags and content type, and leaves the conflict', async () => {
    const srcBefore = await versions(src);
    const dstBefore = await versions(dst);
    const conflictBefore = await body(dst, 'conflict/1');
    const report = join(dir, 'apply.json');
    const run = await runCli(['repair', ...sides(src, dst), '--apply', '--report', report]);
    // The conflict and the two replica-only keys remain.
    expect(run.code).toBe(1);
    const r = readReport(report);
    expect(r.counts).toMatchObject({ copied: 7, deleted: 0, changed: 0, alreadyDone: 0, notAttempted: 0 });
    expect(r.writes).toBe(7);
    expect(r.remaining).toBe(3);
    expect(r.copyMode).toBe('server-side');
    // Counted on the bucket: one new version per planted difference, nothing else; the source untouched.
    expect(added(dstBefore, await versions(dst))).toEqual(toCopy);
    expect(await versions(src)).toEqual(srcBefore);
    expect(r.requestsByOperation?.CopyObjectCommand).toBe(7);
    for (const key of toCopy) expect(await body(dst, key)).toBe(await body(src, key));
    expect(await body(dst, 'conflict/1')).toBe(conflictBefore);
    for (const key of ['miss/meta', 'diff/size-meta']) {
      const h = await c.send(new HeadObjectCommand({ Bucket: dst, Key: key }));
      expect([h.ContentType, h.CacheControl, h.Metadata]).toEqual([
        'application/json',
        'max-age=60',
        { owner: 'team-a', 'build-id': '42' },
      ]);
      const tags = await c.send(new GetObjectTaggingCommand({ Bucket: dst, Key: key }));
      expect(tags.TagSet?.map((t) => [t.Key, t.Value]).sort()).toEqual([
        ['class', 'gold'],
        ['note', 'a b'],
      ]);
    }
    // No journal is left behind by a run that completed.
    expect(existsSync(join(dir, 'apply.journal.jsonl'))).toBe(false);

    // A second run finds nothing to copy and writes nothing.
    const again = await runCli(['repair', ...sides(src, dst), '--apply', '--report', report]);
    expect(again.code).toBe(1);
    expect(readReport(report)).toMatchObject({ writes: 0, counts: { planned: { copy: 0, conflict: 1, kept: 2 } } });
  });

  test('--apply --delete removes only the replica-only keys (delete markers) and never the conflict', async () => {
    const dstBefore = await listAllVersions('za', dst);
    const report = join(dir, 'delete.json');
    const run = await runCli(['repair', ...sides(src, dst), '--apply', '--delete', '--report', report]);
    expect(run.code).toBe(1); // the conflict remains
    const r = readReport(report);
    expect(r.counts).toMatchObject({ copied: 0, deleted: 2 });
    expect(r.remaining).toBe(1);
    const after = await listAllVersions('za', dst);
    const markers = after.filter((v) => v.isDeleteMarker && !dstBefore.some((b) => b.versionId === v.versionId));
    expect(markers.map((m) => m.key).sort()).toEqual(['extra/1', 'extra/2']);
    expect(after.length).toBe(dstBefore.length + 2);
    expect(await body(dst, 'conflict/1')).toBe('replica, written later');
    // Nothing left to write: the dry run exits 0 although the conflict stays for a person.
    const dry = await runCli(['repair', ...sides(src, dst), '--delete']);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/conflict\s+conflict\/1/);
  });
});

describe('repair from an audit report, streamed, to the source', () => {
  test('--to source --from-report streams the replica-only writes home with their metadata and tags', async () => {
    const [src, dst] = await pair([['a/1', 'one']]);
    await putObjects(c, dst, [['home/1', 'written during the failover']]);
    await c.send(
      new PutObjectCommand({
        Bucket: dst,
        Key: 'home/meta',
        Body: 'x',
        ContentType: 'text/csv',
        Metadata: { k: 'v' },
        Tagging: 't=1',
      }),
    );
    const audit = join(dir, 'home-audit.json');
    expect((await runCli(['audit', ...sides(src, dst), '--report', audit])).code).toBe(1);
    // The report records where each side was read; the repair works there without being told.
    const at = { region: za.region, endpoint: za.endpoint };
    expect(JSON.parse(readFileSync(audit, 'utf8')).sides).toEqual({ source: at, replica: at });
    const before = await versions(src);
    const report = join(dir, 'home.json');
    const args = [
      'repair',
      '--from-report',
      audit,
      '--to',
      'source',
      '--copy',
      'stream',
      '--apply',
      '--report',
      report,
    ];
    const run = await runCli(args);
    expect(run.code).toBe(0);
    const r = readReport(report);
    expect(r).toMatchObject({ to: 'source', copyMode: 'stream', writes: 2, remaining: 0 });
    expect(r.differencesFrom).toMatch(/home-audit\.json/);
    expect(r.requestsByOperation?.PutObjectCommand).toBe(2);
    expect(r.requestsByOperation?.ListObjectsV2Command).toBeUndefined(); // no audit was run
    expect(added(before, await versions(src))).toEqual(['home/1', 'home/meta']);
    const h = await c.send(new HeadObjectCommand({ Bucket: src, Key: 'home/meta' }));
    expect([h.ContentType, h.Metadata]).toEqual(['text/csv', { k: 'v' }]);
    const tags = await c.send(new GetObjectTaggingCommand({ Bucket: src, Key: 'home/meta' }));
    expect(tags.TagSet).toEqual([{ Key: 't', Value: '1' }]);
    // The stale report again: every write is found done on the source, none is repeated.
    const stale = await runCli([
      ...args,
      '--source-endpoint',
      za.endpoint,
      '--replica-endpoint',
      za.endpoint,
      '--source-region',
      za.region,
      '--replica-region',
      za.region,
    ]);
    expect(stale.code).toBe(0);
    expect(readReport(report).counts).toMatchObject({ copied: 0, alreadyDone: 2 });
    expect(added(before, await versions(src))).toEqual(['home/1', 'home/meta']);
  });
});

/** The base64 SHA-256 of a body: the value S3 keeps as ChecksumSHA256. */
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64');

describe('repair keeps checksums, copied server-side or streamed', () => {
  // Ceph RGW 16 stores no additional checksums: it accepts x-amz-checksum-sha256 on a PUT (without
  // verifying it) and answers HeadObject and GetObject without one, checksum mode on or not. So
  // the pair is reached through proxies in front of zone za that add the source's checksum to its
  // answers, as S3 answers, and record what the repair sends; what the replica keeps is checked
  // where this server can show it: the same HeadObject checksum as the source (none on either
  // here) and the bytes the planted checksum covers.
  const planted: [string, string][] = [
    ['sum/diff', 'BBBB'], // same size as the replica's older 'AAAA': the audit heads both sides
    ['sum/miss', 'only on the source'],
  ];

  async function repairThroughProxies(separateEndpoints: boolean) {
    const [src, dst] = await pair([['a/0', 'zero']]);
    await putObjects(c, dst, [['sum/diff', 'AAAA']]);
    await sleep(NEWER);
    for (const [key, text] of planted)
      await c.send(new PutObjectCommand({ Bucket: src, Key: key, Body: text, ChecksumSHA256: sha256(text) }));
    const writes: { key: string; headers: IncomingHttpHeaders }[] = [];
    const options: FaultProxyOptions = {
      target: za.endpoint,
      beforeForward: (req) => {
        const path = new URL(req.url!, 'http://x').pathname;
        if (req.method === 'PUT' && path.startsWith(`/${dst}/`))
          writes.push({ key: decodeURIComponent(path.slice(dst.length + 2)), headers: req.headers });
      },
      answerHeaders: (req, status) => {
        const path = new URL(req.url!, 'http://x').pathname;
        const text = planted.find(([key]) => path === `/${src}/${key}`)?.[1];
        if (status !== 200 || text === undefined || req.headers['x-amz-checksum-mode'] !== 'ENABLED') return undefined;
        return { 'x-amz-checksum-sha256': sha256(text) };
      },
    };
    const sourceProxy = await startFaultProxy(options);
    const replicaProxy = separateEndpoints ? await startFaultProxy(options) : sourceProxy;
    const report = join(dir, `sums-${separateEndpoints ? 'two' : 'one'}-endpoint.json`);
    try {
      const run = await runCli([
        'repair',
        ...oneZonePairArgs(za, src, dst),
        '--source-endpoint',
        sourceProxy.endpoint,
        '--replica-endpoint',
        replicaProxy.endpoint,
        '--apply',
        '--report',
        report,
      ]);
      expect(run.code).toBe(0);
    } finally {
      await sourceProxy.close();
      if (replicaProxy !== sourceProxy) await replicaProxy.close();
    }
    // What the replica keeps, read from the stand itself.
    for (const [key, text] of planted) {
      const [s, r] = await Promise.all(
        [src, dst].map((b) => c.send(new HeadObjectCommand({ Bucket: b, Key: key, ChecksumMode: 'ENABLED' }))),
      );
      expect(r.ChecksumSHA256).toBe(s.ChecksumSHA256); // both absent on Ceph RGW 16, see above
      expect(sha256(await body(dst, key))).toBe(sha256(text));
    }
    writes.sort((a, b) => a.key.localeCompare(b.key));
    return { report: readReport(report), writes };
  }

  test('server-side (one endpoint): CopyObject names the algorithm the audit saw, else S3 copies the source checksum', async () => {
    const { report, writes } = await repairThroughProxies(false);
    expect(report).toMatchObject({ copyMode: 'server-side', writes: 2, remaining: 0 });
    expect(
      writes.map((w) => [w.key, typeof w.headers['x-amz-copy-source'], w.headers['x-amz-checksum-algorithm']]),
    ).toEqual([
      ['sum/diff', 'string', 'SHA256'],
      // No HeadObject of a missing key: without the header S3 copies the source's checksum as it is.
      ['sum/miss', 'string', undefined],
    ]);
  });

  test('streamed (two endpoints): each PUT carries the checksum the source answered with', async () => {
    const { report, writes } = await repairThroughProxies(true);
    expect(report).toMatchObject({ copyMode: 'stream', writes: 2, remaining: 0 });
    expect(writes.map((w) => [w.key, w.headers['x-amz-copy-source'], w.headers['x-amz-checksum-sha256']])).toEqual(
      planted.map(([key, text]) => [key, undefined, sha256(text)]),
    );
  });
});

describe('an interrupted repair', () => {
  test('killed mid-way, the same command resumes from the journal: no copy repeated, same end state', async () => {
    const n = 150;
    const [src, dst] = await pair([['a/0', 'zero']]);
    const keys = Array.from({ length: n }, (_, i) => `k/${String(i).padStart(4, '0')}`);
    await putObjects(
      c,
      src,
      keys.map((k): [string, string] => [k, `body of ${k}`]),
    );
    const audit = join(dir, 'kill-audit.json');
    expect((await runCli(['audit', ...sides(src, dst), '--report', audit])).code).toBe(1);
    const journal = join(dir, 'kill.journal.jsonl');
    const report = join(dir, 'kill.json');
    const args = [
      'repair',
      '--from-report',
      audit,
      '--source-endpoint',
      za.endpoint,
      '--replica-endpoint',
      za.endpoint,
      '--source-region',
      za.region,
      '--replica-region',
      za.region,
      '--apply',
      '--concurrency',
      '1',
      '--journal',
      journal,
      '--report',
      report,
    ];
    const childEnv = cleanEnv({ AWS_ACCESS_KEY_ID: env.accessKeyId, AWS_SECRET_ACCESS_KEY: env.secretAccessKey });
    const child: ChildProcess = spawn(process.execPath, [BUILT_CLI, ...args], { env: childEnv, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, s) => r(s)));
    // The journal has a line before each write leaves and one once it is certain: count the latter.
    const finished = () =>
      existsSync(journal)
        ? readFileSync(journal, 'utf8')
            .split('\n')
            .filter((l) => l.includes('"outcome"')).length
        : 0;
    while (finished() < 20 && child.exitCode === null) await sleep(5);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const copiedBeforeKill = (await listAllVersions('za', dst)).filter((v) => v.key.startsWith('k/')).length;
    expect(copiedBeforeKill).toBeGreaterThanOrEqual(20);
    expect(copiedBeforeKill).toBeLessThan(n);

    const resumed = await runCli(args);
    expect(resumed.code).toBe(0);
    expect(resumed.err).toMatch(/resuming the interrupted repair/);
    const r = readReport(report);
    // Every key once: what the killed run copied is not copied again. The one copy in flight when
    // the process died may still complete on the server after the listing above: the journal sent
    // it without an outcome, so the resumed run checks it last, once it has had time to land (this
    // Ceph ignores If-None-Match, the guard S3 itself would apply), and finds it already done. It
    // copies what was missing at the listing, or one fewer.
    expect(r.counts.copied + r.counts.alreadyDone).toBe(n);
    expect(r.counts.copied).toBeLessThanOrEqual(n - copiedBeforeKill);
    expect(r.counts.copied).toBeGreaterThanOrEqual(n - copiedBeforeKill - 1);
    const after = (await listAllVersions('za', dst)).filter((v) => v.key.startsWith('k/'));
    expect(after.map((v) => v.key)).toEqual(keys);
    expect(existsSync(journal)).toBe(false);
    expect((await runCli(['repair', ...sides(src, dst)])).code).toBe(0);
  });
});

describe('the repair Lambda handler', () => {
  test('plans without writing, then applies, through the same core', async () => {
    const { handler } = await import('../../lambda/repair/index');
    const [src, dst] = await pair([['a/1', 'one']]);
    await putObjects(c, src, [
      ['l/1', 'one'],
      ['l/2', 'two'],
    ]);
    const event = {
      source: { bucket: src, region: za.region, endpoint: za.endpoint },
      replica: { bucket: dst, region: za.region, endpoint: za.endpoint },
      lagWindowSeconds: 0,
    };
    const before = await versions(dst);
    const planned = await handler(event, { getRemainingTimeInMillis: () => 300_000 });
    expect(planned).toMatchObject({ status: 'planned', exitCode: 1, writes: 0, counts: { planned: { copy: 2 } } });
    expect(await versions(dst)).toEqual(before);
    const applied = await handler({ ...event, apply: true }, { getRemainingTimeInMillis: () => 300_000 });
    expect(applied).toMatchObject({ status: 'complete', exitCode: 0, writes: 2, remaining: 0 });
    expect(applied.actions.map((a) => [a.key, a.outcome])).toEqual([
      ['l/1', 'copied'],
      ['l/2', 'copied'],
    ]);
    expect(added(before, await versions(dst))).toEqual(['l/1', 'l/2']);
    // A Lambda about to time out starts no write: partial, and invoking again completes it.
    await putObjects(c, src, [['l/3', 'three']]);
    const late = await handler({ ...event, apply: true }, { getRemainingTimeInMillis: () => 1_000 });
    expect(late).toMatchObject({ status: 'partial', exitCode: 1, writes: 0, counts: { notAttempted: 1 } });
    const again = await handler({ ...event, apply: true }, { getRemainingTimeInMillis: () => 300_000 });
    expect(again).toMatchObject({ status: 'complete', writes: 1 });
  });

  test('deployed by ReplicationRepair: repairs the pair and side of its environment, and refuses anything else before a request', async () => {
    const { handler } = await import('../../lambda/repair/index');
    const [src, dst] = await pair([['d/1', 'one']]);
    await putObjects(c, dst, [
      ['d/2', 'written during a failover'],
      ['d/3', 'also'],
    ]);
    const env = repairContract.toEnv({
      source: { bucket: src, region: za.region, prefix: 'd/', endpoint: za.endpoint },
      replica: { bucket: dst, region: za.region, prefix: 'd/', endpoint: za.endpoint },
      to: 'source',
      allowDelete: false,
      lagWindowSeconds: 0,
      mode: 'current',
    });
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const before = [await versions(src), await versions(dst)];
      // The other side, a delete or another pair: refused, and nothing read or written.
      await expect(handler({ apply: true, to: 'replica' }, undefined)).rejects.toThrow(
        /this function writes only to the source/,
      );
      await expect(handler({ apply: true, delete: true }, undefined)).rejects.toThrow(/deployed without allowDelete/);
      await expect(
        handler({ apply: true, source: { bucket: 'another-bucket', region: za.region } }, undefined),
      ).rejects.toThrow(/is not this function's source/);
      expect([await versions(src), await versions(dst)]).toEqual(before);
      // `{ "apply": true }` is the whole event: the writes of the failover come home to the source.
      const applied = await handler({ apply: true }, { getRemainingTimeInMillis: () => 300_000 });
      expect(applied).toMatchObject({ status: 'complete', exitCode: 0, writes: 2, to: 'source' });
      expect(added(before[0], await versions(src))).toEqual(['d/2', 'd/3']);
      expect(await versions(dst)).toEqual(before[1]);
      expect(await body(src, 'd/2')).toBe('written during a failover');
    } finally {
      for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});
