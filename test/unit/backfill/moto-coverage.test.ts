/**
 * What the best local stand-in for S3 Control serves, checked rather than assumed: moto's server
 * (`moto_server`) answers the library's own S3 Control client for access points and Multi-Region
 * Access Points, but not for Batch Operations jobs (CreateJob, DescribeJob, UpdateJobStatus) nor
 * for Multi-Region Access Point routes. That is why the backfill and the mrap failover plan are
 * tested against the control-plane recorder instead (docs/backfill.md, "What was tested, and
 * against what"). When a moto release starts serving them, this test fails: move those tests
 * onto moto then.
 */
import {
  GetMultiRegionAccessPointRoutesCommand,
  ListAccessPointsCommand,
  ListMultiRegionAccessPointsCommand,
} from '@aws-sdk/client-s3-control';
import { BackfillControl } from '../../../lambda/backfill/control';
import { buildCreateJob } from '../../../lambda/backfill/core/create-job';
import { parseBackfillOptions } from '../../../lambda/backfill/core/options';
import { createS3ControlClient } from '../../../lambda/failover/clients';
import { MotoServer } from '../../support/moto';

jest.setTimeout(60_000);

const ACCOUNT = '123456789012';
const saved = { ...process.env };
let moto: MotoServer;

beforeAll(async () => {
  moto = await MotoServer.start();
  // The library's clients read credentials from the environment, as the SDK does.
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey;
});
afterAll(async () => {
  await moto?.close();
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  Object.assign(process.env, saved);
});

/**
 * "served" when the call succeeded or S3 Control's own error came back (a NoSuchJob is an
 * answer), else what came instead: moto answers an operation it does not implement with an HTML
 * 404 page that the SDK cannot read as an S3 Control error.
 */
async function answer(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'served';
  } catch (err) {
    const e = err as { $fault?: string; $metadata?: { httpStatusCode?: number } };
    return e.$fault ? 'served' : `not served (HTTP ${e.$metadata?.httpStatusCode})`;
  }
}

test("the library's S3 Control client reaches moto's S3 Control: access points are served", async () => {
  const client = createS3ControlClient({ region: 'us-west-2', endpoint: moto.endpoint });
  try {
    expect(await answer(() => client.send(new ListAccessPointsCommand({ AccountId: ACCOUNT })))).toBe('served');
    expect(await answer(() => client.send(new ListMultiRegionAccessPointsCommand({ AccountId: ACCOUNT })))).toBe(
      'served',
    );
  } finally {
    client.destroy();
  }
});

test('Batch Operations jobs are not served: CreateJob, DescribeJob and UpdateJobStatus are answered with 404 pages', async () => {
  const control = new BackfillControl({ region: 'us-west-2', account: ACCOUNT, endpoint: moto.endpoint });
  const options = parseBackfillOptions(
    {
      source: 's3://data-src/',
      account: ACCOUNT,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/backfill`,
      report: 's3://app-reports/backfill/',
    },
    new Date(),
  );
  try {
    const answers = {
      createJob: await answer(() => control.createJob(buildCreateJob(options))),
      describeJob: await answer(() => control.describeJob('00000000-0000-0000-0000-000000000000')),
      updateJobStatus: await answer(() => control.updateStatus('00000000-0000-0000-0000-000000000000', 'Ready', 'x')),
    };
    const notServed = 'not served (HTTP 404)';
    expect(answers).toEqual({ createJob: notServed, describeJob: notServed, updateJobStatus: notServed });
  } finally {
    control.destroy();
  }
});

test('Multi-Region Access Point routes are not served either (the mrap failover plan uses the recorder)', async () => {
  const client = createS3ControlClient({ region: 'us-west-2', endpoint: moto.endpoint });
  const mrap = `arn:aws:s3::${ACCOUNT}:accesspoint/abcdef0123456.mrap`;
  try {
    expect(
      await answer(() => client.send(new GetMultiRegionAccessPointRoutesCommand({ AccountId: ACCOUNT, Mrap: mrap }))),
    ).toBe('not served (HTTP 404)');
  } finally {
    client.destroy();
  }
});
