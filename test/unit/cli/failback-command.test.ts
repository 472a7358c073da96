/**
 * `cdk-s3-dr failback` end to end, as a user runs it (the built command in a child process), with
 * moto's server standing in for S3 (both buckets and the reports bucket) and SSM (the pointers):
 * without two-way replication a failback that finds the failover's writes missing on the source
 * plans a repair and exits 1, changing nothing; with --apply it copies them, audits again, switches
 * both pointers and exits 0. The stand tests (test/stand/failover.test.ts) check the same steps
 * against real replication; this one checks what the command prints and exits.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { formatPointerValue, parsePointerValue } from '../../../lambda/failover/core/routing';
import { cleanEnv, runBuiltCli } from '../../support/cli';
import { MotoServer } from '../../support/moto';

jest.setTimeout(120_000);

const SRC_REGION = 'eu-west-1';
const REP_REGION = 'eu-central-1';
const PARAM = '/app/active-bucket';
let moto: MotoServer;
let s3: S3Client;

beforeAll(async () => {
  moto = await MotoServer.start();
  s3 = new S3Client({
    region: SRC_REGION,
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: moto.credentials,
  });
});
afterAll(async () => {
  s3?.destroy();
  await moto?.close();
});

async function bucket(name: string, region: string): Promise<string> {
  const regional = new S3Client({
    region,
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: moto.credentials,
  });
  await regional.send(
    new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: region as never } }),
  );
  regional.destroy();
  await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }));
  return name;
}
const put = (b: string, k: string, body: string) => s3.send(new PutObjectCommand({ Bucket: b, Key: k, Body: body }));
const keys = async (b: string, prefix = '') =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: b, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
const pointer = async (region: string) => {
  const v = parsePointerValue((await moto.getParameter(region, PARAM))!.value);
  return typeof v === 'string' ? v : v.bucket;
};

test('one-way: exit 1 with the repair plan and nothing changed; --apply copies, audits again, switches, exit 0', async () => {
  const src = await bucket('orders-src', SRC_REGION);
  const rep = await bucket('orders-rep', REP_REGION);
  const reports = await bucket('orders-reports', REP_REGION);
  for (const b of [src, rep]) await put(b, 'a/1', 'before the outage');
  await new Promise((r) => setTimeout(r, 1_100)); // listings carry whole seconds
  await put(rep, 'a/new', 'written during the failover');
  const onReplica = formatPointerValue({
    bucket: rep,
    region: REP_REGION,
    since: new Date().toISOString(),
    reason: 'failover: test',
  });
  for (const region of [SRC_REGION, REP_REGION]) await moto.setParameter(region, PARAM, onReplica);
  const config = JSON.stringify({
    plan: 'pointer',
    mode: 'automatic',
    source: { bucket: src, region: SRC_REGION, endpoint: moto.endpoint },
    replica: { bucket: rep, region: REP_REGION, endpoint: moto.endpoint },
    parameterName: PARAM,
    alarmName: 'app-outage',
    probeName: 'app',
    reports: { bucket: reports, region: REP_REGION, endpoint: moto.endpoint },
    endpoints: { ssm: moto.endpoint, cloudWatch: moto.endpoint },
  });
  const env = cleanEnv({
    AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
    AWS_REGION: REP_REGION,
  });

  const planned = await runBuiltCli(['failback', '--config', config], env);
  expect(planned.err).not.toMatch(/could not|permission/);
  expect(planned.out).toMatch(/^failback: repair-needed$/m);
  expect(planned.out).toMatch(/to approve the repair, run:\n {2}cdk-s3-dr failback --config .* --apply$/m);
  expect(planned.code).toBe(1);
  expect(await keys(src)).toEqual(['a/1']);
  expect([await pointer(SRC_REGION), await pointer(REP_REGION)]).toEqual([rep, rep]);

  const applied = await runBuiltCli(['failback', '--config', config, '--apply'], env);
  expect(applied.err).not.toMatch(/could not|permission/);
  expect(applied.out).toMatch(/^failback: fail-back$/m);
  expect(applied.code).toBe(0);
  expect(await keys(src)).toEqual(['a/1', 'a/new']);
  const body = await s3.send(new GetObjectCommand({ Bucket: src, Key: 'a/new' }));
  expect(await body.Body!.transformToString()).toBe('written during the failover');
  expect([await pointer(SRC_REGION), await pointer(REP_REGION)]).toEqual([src, src]);
  // Each step a decision: the plan that awaited approval, the repair, then the routing change.
  const records = await Promise.all(
    (await keys(reports, 'failover/decisions/')).map(async (k) =>
      JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: reports, Key: k }))).Body!.transformToString()),
    ),
  );
  records.sort((a, b) => (a.at < b.at ? -1 : 1));
  expect(records.map((r) => [r.kind, r.executed])).toEqual([
    ['failback', false], // the plan awaiting approval
    ['failback-repair', true],
    ['failback', true],
  ]);
});
