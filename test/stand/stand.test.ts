/**
 * The stand itself: what the handler tests rely on (replication between zones with preserved
 * version ids and ETags, overwrites and delete markers replicate, planted differences stay,
 * SSE-KMS with the testing key, Object Lock).
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectRetentionCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import {
  createBucket,
  disableBucketSync,
  emptyAndDeleteBucket,
  listAllVersions,
  putObjects,
  standClient,
  standEnv,
  VersionEntry,
  waitForReplication,
  Zone,
} from '../support/stand';

jest.setTimeout(120_000);

const za = standClient('za');
const zb = standClient('zb');
const created: [Zone, string][] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function bucket(zone: Zone, opts: { versioned?: boolean; objectLock?: boolean } = {}): Promise<string> {
  const name = await createBucket(zone, opts);
  created.push([zone, name]);
  return name;
}

async function keys(client: S3Client, b: string): Promise<string[]> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: b }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(300);
  }
}

const summary = (vs: VersionEntry[]) => vs.map((v) => `${v.key}@${v.versionId}:${v.isDeleteMarker ? 'dm' : v.etag}`);

afterAll(async () => {
  for (const [zone, b] of created) await emptyAndDeleteBucket(zone, b);
});

describe('two-zone replication', () => {
  test('an object written through za appears on zb with the same version id and etag', async () => {
    const b = await bucket('za', { versioned: true });
    const [put] = await putObjects(za, b, [['doc.txt', 'hello stand']]);
    expect(put.versionId).toBeTruthy();
    await waitForReplication(b, ['doc.txt']);
    const head = await zb.send(new HeadObjectCommand({ Bucket: b, Key: 'doc.txt', VersionId: put.versionId }));
    expect(head.ETag).toBe(put.etag);
    expect(head.VersionId).toBe(put.versionId);
    const got = await zb.send(new GetObjectCommand({ Bucket: b, Key: 'doc.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello stand');
  });

  test('overwrites and delete markers replicate with their version ids', async () => {
    const b = await bucket('za', { versioned: true });
    const [v1] = await putObjects(za, b, [['k', 'one']]);
    const [v2] = await putObjects(za, b, [['k', 'two']]);
    const del = await za.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
    expect(del.DeleteMarker).toBe(true);
    const onZb = await waitForReplication(b, ['k']);
    expect(onZb.map((v) => [v.versionId, v.isDeleteMarker, v.isLatest])).toEqual([
      [del.VersionId, true, true],
      [v2.versionId, false, false],
      [v1.versionId, false, false],
    ]);
    expect(summary(onZb)).toEqual(summary(await listAllVersions('za', b)));
    expect(await keys(zb, b)).toEqual([]);
  });

  test('two buckets, one written through zb directly, keep their planted differences', async () => {
    const src = await bucket('za');
    const dst = await bucket('zb');
    await Promise.all([
      putObjects(za, src, [
        ['same', 'x'],
        ['missing', 'm'],
        ['changed', 'before'],
      ]),
      putObjects(zb, dst, [
        ['same', 'x'],
        ['extra', 'e'],
        ['changed', 'after!'],
      ]),
    ]);
    // Both buckets replicate both ways (src to zb, dst to za); once settled, the differences are
    // still there on both zones.
    await waitForReplication(src, ['same', 'missing', 'changed']);
    await waitUntil(async () => (await keys(za, dst)).length === 3);
    for (const client of [za, zb]) {
      expect(await keys(client, src)).toEqual(['changed', 'missing', 'same']);
      expect(await keys(client, dst)).toEqual(['changed', 'extra', 'same']);
      const [a, b] = await Promise.all([
        client.send(new HeadObjectCommand({ Bucket: src, Key: 'changed' })),
        client.send(new HeadObjectCommand({ Bucket: dst, Key: 'changed' })),
      ]);
      expect(a.ContentLength).toBe(6);
      expect(b.ContentLength).toBe(6);
      expect(a.ETag).not.toBe(b.ETag);
    }
  });

  test('with bucket sync disabled, writes through za stay off zb', async () => {
    const b = await bucket('za', { versioned: true });
    await putObjects(za, b, ['before']);
    await waitForReplication(b, ['before']);
    await disableBucketSync(b);
    await putObjects(za, b, ['planted-missing']);
    // No replication wait can prove an absence; give sync far longer than it needs (0.3-2.3 s).
    await sleep(6000);
    expect(await keys(za, b)).toEqual(['before', 'planted-missing']);
    expect(await keys(zb, b)).toEqual(['before']);
  });
});

describe('server features the handlers use', () => {
  test('SSE-KMS with the testing key: stored encrypted and read back; the etag is the plaintext md5 (unlike S3)', async () => {
    const b = await bucket('za');
    const body = 'secret payload';
    const put = await za.send(
      new PutObjectCommand({
        Bucket: b,
        Key: 'enc',
        Body: body,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: standEnv().kmsKeyId,
      }),
    );
    expect(put.ServerSideEncryption).toBe('aws:kms');
    const head = await za.send(new HeadObjectCommand({ Bucket: b, Key: 'enc' }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toBe(standEnv().kmsKeyId);
    const md5 = createHash('md5').update(body).digest('hex');
    // Unlike S3 (where an SSE-KMS object's ETag is not the MD5 of its data), RGW 16 returns the
    // plaintext MD5: code that must not trust SSE-KMS ETags cannot be proven right by the stand's ETags.
    expect(put.ETag).toBe(`"${md5}"`);
    expect(head.ETag).toBe(`"${md5}"`);
    const got = await za.send(new GetObjectCommand({ Bucket: b, Key: 'enc' }));
    expect(await got.Body!.transformToString()).toBe(body);
  });

  test('object lock: a bucket created with it has it enabled and blocks deleting a retained version', async () => {
    const b = await bucket('za', { objectLock: true });
    const lock = await za.send(new GetObjectLockConfigurationCommand({ Bucket: b }));
    expect(lock.ObjectLockConfiguration?.ObjectLockEnabled).toBe('Enabled');
    const [v] = await putObjects(za, b, [['held', 'x']]);
    await za.send(
      new PutObjectRetentionCommand({
        Bucket: b,
        Key: 'held',
        VersionId: v.versionId,
        Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 3600_000) },
      }),
    );
    await expect(
      za.send(new DeleteObjectCommand({ Bucket: b, Key: 'held', VersionId: v.versionId })),
    ).rejects.toThrow();
    // emptyAndDeleteBucket bypasses governance retention in afterAll.
  });
});
