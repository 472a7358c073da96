/**
 * The audit's own listing path (signed with the SDK's SigV4 signer, parsed positionally) must
 * return exactly what the SDK's ListObjectsV2 and ListObjectVersions return, keys with awkward
 * characters included, and must be retried and counted like the SDK.
 */
import {
  DeleteObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { RawLister } from '../../lambda/shared/raw-list';
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
  const raw = RawLister.for(client)!;
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
  const raw = RawLister.for(client)!;
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
    const raw = RawLister.for(
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
  const raw = RawLister.for(createS3Client({ ...standSide('za'), stats }))!;
  await expect(raw.listObjectsV2({ bucket: 'no-such-bucket-cdk-s3-dr', maxKeys: 10 })).rejects.toMatchObject({
    name: 'NoSuchBucket',
  });
  expect(stats.requests).toBe(1);
});
