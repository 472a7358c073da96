/**
 * The loopback fault-injecting proxy in front of zone za: injected 503 SlowDown answers and dropped
 * connections are retried by clients built with `createS3Client`, results equal a direct run, and
 * the proxy's counters add up.
 */
import { ListObjectsV2Command, ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import { RequestStats } from '../../lambda/shared/s3-client';
import {
  createBucket,
  emptyAndDeleteBucket,
  FaultProxy,
  putObjects,
  standClient,
  standSide,
  startFaultProxy,
} from '../support/stand';

jest.setTimeout(180_000);

const KEYS = Array.from({ length: 2500 }, (_, i) => `obj/${String(i).padStart(5, '0')}`);
let bucket: string;
const proxies: FaultProxy[] = [];

async function proxy(opts: Omit<Parameters<typeof startFaultProxy>[0], 'target'>): Promise<FaultProxy> {
  const p = await startFaultProxy({ target: standSide('za').endpoint, ...opts });
  proxies.push(p);
  return p;
}

async function listKeys(client: S3Client, maxKeys = 1000): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, MaxKeys: maxKeys, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

beforeAll(async () => {
  bucket = await createBucket('za', { replicated: false }); // read through za only
  await putObjects(standClient('za'), bucket, KEYS);
});

afterEach(async () => {
  while (proxies.length) await proxies.pop()!.close();
});

afterAll(async () => {
  if (bucket) await emptyAndDeleteBucket('za', bucket);
});

test('with 30% 503 SlowDown, a 2,500-key listing through the proxy equals the direct listing', async () => {
  const direct = await listKeys(standClient('za'));
  expect(direct).toEqual(KEYS);
  const p = await proxy({ slowDownRate: 0.3, seed: 42 });
  const stats = new RequestStats();
  const viaProxy = await listKeys(standClient('za', { endpoint: p.endpoint, stats }), 100);
  expect(viaProxy).toEqual(direct);
  expect(p.stats.injected.slowDown).toBeGreaterThan(0);
  expect(p.stats.injected.drop).toBe(0);
  expect(p.stats.requests).toBe(p.stats.forwarded + p.injectedTotal());
  expect(p.stats.forwarded).toBe(25);
  // Every injected fault cost the client one retry, and the client saw every request the proxy did.
  expect(stats.operations).toBe(25);
  expect(stats.retries).toBe(p.injectedTotal());
  expect(stats.requests).toBe(p.stats.requests);
});

test('dropped connections are retried and the listing is still complete', async () => {
  const p = await proxy({ dropRate: 0.25, seed: 7 });
  const stats = new RequestStats();
  expect(await listKeys(standClient('za', { endpoint: p.endpoint, stats }), 250)).toEqual(KEYS);
  expect(p.stats.injected.drop).toBeGreaterThan(0);
  expect(p.stats.injected.slowDown).toBe(0);
  expect(p.stats.requests).toBe(p.stats.forwarded + p.injectedTotal());
  expect(stats.retries).toBeGreaterThanOrEqual(p.stats.injected.drop);
});

test('slow responses are delayed, then forwarded', async () => {
  const p = await proxy({ slowRate: 1, slowMs: 50, seed: 3 });
  expect(await listKeys(standClient('za', { endpoint: p.endpoint }))).toEqual(KEYS);
  expect(p.stats.delayed).toBe(3);
  expect(p.stats.forwarded).toBe(3);
  expect(p.injectedTotal()).toBe(0);
});

test('a rate of 1.0 makes the client give up after maxAttempts with the SlowDown error', async () => {
  const p = await proxy({ slowDownRate: 1 });
  const client = standClient('za', { endpoint: p.endpoint, maxAttempts: 3 });
  const err = await client.send(new ListObjectsV2Command({ Bucket: bucket })).then(
    () => undefined,
    (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number; attempts?: number } },
  );
  expect(err).toBeDefined();
  expect(err!.name).toBe('SlowDown');
  expect(err!.message).toBe('Please reduce your request rate.');
  expect(err!.$metadata?.httpStatusCode).toBe(503);
  expect(err!.$metadata?.attempts).toBe(3);
  expect(p.stats).toMatchObject({ requests: 3, forwarded: 0, injected: { slowDown: 3, drop: 0 } });
});

test('setFaults changes the rates mid-run', async () => {
  const p = await proxy({ slowDownRate: 1 });
  const client = standClient('za', { endpoint: p.endpoint, maxAttempts: 1 });
  await expect(client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }))).rejects.toThrow(
    'Please reduce your request rate.',
  );
  p.setFaults({ slowDownRate: 0 });
  const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
  expect(out.Contents?.map((o) => o.Key)).toEqual([KEYS[0]]);
  expect(p.stats).toMatchObject({ requests: 2, forwarded: 1, injected: { slowDown: 1, drop: 0 } });
  expect(() => p.setFaults({ dropRate: 1.5 })).toThrow('fault proxy option dropRate must be between 0 and 1, got 1.5');
});

test('the same seed injects the same faults', async () => {
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const p = await proxy({ slowDownRate: 0.05, dropRate: 0.2, seed: 99 });
    await listKeys(standClient('za', { endpoint: p.endpoint }), 200);
    runs.push({ ...p.stats, injected: { ...p.stats.injected } });
  }
  expect(runs[0].injected.slowDown + runs[0].injected.drop).toBeGreaterThan(0);
  expect(runs[1]).toEqual(runs[0]);
});
