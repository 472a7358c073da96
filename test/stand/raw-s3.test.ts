/**
 * The library's own request path (signed with the SDK's SigV4 signer, listings parsed
 * positionally) must return exactly what the SDK's ListObjectsV2, ListObjectVersions, HeadObject
 * and CopyObject return, keys with awkward characters included, and must be retried and counted
 * like the SDK.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { headInfo, latestVersion } from '../../lambda/audit/lister';
import { RawS3 } from '../../lambda/shared/raw-s3';
import { S3Access } from '../../lambda/shared/s3-access';
import { createS3Client, RequestStats } from '../../lambda/shared/s3-client';
import {
  createBucket,
  emptyAndDeleteBucket,
  standClient,
  standSide,
  startFaultProxy,
  useStandCredentials,
} from '../support/stand';

jest.setTimeout(120_000);
useStandCredentials();

const KEYS = [
  'plain',
  'with space',
  'plus+sign',
  'amp&er<sand>',
  'quote"s\'',
  'uni/\u00e9\u4e2d\u{1F600}',
  'pct%20literal',
  'trailing/',
  '\uE000bmp-private',
];
let bucket: string;

beforeAll(async () => {
  bucket = await createBucket('za', { versioned: true });
  const c = standClient('za');
  for (const k of KEYS) await c.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: `body of ${k}` }));
  await c.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'plain' })); // a delete marker
});
afterAll(async () => {
  await emptyAndDeleteBucket('za', bucket).catch(() => undefined);
});

test('ListObjectsV2: the same keys, sizes, ETags and times as the SDK, page by page', async () => {
  const stats = new RequestStats();
  const client = createS3Client({ ...standSide('za'), stats });
  const raw = RawS3.for(client)!;
  const mine: string[] = [];
  let token: string | undefined;
  do {
    const p = await raw.listObjectsV2({ bucket, maxKeys: 3, continuationToken: token });
    mine.push(...p.entries.map((e) => `${e.key}|${e.size}|${e.etag}|${e.lastModified}`));
    token = p.isTruncated ? p.nextContinuationToken : undefined;
  } while (token);
  const sdk: string[] = [];
  let t2: string | undefined;
  do {
    const o = await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 3, ContinuationToken: t2 }));
    sdk.push(
      ...(o.Contents ?? []).map((c) => `${c.Key}|${c.Size}|${c.ETag!.replace(/"/g, '')}|${c.LastModified!.getTime()}`),
    );
    t2 = o.IsTruncated ? o.NextContinuationToken : undefined;
  } while (t2);
  expect(mine).toEqual(sdk);
  expect(mine).toHaveLength(KEYS.length - 1);
  expect(stats.byOperation.ListObjectsV2Command).toBeGreaterThanOrEqual(6);
});

test('ListObjectVersions: the same versions and delete markers as the SDK, across pages', async () => {
  const client = createS3Client(standSide('za'));
  const raw = RawS3.for(client)!;
  const mine: string[] = [];
  let km: string | undefined;
  let vm: string | undefined;
  for (;;) {
    const p = await raw.listObjectVersions({ bucket, maxKeys: 2, keyMarker: km, versionIdMarker: vm });
    mine.push(...p.entries.map((e) => `${e.key}|${e.versionId}|${e.isDeleteMarker}|${e.isLatest}`));
    if (!p.isTruncated) break;
    km = p.nextKeyMarker;
    vm = p.nextVersionIdMarker;
  }
  const o = await client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  const sdk = [
    ...(o.Versions ?? []).map((v) => ({
      k: `${v.Key}|${v.VersionId}|false|${v.IsLatest}`,
      key: v.Key!,
      t: v.LastModified!.getTime(),
    })),
    ...(o.DeleteMarkers ?? []).map((d) => ({
      k: `${d.Key}|${d.VersionId}|true|${d.IsLatest}`,
      key: d.Key!,
      t: d.LastModified!.getTime(),
    })),
  ];
  expect([...mine].sort()).toEqual(sdk.map((x) => x.k).sort());
  expect(mine.filter((m) => m.includes('|true|'))).toHaveLength(1);
});

test('retries 503 SlowDown and dropped connections and counts every attempt', async () => {
  const proxy = await startFaultProxy({ target: standSide('za').endpoint, slowDownRate: 0.4, dropRate: 0.1, seed: 7 });
  try {
    const stats = new RequestStats();
    const raw = RawS3.for(
      createS3Client({ region: standSide('za').region, endpoint: proxy.endpoint, stats, maxAttempts: 20 }),
    )!;
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const p = await raw.listObjectsV2({ bucket, maxKeys: 2, continuationToken: token });
      keys.push(...p.entries.map((e) => e.key));
      token = p.isTruncated ? p.nextContinuationToken : undefined;
    } while (token);
    expect(keys).toHaveLength(KEYS.length - 1);
    expect(stats.retries).toBeGreaterThan(0);
    expect(stats.requests).toBe(proxy.stats.requests);
  } finally {
    await proxy.close();
  }
});

test('a missing bucket fails at once with the S3 error code as its name', async () => {
  const stats = new RequestStats();
  const raw = RawS3.for(createS3Client({ ...standSide('za'), stats }))!;
  await expect(raw.listObjectsV2({ bucket: 'no-such-bucket-cdk-s3-dr', maxKeys: 10 })).rejects.toMatchObject({
    name: 'NoSuchBucket',
  });
  expect(stats.requests).toBe(1);
});

test('HeadObject: the same ETag and checksums as the SDK, for every awkward key and for a version', async () => {
  const sdk = createS3Client(standSide('za'));
  const raw = S3Access.fromOptions(standSide('za'));
  expect(raw.raw).toBeDefined();
  for (const key of KEYS.filter((k) => k !== 'plain')) {
    const h = await sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    const mine = await headInfo('source', raw, bucket, key, undefined);
    expect(mine.etag).toBe(h.ETag!.replace(/"/g, ''));
    expect(mine.checksums).toEqual(h.ChecksumSHA256 ? { SHA256: h.ChecksumSHA256 } : {});
    const byVersion = await headInfo('source', raw, bucket, key, h.VersionId);
    expect(byVersion.etag).toBe(mine.etag);
  }
});

test('HeadObject: checksum headers become checksums, composite (per-part) ones are left out', async () => {
  // Ceph RGW 16 stores no additional checksums, so a loopback server answers as S3 does.
  const { createServer } = await import('node:http');
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers['x-amz-checksum-mode']}`);
    res.writeHead(200, {
      etag: '"0cc175b9c0f1b6a831c399e269772661"',
      'x-amz-checksum-sha256': 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=',
      'x-amz-checksum-crc32': 'AAAAAA==-3',
      'x-amz-server-side-encryption': 'aws:kms',
    });
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (server.address() as { port: number }).port;
    const access = S3Access.fromOptions({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}` });
    const h = await headInfo('source', access, 'b', 'a key/x', 'v 1');
    expect(h).toEqual({
      etag: '0cc175b9c0f1b6a831c399e269772661',
      sse: 'aws:kms',
      checksums: { SHA256: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' },
    });
    expect(seen).toEqual(['HEAD /b/a%20key/x?versionId=v%201 ENABLED']);
  } finally {
    server.close();
  }
});

test('HeadObject of a missing key is NotFound, named after the side and bucket', async () => {
  const raw = S3Access.fromOptions(standSide('za'));
  const err = await headInfo('replica', raw, bucket, 'no/such key', undefined).catch((e) => e);
  expect(err).toMatchObject({ name: 'SideError', side: 'replica', bucket });
  expect(err.cause).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
});

test('one-key version lookups agree with the SDK path: a delete marker, a live object, nothing', async () => {
  const fromOptions = S3Access.fromOptions(standSide('za'));
  const sdkOnly = createS3Client(standSide('za'));
  for (const key of ['plain', 'plus+sign', 'absent']) {
    const mine = await latestVersion('source', fromOptions, bucket, '', key);
    const o = await sdkOnly.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
    if (key === 'absent') expect(mine).toBeUndefined();
    else if (key === 'plain')
      expect(mine).toMatchObject({ isDeleteMarker: true, versionId: o.DeleteMarkers![0].VersionId });
    else
      expect(mine).toMatchObject({
        isDeleteMarker: false,
        versionId: o.Versions![0].VersionId,
        size: o.Versions![0].Size,
      });
  }
});

test('access described by options builds its SDK client only when asked, with the same settings and counters', async () => {
  const stats = new RequestStats();
  const access = S3Access.fromOptions({ ...standSide('za'), stats });
  await access.raw!.listObjectsV2({ bucket, maxKeys: 1 });
  const client = await access.client();
  expect(await access.client()).toBe(client);
  await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'plus+sign' }));
  expect(stats.byOperation).toMatchObject({ ListObjectsV2Command: 1, HeadObjectCommand: 1 });
});

test('CopyObject: the same bytes, ETag and version ids as the SDK, for every awkward key and for a version', async () => {
  const stats = new RequestStats();
  const client = createS3Client({ ...standSide('za'), stats });
  const raw = RawS3.for(client)!;
  const source = (key: string, versionId?: string) =>
    `${bucket}/${encodeURIComponent(key)}` + (versionId ? `?versionId=${encodeURIComponent(versionId)}` : '');
  for (const key of KEYS.filter((k) => k !== 'plain')) {
    const out = await raw.copyObject(bucket, `copies/${key}`, source(key));
    const sdk = await client.send(
      new CopyObjectCommand({ Bucket: bucket, Key: `sdk-copies/${key}`, CopySource: source(key) }),
    );
    expect(out.etag).toBe(sdk.CopyObjectResult!.ETag);
    expect(typeof out.versionId === 'string').toBe(typeof sdk.VersionId === 'string');
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `copies/${key}` }));
    expect(await got.Body!.transformToString()).toBe(`body of ${key}`);
  }
  // A given version of a key that has a newer one: 'plain' now has only a delete marker on top.
  const versions = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'plain' }));
  const old = versions.Versions!.find((v) => v.Key === 'plain')!;
  await raw.copyObject(bucket, 'copies/plain-old', source('plain', old.VersionId));
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'copies/plain-old' }));
  expect(await got.Body!.transformToString()).toBe('body of plain');
  expect(stats.byOperation.CopyObjectCommand).toBe(2 * (KEYS.length - 1) + 1);
});

test('CopyObject of a missing source is NoSuchKey, thrown with the status', async () => {
  const raw = RawS3.for(createS3Client(standSide('za')))!;
  const err = await raw.copyObject(bucket, 'copies/none', `${bucket}/absent-key`).catch((e: unknown) => e);
  expect(err).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
});
