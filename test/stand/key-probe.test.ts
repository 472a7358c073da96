/**
 * The first-run sample against the real server. The partition tests plan from an in-memory listing
 * (`listingOf` in test/support/key-space.ts) that answers StartAfter, Delimiter and Prefix the way
 * ListObjectsV2 does; here every probe a sample sends is also sent to the stand, through the
 * planner's own probe (raw signed requests, and the SDK for a client not made by the library), and
 * the two answers must agree. The server may end a page early (radosgw does, reading its index
 * shards in chunks; ListObjectsV2 promises up to 1,000 entries), so a page from the stand must be
 * the start of the in-memory page, and truncated when shorter. A dated layout makes the sample step
 * down through single folders with Prefix (logs/, logs/2026/) and list the days of the last and
 * first month (logs/2026/12/, logs/2026/01/), so those requests are checked too;
 * the plan from the stand must cover every key once, and equal the plan from memory when no page
 * came back short.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { KeyProbe, KeySpaceSample, planFromSample, ProbePage, sampleKeySpace } from '../../lambda/audit/core';
import { keyProbe } from '../../lambda/audit/planner';
import { keyLayouts, listingOf, rangeSizes, sortedKeys } from '../support/key-space';
import {
  createBucket,
  emptyAndDeleteBucket,
  putObjects,
  standClient,
  standEnv,
  standSide,
  useStandCredentials,
} from '../support/stand';

jest.setTimeout(300_000);
useStandCredentials();

/**
 * 1,200 keys over a year of days, later days busier, one counter across them
 * (logs/2026/MM/DD/NNNNNNN.gz): more than a page, so the sample lists by delimiter and steps down.
 */
const keys = sortedKeys(keyLayouts(1200)['dated logs, later days busier']);
let bucket: string;

beforeAll(async () => {
  bucket = await createBucket('za', { replicated: false }); // listed through za only
  await putObjects(standClient('za'), bucket, keys);
});

afterAll(async () => {
  if (bucket) await emptyAndDeleteBucket('za', bucket).catch(() => undefined);
});

interface Call {
  readonly args: Parameters<KeyProbe>;
  readonly stand: ProbePage;
  readonly memory: ProbePage;
}

const entries = (p: ProbePage) => p.keys.length + (p.prefixes?.length ?? 0);

/** The stand's page is the in-memory page, or its start with IsTruncated; true when it is shorter. */
function expectAgree({ args, stand, memory }: Call): boolean {
  const short = entries(stand) < entries(memory);
  if (!short) {
    expect({ args, page: stand }).toEqual({ args, page: memory });
    return false;
  }
  expect({ args, entries: entries(stand) > 0, truncated: stand.truncated }).toEqual({
    args,
    entries: true,
    truncated: true,
  });
  expect({ args, keys: stand.keys }).toEqual({ args, keys: memory.keys.slice(0, stand.keys.length) });
  const prefixes = stand.prefixes ?? [];
  expect({ args, prefixes }).toEqual({ args, prefixes: (memory.prefixes ?? []).slice(0, prefixes.length) });
  return true;
}

/** The sample from the stand plans every key into exactly one range; the same plan as in memory when no page was short. */
async function expectPlan(sample: KeySpaceSample, keyList: readonly string[], anyShort: boolean) {
  const plan = planFromSample(sample, 4);
  expect(plan.ranges).toHaveLength(4);
  expect(rangeSizes(keyList, plan.ranges).reduce((a, b) => a + b, 0)).toBe(keyList.length);
  if (!anyShort) {
    const inMemory = await sampleKeySpace(listingOf(keyList).probe);
    expect(sample).toEqual(inMemory);
    expect(plan).toEqual(planFromSample(inMemory, 4));
  }
}

/** A probe that asks the stand and the in-memory listing the same question, answering with the stand's page. */
function bothProbes(real: KeyProbe, memory: KeyProbe): { probe: KeyProbe; calls: Call[] } {
  const calls: Call[] = [];
  const probe: KeyProbe = async (...args) => {
    const [stand, mem] = await Promise.all([real(...args), memory(...args)]);
    calls.push({ args, stand, memory: mem });
    return stand;
  };
  return { probe, calls };
}

/** The SDK client a user might pass (not made by the library's createS3Client: no raw path). */
function sdkClient(): S3Client {
  const side = standSide('za');
  const env = standEnv();
  return new S3Client({
    region: side.region,
    endpoint: side.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
  });
}

describe.each([
  ['raw signed requests', () => standClient('za')],
  ['the SDK', sdkClient],
])('the sample of a dated layout, through %s', (_, client) => {
  test('every probe gets the in-memory page or its start, the sample steps down with Prefix, and the plan covers every key once', async () => {
    const real = keyProbe({ client: client(), side: 'source', bucket, prefix: '' });
    const { probe, calls } = bothProbes(real, listingOf(keys).probe);
    const sample = await sampleKeySpace(probe);

    expect(calls.length).toBe(sample.requests);
    const short = calls.map(expectAgree).some(Boolean);
    // It stepped down through the single folders with Prefix, to the months, then listed the days
    // of the last month and of the first.
    const prefixed = calls.filter((c) => c.args[2] !== undefined).map((c) => c.args[2]);
    expect(prefixed).toEqual(['logs/', 'logs/2026/', 'logs/2026/12/', 'logs/2026/01/']);
    expect(calls.find((c) => c.args[2] === 'logs/')!.stand.prefixes).toEqual(['logs/2026/']);
    expect(calls.find((c) => c.args[2] === 'logs/2026/')!.stand.prefixes).toHaveLength(12);
    expect(calls.find((c) => c.args[2] === 'logs/2026/01/')!.stand.prefixes?.length).toBeGreaterThan(0);

    // What a sample of another bucket may also send (a start inside a month under its Prefix, a
    // start before the Prefix, a folder that holds nothing): the same pages as in memory.
    const memory = listingOf(keys).probe;
    const firstOfMarch = keys.find((k) => k.startsWith('logs/2026/03/'))!;
    for (const args of [
      [firstOfMarch, undefined, 'logs/2026/03/'],
      ['logs/2026/02/', '/', 'logs/2026/03/'],
      ['a', undefined, 'logs/2026/11/'],
      [undefined, '/', 'logs/2027/'],
    ] as Parameters<KeyProbe>[]) {
      expectAgree({ args, stand: await real(...args), memory: await memory(...args) });
    }

    await expectPlan(sample, keys, short);
  });
});

test('under an audited prefix, the probe sends the prefix and the sub-prefix joined and answers relative keys', async () => {
  const real = keyProbe({ client: standClient('za'), side: 'source', bucket, prefix: 'logs/' });
  const relative = keys.map((k) => k.slice('logs/'.length));
  const { probe, calls } = bothProbes(real, listingOf(relative).probe);
  const sample = await sampleKeySpace(probe);
  const short = calls.map(expectAgree).some(Boolean);
  expect(calls.filter((c) => c.args[2] === '2026/')).toHaveLength(1);
  await expectPlan(sample, relative, short);
});
