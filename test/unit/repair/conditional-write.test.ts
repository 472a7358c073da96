/**
 * A repair's write against another write that lands between its HEAD and its own request (the
 * last write of a killed run still carried out by the server, replication, a third party), on
 * moto's S3 server. moto 5.2 honours `If-None-Match: *` on PutObject (the streamed copy) as S3
 * does, but not on CopyObject, which S3 documents it honours too: the server-side copy is checked
 * for the header it sends. The Ceph release of the stand ignores the header on both
 * (test/stand/repair.test.ts covers what the journal does there). The racing write is made by a
 * middleware on the repair's own replica client, just before the repair's request leaves: a real
 * request to the real server, not a stand-in.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  actionId,
  IN_DOUBT_SETTLE_MS,
  JournalEntry,
  JournalSent,
  WriteAction,
} from '../../../lambda/repair/core/apply';
import { runRepair, RepairRunOptions } from '../../../lambda/repair/run-repair';
import { createS3Client } from '../../../lambda/shared/s3-client';
import { MotoServer } from '../../support/moto';

jest.setTimeout(60_000);

const REGION = 'us-east-1';
let moto: MotoServer;
let s3: S3Client;
let n = 0;
const saved = { ...process.env };

beforeAll(async () => {
  moto = await MotoServer.start();
  // The repair's own clients (the audit's among them) read credentials from the environment.
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey;
  s3 = client();
});
afterAll(async () => {
  await moto?.close();
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  Object.assign(process.env, saved);
});

function client(): S3Client {
  return createS3Client({ region: REGION, endpoint: moto.endpoint, maxAttempts: 1 });
}

async function versionedPair(keys: [string, string][]): Promise<[string, string]> {
  n++;
  const [src, dst] = [`src-${n}`, `dst-${n}`];
  for (const b of [src, dst]) {
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
  }
  for (const [k, body] of keys) await s3.send(new PutObjectCommand({ Bucket: src, Key: k, Body: body }));
  return [src, dst];
}

const options = (src: string, dst: string): RepairRunOptions => ({
  source: { bucket: src, prefix: '', region: REGION, endpoint: moto.endpoint },
  replica: { bucket: dst, prefix: '', region: REGION, endpoint: moto.endpoint },
  to: 'replica',
  delete: false,
  apply: true,
  copy: 'server-side',
  audit: { lagWindowSeconds: 0 },
  maxAttempts: 1,
});

/** A replica client that writes `body` to `key` itself just before its own PutObject of that key leaves. */
function racingReplicaClient(key: string, body: string): S3Client {
  const c = client();
  const racer = client();
  c.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Bucket?: string; Key?: string };
      if (context.commandName === 'PutObjectCommand' && input.Key === key)
        await racer.send(new PutObjectCommand({ Bucket: input.Bucket, Key: key, Body: body }));
      return next(args);
    },
    { step: 'initialize', name: 'raceBeforeWrite' },
  );
  return c;
}

async function versionsOf(bucket: string, key: string): Promise<number> {
  const out = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return (out.Versions ?? []).filter((v) => v.Key === key).length;
}

const bodyOf = async (bucket: string, key: string) =>
  (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();

describe('a copy raced by another write to the same key', () => {
  const streamed = (src: string, dst: string): RepairRunOptions => ({ ...options(src, dst), copy: 'stream' });

  test('the same object landed first: already done, and no second version', async () => {
    const [src, dst] = await versionedPair([['k', 'the body']]);
    const r = await runRepair(streamed(src, dst), { replicaClient: racingReplicaClient('k', 'the body') });
    expect(r.results.map((x) => [x.key, x.outcome])).toEqual([['k', 'already-done']]);
    expect(r.counts).toMatchObject({ copied: 0, alreadyDone: 1 });
    expect(await versionsOf(dst, 'k')).toBe(1);
  });

  test('something else landed first: reported changed, and not overwritten', async () => {
    const [src, dst] = await versionedPair([['k', 'the body']]);
    const warn = jest.spyOn(console, 'warn');
    const r = await runRepair(streamed(src, dst), { replicaClient: racingReplicaClient('k', 'a newer body') });
    // The SDK's default logger would print a warning for the refused PUT: the outcome says it all.
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(r.results.map((x) => [x.key, x.outcome])).toEqual([['k', 'changed']]);
    expect(r.counts).toMatchObject({ copied: 0, changed: 1 });
    expect(await versionsOf(dst, 'k')).toBe(1);
    expect(await bodyOf(dst, 'k')).toBe('a newer body');
  });

  test('the server-side copy sends the same condition where nothing was there, none where it replaces an object or a delete marker', async () => {
    // The replica's versions first: a source version the repair copies is never older than the
    // one it replaces (written the other way round, the two could fall in different seconds, and
    // a newer replica version is a conflict the repair leaves alone).
    const [src, dst] = await versionedPair([]);
    await s3.send(new PutObjectCommand({ Bucket: dst, Key: 'old', Body: 'the old body' }));
    await s3.send(new PutObjectCommand({ Bucket: dst, Key: 'gone', Body: 'a body' }));
    await s3.send(new DeleteObjectCommand({ Bucket: dst, Key: 'gone' }));
    for (const [k, body] of [
      ['new', 'the body'],
      ['old', 'the new body'],
      ['gone', 'a body'],
    ])
      await s3.send(new PutObjectCommand({ Bucket: src, Key: k, Body: body }));
    const sent: Record<string, string | undefined> = {};
    const replica = client();
    replica.middlewareStack.add(
      (next, context) => async (args) => {
        const req = args.request as { headers: Record<string, string>; path: string };
        if (context.commandName === 'CopyObjectCommand')
          sent[req.path.split('/').pop()!] = req.headers['if-none-match'];
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordHeaders' },
    );
    const r = await runRepair(options(src, dst), { replicaClient: replica });
    expect(r.counts).toMatchObject({ copied: 3 });
    expect(sent).toEqual({ new: '*', old: undefined, gone: undefined });
    expect(await versionsOf(dst, 'new')).toBe(1);
    expect(await bodyOf(dst, 'old')).toBe('the new body');
  });
});

describe('a resumed run and the writes its predecessor left in flight', () => {
  test('are checked last, no sooner than the settle time after they were sent; each write is journaled before it leaves', async () => {
    const [src, dst] = await versionedPair([
      ['a', 'one'],
      ['b', 'two'],
      ['c', 'three'],
    ]);
    // A dry run plans the same writes, and journals nothing.
    const dry: (JournalEntry | JournalSent)[] = [];
    const planned = await runRepair({ ...options(src, dst), apply: false }, { journal: (e) => dry.push(e) });
    expect(planned.counts.notAttempted).toBe(3);
    expect(dry).toEqual([]);
    const idOf = (key: string) => actionId(planned.plan.actions.find((a) => a.key === key) as WriteAction);

    const events: string[] = [];
    const replica = client();
    replica.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'CopyObjectCommand') events.push(`request ${(args.input as { Key: string }).Key}`);
        return next(args);
      },
      { step: 'initialize', name: 'recordCopies' },
    );
    const now = Date.parse('2026-12-07T12:00:00.000Z');
    const slept: number[] = [];
    const keyOf = (id: string) => (JSON.parse(id) as string[])[1];
    const r = await runRepair(
      { ...options(src, dst), concurrency: 1 },
      {
        replicaClient: replica,
        clock: () => now,
        sleep: async (ms) => void slept.push(ms),
        inDoubt: new Map([[idOf('a'), new Date(now - 4_000).toISOString()]]),
        journal: (e) => events.push(`${'outcome' in e ? 'outcome' : 'sent'} ${keyOf(e.id)}`),
      },
    );
    expect(r.counts).toMatchObject({ copied: 3 });
    expect(slept).toEqual([IN_DOUBT_SETTLE_MS - 4_000]);
    expect(events).toEqual([
      'sent b',
      'request b',
      'outcome b',
      'sent c',
      'request c',
      'outcome c',
      'sent a',
      'request a',
      'outcome a',
    ]);
  });
});
