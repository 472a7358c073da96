import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  DrillCopyMode,
  DrillSampleMode,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationDestination,
  ReplicationPairs,
  RestoreDrill,
  RestoreDrillProps,
} from '../../../lib';
import { testApp } from '../../support/app';

const ACCOUNT = '111111111111';

function setup(over: Partial<RestoreDrillProps> = {}) {
  const app = testApp();
  const west = new Stack(app, 'West', { env: { account: ACCOUNT, region: 'us-west-2' } });
  const east = new Stack(app, 'East', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const replica = new ReplicaBucket(west, 'Replica');
  const data = new ReplicatedBucket(east, 'Data', { destinations: [ReplicationDestination.toReplicaBucket(replica)] });
  const drill = new RestoreDrill(west, 'Drill', { ...ReplicationPairs.of(data), ...over });
  return { app, west, east, drill, data, replica };
}

const statements = (t: Template): any[] =>
  Object.values(t.findResources('AWS::IAM::ManagedPolicy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);

describe('RestoreDrill', () => {
  test('is scheduled weekly, Node.js 24, with the drill configuration in its environment', () => {
    const { west } = setup();
    const t = Template.fromStack(west);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({
          SAMPLE_SIZE: '100',
          SAMPLE_MODE: 'random',
          RESTORE_PREFIX: 'cdk-s3-dr-drill/',
          SOURCE_REGION: 'us-east-1',
          REPLICA_REGION: 'us-west-2',
          COPY_MODE: 'auto',
          CONCURRENCY: '32',
        }),
      },
    });
    t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(7 days)' });
  });

  test('writes, reads back and deletes only under its prefix of a scratch bucket that expires leftovers', () => {
    const { west } = setup();
    const t = Template.fromStack(west);
    const st = statements(t);
    const actions = st.flatMap((s) => [].concat(s.Action));
    expect(actions.filter((a: string) => a.includes('*'))).toEqual([]);
    const deletes = st.filter((s) => [].concat(s.Action).some((a: string) => a.startsWith('s3:Delete')));
    expect(deletes).toHaveLength(1);
    expect(JSON.stringify(deletes[0].Resource)).toContain('/cdk-s3-dr-drill/*');
    // Source and replica: read only.
    const onSource = st.filter((s) => JSON.stringify(s.Resource).includes('eastdatabucket'));
    expect(onSource.flatMap((s) => [].concat(s.Action)).sort()).toEqual([
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
    ]);
    t.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 2, NoncurrentVersionExpiration: { NoncurrentDays: 1 } })],
      },
    });
    // Decrypt replicas and source versions through S3 in their regions only, matched by alias.
    const decrypt = st.filter((s) => s.Sid === 'DecryptReplica' || s.Sid === 'DecryptSource');
    expect(decrypt.map((s) => s.Condition.StringEquals['kms:ViaService']).sort()).toEqual([
      's3.us-east-1.amazonaws.com',
      's3.us-west-2.amazonaws.com',
    ]);
    for (const s of decrypt)
      expect(s.Condition['ForAnyValue:StringEquals']['kms:ResourceAliases']).toMatch(/^alias\/cdk-s3-dr\//);
  });

  test('alarms on a failed drill and on an RTO estimate above the target', () => {
    const { west } = setup({ rtoTarget: Duration.hours(2) });
    const t = Template.fromStack(west);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'RtoEstimateSeconds',
      Namespace: 'CdkS3Dr',
      Threshold: 7200,
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.stringLikeRegexp('FILL\\(passed, 1\\)') })]),
    });
    t.resourceCountIs('AWS::CloudWatch::Alarm', 2);
  });

  test('uses a given restore bucket and prefix', () => {
    const app = testApp();
    const west = new Stack(app, 'West', { env: { account: ACCOUNT, region: 'us-west-2' } });
    const scratch = s3.Bucket.fromBucketName(west, 'Scratch', 'team-scratch');
    new RestoreDrill(west, 'Drill', {
      sourceBucketName: 'orders',
      sourceRegion: 'us-east-1',
      replicaBucketName: 'orders-replica',
      replicaRegion: 'us-west-2',
      restoreBucket: scratch,
      restorePrefix: 'drills/',
      sampleMode: DrillSampleMode.NEWEST,
      copyMode: DrillCopyMode.STREAM,
      concurrency: 16,
    });
    const t = Template.fromStack(west);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          RESTORE_BUCKET: 'team-scratch',
          RESTORE_PREFIX: 'drills/',
          SAMPLE_MODE: 'newest',
          COPY_MODE: 'stream',
          CONCURRENCY: '16',
        }),
      },
    });
    expect(JSON.stringify(statements(t))).toContain('arn:aws:s3:::team-scratch/drills/*');
  });

  test('the role holds what a server-side copy (the default) needs: replica versions and tags, target writes and tags, both keys through S3', () => {
    const { west } = setup();
    const st = statements(Template.fromStack(west));
    const sid = (id: string) => st.find((s) => s.Sid === id);
    expect([...sid('ReadReplicaVersions').Action].sort()).toEqual([
      's3:GetObject',
      's3:GetObjectTagging',
      's3:GetObjectVersion',
      's3:GetObjectVersionTagging',
    ]);
    expect(sid('WriteVerifyRemoveOwnScratch').Action).toEqual(
      expect.arrayContaining(['s3:PutObject', 's3:PutObjectTagging']),
    );
    expect(sid('DecryptReplica').Action).toEqual('kms:Decrypt');
    // The scratch bucket's key (the construct's): encrypt the copy, decrypt it to verify.
    const t = Template.fromStack(west);
    const keyGrants = JSON.stringify([t.findResources('AWS::IAM::Policy'), t.findResources('AWS::KMS::Key')]);
    expect(keyGrants).toMatch(/kms:GenerateDataKey/);
  });

  test('a given restore bucket with a key of its own: the role encrypts and decrypts with it through S3', () => {
    const app = testApp();
    const west = new Stack(app, 'West', { env: { account: ACCOUNT, region: 'us-west-2' } });
    const own = new kms.Key(west, 'ScratchKey');
    const scratch = new s3.Bucket(west, 'Scratch', { encryptionKey: own });
    new RestoreDrill(west, 'Drill', {
      sourceBucketName: 'orders',
      sourceRegion: 'us-east-1',
      replicaBucketName: 'orders-replica',
      replicaRegion: 'us-west-2',
      restoreBucket: scratch,
    });
    const s = statements(Template.fromStack(west)).find((x) => x.Sid === 'EncryptRestoreTarget');
    expect(s).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' } },
    });
  });

  test('the deprecated serverSideCopy still maps to a copy mode', () => {
    for (const [serverSideCopy, mode] of [
      [true, 'server-side'],
      [false, 'stream'],
    ] as const) {
      const { west } = setup({ serverSideCopy });
      Template.fromStack(west).hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ COPY_MODE: mode }) },
      });
    }
  });

  test.each<[string, Partial<RestoreDrillProps>, RegExp]>([
    [
      'serverSideCopy contradicting copyMode',
      { serverSideCopy: true, copyMode: DrillCopyMode.STREAM },
      /serverSideCopy = true: contradicts copyMode stream/,
    ],
    ['an unknown copy mode', { copyMode: 'fast' as never }, /copyMode = "fast": unknown copy mode/],
    ['a sample size of 0', { sampleSize: 0 }, /sampleSize = 0: must be a whole number from 1 to 100,000/],
    ['an unknown sample mode', { sampleMode: 'oldest' as never }, /sampleMode = "oldest": unknown sample mode/],
    ['a concurrency of 0', { concurrency: 0 }, /concurrency = 0: must be a whole number from 1 to 256/],
    ['a fractional concurrency', { concurrency: 2.5 }, /concurrency = 2.5: must be a whole number from 1 to 256/],
    [
      'an empty restore prefix',
      { restorePrefix: '' },
      /restorePrefix = "": a drill must write under a prefix of its own/,
    ],
    [
      'the drill outside the replica region',
      { replicaRegion: 'eu-west-1' },
      /replicaRegion = "eu-west-1": this stack is in us-west-2/,
    ],
  ])('fails with %s', (_name, over, message) => {
    expect(() => setup(over)).toThrow(message);
  });

  test('numbers known only at deploy time are not judged at synth', () => {
    const { west } = setup({
      sampleSize: Lazy.number({ produce: () => 5 }),
      concurrency: Lazy.number({ produce: () => 3 }),
    });
    Template.fromStack(west).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SAMPLE_SIZE: '5', CONCURRENCY: '3' }) },
    });
  });

  test('fails when the restore target is the source or the replica bucket', () => {
    const app = testApp();
    const west = new Stack(app, 'West', { env: { account: ACCOUNT, region: 'us-west-2' } });
    const base = {
      sourceBucketName: 'orders',
      sourceRegion: 'us-east-1',
      replicaBucketName: 'orders-replica',
      replicaRegion: 'us-west-2',
    };
    expect(
      () =>
        new RestoreDrill(west, 'A', { ...base, restoreBucket: s3.Bucket.fromBucketName(west, 'R1', 'orders-replica') }),
    ).toThrow(
      /restoreBucket = "orders-replica": the restore target is the replica bucket; a drill never writes to source or replica data/,
    );
    expect(
      () => new RestoreDrill(west, 'B', { ...base, restoreBucket: s3.Bucket.fromBucketName(west, 'R2', 'orders') }),
    ).toThrow(/the restore target is the source bucket/);
  });
});
