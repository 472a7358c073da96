/**
 * The built command line against the real stand, as a user runs it (a child process): every
 * command that talks to S3 with static keys in the environment and with a profile in a shared
 * credentials file; credentials the stand refuses and a bucket the caller may not read (exit 4);
 * dry runs of failover and failback that write nothing anywhere (no pointer, no decision record).
 */
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPointerValue } from '../../lambda/failover/core/routing';
import { createS3Client } from '../../lambda/shared/s3-client';
import { cleanEnv, CliRun, runBuiltCli } from '../support/cli';
import { ControlPlaneRecorder } from '../support/control-plane-recorder';
import { MotoServer } from '../support/moto';
import {
  createBucket,
  emptyAndDeleteBucket,
  putObjects,
  standClient,
  standEnv,
  standSide,
  uniqueBucketName,
  waitForReplication,
} from '../support/stand';

jest.setTimeout(180_000);

const env = standEnv();
const za = standSide('za');
const zb = standSide('zb');
const dir = mkdtempSync(join(tmpdir(), 'cli-credentials-'));
const created: ['za' | 'zb', string][] = [];
let data: string;
let scratch: string;
let twin: string;
let reports: string;
let rec: ControlPlaneRecorder;
let moto: MotoServer;

/** The two ways the tests give the stand's keys: the environment, or a profile in temporary files. */
const sources: Record<string, () => NodeJS.ProcessEnv> = {
  'environment keys': () =>
    cleanEnv({ AWS_ACCESS_KEY_ID: env.accessKeyId, AWS_SECRET_ACCESS_KEY: env.secretAccessKey, AWS_REGION: za.region }),
  'a profile in a shared credentials file': () => {
    const credentials = join(dir, 'credentials');
    const config = join(dir, 'config');
    writeFileSync(
      credentials,
      `[default]\naws_access_key_id = WRONGDEFAULTKEY00000\naws_secret_access_key = wrong\n\n[stand]\naws_access_key_id = ${env.accessKeyId}\naws_secret_access_key = ${env.secretAccessKey}\n`,
    );
    writeFileSync(config, `[profile stand]\nregion = ${za.region}\n`);
    return cleanEnv({ AWS_PROFILE: 'stand', AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: config });
  },
};

/**
 * The controller's configuration: SSM and CloudWatch on moto's server, or on the home-made
 * recorder where a test injects a failure (moto answers an unsigned JSON-protocol call with an
 * XML error body that no AWS endpoint sends).
 */
function failoverConfig(mode: string, controlPlane: 'moto' | 'recorder' = 'moto'): string {
  const endpoint = controlPlane === 'moto' ? moto.endpoint : rec.endpoint;
  return JSON.stringify({
    plan: 'pointer',
    mode,
    // Two logical regions (the pointer lives in each); the zones sign with the stand's one region.
    source: { bucket: data, region: 'eu-west-1', endpoint: za.endpoint },
    replica: { bucket: twin, region: 'eu-central-1', endpoint: za.endpoint },
    parameterName: '/app/s3-active',
    alarmName: 'app-outage',
    probeName: 'app',
    reports: { bucket: reports, region: 'eu-central-1', endpoint: za.endpoint },
    endpoints: { ssm: endpoint, cloudWatch: endpoint },
  });
}

beforeAll(async () => {
  [rec, moto] = await Promise.all([ControlPlaneRecorder.start(), MotoServer.start()]);
  data = await createBucket('za', { versioned: true });
  scratch = await createBucket('za', { versioned: false });
  twin = await createBucket('za', { versioned: false });
  reports = await createBucket('za', { versioned: false });
  created.push(['za', data], ['za', scratch], ['za', twin], ['za', reports]);
  const keys = ['a/1', 'a/2', 'a/3'];
  await putObjects(standClient('za'), data, keys);
  await putObjects(standClient('za'), twin, keys);
  await waitForReplication(data, keys);
});

afterAll(async () => {
  await Promise.all([rec?.close(), moto?.close()]);
  for (const [zone, bucket] of created) await emptyAndDeleteBucket(zone, bucket).catch(() => undefined);
});

function expectOk(r: CliRun): void {
  expect(r.err).not.toMatch(/could not complete|permission or configuration/);
  expect(r.code).toBe(0);
}

describe.each(Object.keys(sources))('credentials from %s', (source) => {
  test('audit', async () => {
    const r = await runBuiltCli(
      [
        'audit',
        '--source',
        `s3://${data}`,
        '--replica',
        `s3://${data}`,
        '--source-endpoint',
        za.endpoint,
        '--replica-endpoint',
        zb.endpoint,
        '--lag-window',
        '0',
        '--report',
        join(dir, `audit-${source.length}.json`),
      ],
      sources[source](),
    );
    expectOk(r);
    expect(r.out).toMatch(/report: /);
  });

  test('drill', async () => {
    const r = await runBuiltCli(
      [
        'drill',
        '--source',
        `s3://${data}`,
        '--replica',
        `s3://${data}`,
        '--restore-to',
        `s3://${scratch}`,
        '--source-endpoint',
        za.endpoint,
        '--replica-endpoint',
        zb.endpoint,
        '--sample',
        '3',
        // The drill asks for regions explicitly when AWS_REGION is not set (a profile's region does not count).
        '--source-region',
        za.region,
        '--replica-region',
        zb.region,
      ],
      sources[source](),
    );
    expectOk(r);
    expect(r.err).toMatch(/PASSED: restored 3\/3 objects/);
  });

  test('failback (a dry run: the audit runs, nothing is written)', async () => {
    const onReplica = formatPointerValue({
      bucket: twin,
      region: 'eu-central-1',
      since: new Date().toISOString(),
      reason: 'failover: test',
    });
    await moto.setParameter('eu-central-1', '/app/s3-active', onReplica);
    await moto.setParameter('eu-west-1', '/app/s3-active', onReplica);
    const r = await runBuiltCli(['failback', '--config', failoverConfig('automatic'), '--dry-run'], sources[source]());
    expectOk(r);
    expect(r.out).toMatch(/failback: fail-back/);
    expect(r.out).toMatch(/dry-run: the plan is shown, nothing changed/);
  });
});

describe('dry runs write nothing anywhere', () => {
  test('failover --dry-run and failback --dry-run: no pointer written, no decision record', async () => {
    const keys = sources['environment keys']();
    const history = async () =>
      [
        ...(await moto.parameterHistory('eu-central-1', '/app/s3-active')),
        ...(await moto.parameterHistory('eu-west-1', '/app/s3-active')),
      ].length;
    const writes = await history();
    await moto.setAlarm('eu-central-1', 'app-outage', 'ALARM');
    const fo = await runBuiltCli(['failover', '--config', failoverConfig('automatic'), '--dry-run'], keys);
    const fb = await runBuiltCli(['failback', '--config', failoverConfig('automatic'), '--dry-run'], keys);
    expect([fo.code, fb.code]).toEqual([0, 0]);
    expect(await history()).toBe(writes);
    const listed = await standClient('za').send(new ListObjectsV2Command({ Bucket: reports }));
    expect(listed.KeyCount ?? 0).toBe(0);
  });

  test('failover --dry-run with its control plane refusing every request: exit 4, not "none" and 0', async () => {
    rec.fail({ service: 'ssm', status: 403 });
    rec.fail({ service: 'monitoring', status: 403 });
    try {
      const r = await runBuiltCli(
        ['failover', '--config', failoverConfig('automatic', 'recorder'), '--dry-run'],
        sources['environment keys'](),
      );
      expect(r.err).toMatch(/could not be read: ServiceUnavailable \(HTTP 403\) for (ssm:GetParameter|cloudwatch:\w+)/);
      expect(r.code).toBe(4);
    } finally {
      rec.clearFailures();
    }
  });
});

describe('credentials the stand refuses, and a bucket the caller may not read: exit 4', () => {
  const audit = (bucket: string) => [
    'audit',
    '--source',
    `s3://${bucket}`,
    '--replica',
    `s3://${bucket}`,
    '--source-endpoint',
    za.endpoint,
    '--replica-endpoint',
    zb.endpoint,
    '--report',
    join(dir, `refused-${Math.random()}.json`),
  ];

  test('a secret key that does not match: SignatureDoesNotMatch, naming the access key', async () => {
    const r = await runBuiltCli(
      audit(data),
      cleanEnv({ AWS_ACCESS_KEY_ID: env.accessKeyId, AWS_SECRET_ACCESS_KEY: 'not-the-secret', AWS_REGION: za.region }),
    );
    expect(r.code).toBe(4);
    expect(r.err).toMatch(
      new RegExp(`SignatureDoesNotMatch \\(HTTP 403\\) for s3:ListBucket on ${data} as access key ${env.accessKeyId}`),
    );
    expect(r.err).toMatch(/next: the secret key does not match the access key/);
  });

  test('an access key the stand does not know: InvalidAccessKeyId', async () => {
    const r = await runBuiltCli(
      audit(data),
      cleanEnv({ AWS_ACCESS_KEY_ID: 'AKIDUNKNOWNTOSTAND01', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: za.region }),
    );
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/InvalidAccessKeyId \(HTTP 403\) for s3:ListBucket/);
    expect(r.err).toMatch(/next: the access key \(access key AKIDUNKNOWNTOSTAND01\) is not known/);
  });

  test("another user's bucket: AccessDenied for s3:ListBucket on it, as the caller's key", async () => {
    // The stand's multisite system user (fixed, loopback-only keys in scripts/stand.sh) owns this bucket.
    const other = createS3Client({
      ...za,
      credentials: async () => ({
        accessKeyId: 'STANDSYSTEMACCESSKEY',
        secretAccessKey: 'standSystemSecretKeyForMultisiteSync0000',
      }),
    });
    const bucket = uniqueBucketName('other-owner');
    const { CreateBucketCommand, DeleteObjectCommand, DeleteBucketCommand } = await import('@aws-sdk/client-s3');
    await other.send(new CreateBucketCommand({ Bucket: bucket }));
    await other.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v' }));
    try {
      const r = await runBuiltCli(
        [
          'audit',
          '--source',
          `s3://${bucket}`,
          '--replica',
          `s3://${data}`,
          '--source-endpoint',
          za.endpoint,
          '--replica-endpoint',
          za.endpoint,
          '--report',
          join(dir, 'other.json'),
        ],
        sources['environment keys'](),
      );
      expect(r.code).toBe(4);
      expect(r.err).toMatch(
        new RegExp(`AccessDenied \\(HTTP 403\\) for s3:ListBucket on ${bucket} as access key ${env.accessKeyId}`),
      );
      expect(r.err).not.toMatch(/reachable/);
    } finally {
      await other.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' })).catch(() => undefined);
      await other.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    }
  });
});
