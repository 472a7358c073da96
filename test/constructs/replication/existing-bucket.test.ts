import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConsistencyAudit,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationDestination,
  ReplicationPairs,
} from '../../../lib';
import { testApp } from '../../support/app';
import { nagFindings } from '../../support/nag';

const ACCOUNT = '111111111111';

function stacks() {
  const app = testApp();
  const west = new Stack(app, 'Replica', { env: { account: ACCOUNT, region: 'us-west-2' } });
  const east = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const replica = new ReplicaBucket(west, 'Replica');
  return { app, west, east, replica };
}

function managedStatements(t: Template): any[] {
  return Object.values(t.findResources('AWS::IAM::ManagedPolicy')).flatMap(
    (p: any) => p.Properties.PolicyDocument.Statement,
  );
}

/** The bucket as the `cdk import` steps of docs/replication.md describe it. */
function ordersAsToday(stack: Stack) {
  return new s3.Bucket(stack, 'Orders', {
    bucketName: 'orders-prod',
    versioned: true,
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

describe('ReplicatedBucket on an existing bucket', () => {
  test('renders the same rules as a new bucket, on the existing bucket, and creates no bucket', () => {
    const { east, replica } = stacks();
    const other = new Stack(east.node.root as any, 'Other', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const options = {
      prefix: 'orders/',
      replicationTimeControl: true,
      storageClass: s3.StorageClass.INFREQUENT_ACCESS,
    };
    const created = new ReplicatedBucket(other, 'Data', {
      destinations: [ReplicationDestination.toReplicaBucket(replica, options)],
    });
    const invoices = new s3.Bucket(east, 'Invoices', { versioned: true, encryption: s3.BucketEncryption.KMS });
    const existing = new ReplicatedBucket(east, 'Replication', {
      bucket: invoices,
      destinations: [ReplicationDestination.toReplicaBucket(replica, options)],
    });
    expect(existing.bucket).toBe(invoices);
    const rulesOf = (stack: Stack, b: s3.Bucket) =>
      Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(b.node.defaultChild as s3.CfnBucket)].Properties
        .ReplicationConfiguration;
    const mine = rulesOf(east, invoices);
    expect(mine.Rules).toEqual(rulesOf(other, created.bucket).Rules);
    expect(mine.Role).toEqual({
      'Fn::GetAtt': [east.getLogicalId(existing.replicationRole.node.defaultChild as any), 'Arn'],
    });
    expect(invoices.replicationRoleArn).toBe(existing.replicationRole.roleArn);
    const t = Template.fromStack(east);
    t.resourceCountIs('AWS::S3::Bucket', 1); // no new source bucket, no log bucket
    t.resourceCountIs('AWS::IAM::Role', 1);
  });

  test("grants kms:Decrypt on the bucket's own key, scoped as for a new bucket, and names it by alias", () => {
    const { east, west, replica } = stacks();
    const invoices = new s3.Bucket(east, 'Invoices', {
      bucketName: 'invoices-prod',
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
    });
    const r = new ReplicatedBucket(east, 'Replication', {
      bucket: invoices,
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    const pair = ReplicationPairs.of(r);
    new ConsistencyAudit(west, 'Audit', { ...pair, encryptionKey: replica.encryptionKey });
    expect(r.encryptionKey).toBe(invoices.encryptionKey);
    expect(r.encryptionKeyArn).toMatch(/^arn:aws:kms:us-east-1:111111111111:alias\/cdk-s3-dr\//);
    const t = Template.fromStack(east);
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: r.encryptionKeyArn!.split(':').pop() });
    const keyId = east.getLogicalId(invoices.encryptionKey!.node.defaultChild as any);
    const bucketId = east.getLogicalId(invoices.node.defaultChild as any);
    expect(managedStatements(t)).toContainEqual({
      Sid: 'DecryptSourceObjects',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
        StringLike: {
          'kms:EncryptionContext:aws:s3:arn': [
            { 'Fn::GetAtt': [bucketId, 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
          ],
        },
      },
    });
    // Pairs, metrics and an audit in the replica region work as for a new bucket.
    expect(pair.sourceKeyArn).toBe(r.encryptionKeyArn);
    expect(east.resolve(r.metricReplicationLatency().dimensions)).toEqual({
      SourceBucket: { Ref: bucketId },
      DestinationBucket: expect.stringMatching(/^replica/),
      RuleId: 'to-us-west-2',
    });
    expect(pair.sourceBucketName).toBe(invoices.bucketName);
    Template.fromStack(west).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SOURCE_BUCKET: 'invoices-prod' }) },
    });
  });

  test('an SSE-S3 bucket: no source key, no key grant', () => {
    const { east, replica } = stacks();
    const orders = ordersAsToday(east);
    const r = new ReplicatedBucket(east, 'Replication', {
      bucket: orders,
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    expect(r.encryptionKey).toBeUndefined();
    expect(ReplicationPairs.of(r).sourceKeyArn).toBeUndefined();
    const statements = managedStatements(Template.fromStack(east));
    expect(statements.map((s) => s.Sid)).not.toContain('DecryptSourceObjects');
    expect(statements.map((s) => s.Sid)).toContain('EncryptReplicas0');
  });

  test('the AWS managed key given by ARN gets the decrypt grant on that ARN', () => {
    const { east, replica } = stacks();
    const awsS3 = 'arn:aws:kms:us-east-1:111111111111:key/00000000-1111-2222-3333-444444444444';
    const b = new s3.Bucket(east, 'Managed', { versioned: true, encryption: s3.BucketEncryption.KMS_MANAGED });
    new ReplicatedBucket(east, 'Replication', {
      bucket: b,
      encryptionKey: kms.Key.fromKeyArn(east, 'AwsS3', awsS3),
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    expect(managedStatements(Template.fromStack(east))).toContainEqual(
      expect.objectContaining({ Sid: 'DecryptSourceObjects', Resource: awsS3 }),
    );
  });

  test('has zero cdk-nag findings for a hardened existing bucket', () => {
    const { app, east, replica } = stacks();
    const logs = new s3.Bucket(east, 'Logs', {
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    });
    const invoices = new s3.Bucket(east, 'Invoices', {
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: logs,
    });
    new ReplicatedBucket(east, 'Replication', {
      bucket: invoices,
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    const findings = nagFindings(app).filter((f) => f.path.startsWith('Primary/Replication'));
    expect(findings).toEqual([]);
  });

  test('ReplicationPairs.of fails for a bucket whose name CloudFormation generates', () => {
    const { east, replica } = stacks();
    const r = new ReplicatedBucket(east, 'Replication', {
      bucket: new s3.Bucket(east, 'Unnamed', { versioned: true }),
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    expect(() => ReplicationPairs.of(r)).toThrow(
      /bucket = "Primary\/Unnamed": the bucket's name is generated by CloudFormation at deploy time.*fix: give the bucket an explicit bucketName/,
    );
  });

  describe('fails at synth', () => {
    const replicate = (east: Stack, replica: ReplicaBucket, bucket: s3.IBucket, extra: object = {}) =>
      new ReplicatedBucket(east, 'Replication', {
        bucket,
        destinations: [ReplicationDestination.toReplicaBucket(replica)],
        ...extra,
      });

    test('fails when the bucket is not versioned', () => {
      const { east, replica } = stacks();
      expect(() => replicate(east, replica, new s3.Bucket(east, 'B'))).toThrow(
        /bucket = "Primary\/B \(versioning off\)": S3 replication needs versioning on the source bucket; fix: set versioned: true on the bucket/,
      );
    });

    test('fails when the bucket already has a replication configuration', () => {
      const { east, replica } = stacks();
      const b = new s3.Bucket(east, 'B', { versioned: true });
      replicate(east, replica, b);
      expect(
        () =>
          new ReplicatedBucket(east, 'Again', {
            bucket: b,
            destinations: [ReplicationDestination.toReplicaBucket(replica)],
          }),
      ).toThrow(/already has a replication configuration; S3 allows one per bucket; fix: remove replicationRules/);
    });

    test('fails when the bucket is imported, pointing to cdk import', () => {
      const { east, replica } = stacks();
      expect(() => replicate(east, replica, s3.Bucket.fromBucketName(east, 'B', 'orders-prod'))).toThrow(
        /is not a CloudFormation resource of this stack.*fix: adopt the bucket with cdk import first/,
      );
    });

    test('fails when the bucket is in another stack', () => {
      const { east, replica } = stacks();
      const elsewhere = new Stack(east.node.root as any, 'Elsewhere', {
        env: { account: ACCOUNT, region: 'us-east-1' },
      });
      const b = new s3.Bucket(elsewhere, 'B', { versioned: true });
      expect(() => replicate(east, replica, b)).toThrow(
        /the bucket is in the stack Elsewhere.*fix: create the ReplicatedBucket in the bucket's stack/,
      );
    });

    test('fails when the bucket uses a KMS key the construct cannot name', () => {
      const { east, replica } = stacks();
      const b = new s3.Bucket(east, 'B', { versioned: true, encryption: s3.BucketEncryption.KMS_MANAGED });
      expect(() => replicate(east, replica, b)).toThrow(
        /encryptionKey = undefined: the bucket is encrypted with aws:kms using the AWS managed key aws\/s3.*fix: pass that key as encryptionKey/,
      );
    });

    test('fails when a key is given for an SSE-S3 bucket, or a new-bucket prop is combined with bucket', () => {
      const { east, replica } = stacks();
      const key = new kms.Key(east, 'K');
      expect(() =>
        replicate(east, replica, ordersAsToday(east), {
          encryptionKey: key,
          bucketName: 'orders-copy',
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      ).toThrow(
        /3 invalid props[\s\S]*bucketName = "orders-copy": describes a new bucket[\s\S]*removalPolicy = "set"[\s\S]*encryptionKey = "Primary\/K": the bucket is encrypted with SSE-S3/,
      );
    });
  });
});

describe('adopting a bucket with cdk import (docs/replication.md)', () => {
  test('step 1 is importable: only the bucket, retained, by its real name; the mapping names its logical id', () => {
    const app = testApp();
    const primary = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'us-east-1' } });
    ordersAsToday(primary);
    const template = Template.fromStack(primary).toJSON();
    const resources = Object.entries(template.Resources as Record<string, any>);
    expect(resources.map(([, r]) => r.Type)).toEqual(['AWS::S3::Bucket']);
    for (const [, r] of resources) {
      expect(r.DeletionPolicy).toBe('Retain');
      expect(r.UpdateReplacePolicy).toBe('Retain');
      expect(typeof r.Properties.BucketName).toBe('string');
    }
    const page = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'replication.md'), 'utf8');
    expect(page).toContain('### A bucket created outside CloudFormation');
    const section = page.slice(page.indexOf('### A bucket created outside CloudFormation'));
    const mapping = JSON.parse(section.match(/```json\n([\s\S]*?)```/)![1]);
    expect(mapping).toEqual(
      Object.fromEntries(resources.map(([id, r]) => [id, { BucketName: r.Properties.BucketName }])),
    );
    expect(section).toContain('cdk import Primary --resource-mapping mapping.json');
  });

  test('step 2 keeps the logical id and every property, and adds only the replication configuration', () => {
    const before = testApp();
    const p1 = new Stack(before, 'Primary', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const b1 = ordersAsToday(p1);
    const { east, replica } = stacks();
    const b2 = ordersAsToday(east);
    new ReplicatedBucket(east, 'OrdersReplication', {
      bucket: b2,
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    const id = p1.getLogicalId(b1.node.defaultChild as s3.CfnBucket);
    expect(east.getLogicalId(b2.node.defaultChild as s3.CfnBucket)).toBe(id);
    const r1 = Template.fromStack(p1).toJSON().Resources[id];
    const r2 = Template.fromStack(east).toJSON().Resources[id];
    const { ReplicationConfiguration, ...rest } = r2.Properties;
    expect(ReplicationConfiguration.Rules).toHaveLength(1);
    expect(rest).toEqual(r1.Properties);
    expect(r2.DeletionPolicy).toBe('Retain');
  });
});

describe('imported replicas keep working', () => {
  const KEY = 'arn:aws:kms:us-west-2:111111111111:key/11111111-2222-3333-4444-555555555555';

  test('a ReplicaBucket over an imported bucket and key: rule and grants name them by ARN', () => {
    const { east, west } = stacks();
    const replica = new ReplicaBucket(west, 'Team', {
      bucket: s3.Bucket.fromBucketAttributes(west, 'TeamBucket', { bucketName: 'team-replica', region: 'us-west-2' }),
      encryptionKey: kms.Key.fromKeyArn(west, 'TeamKey', KEY),
    });
    new ReplicatedBucket(east, 'Data', { destinations: [ReplicationDestination.toReplicaBucket(replica)] });
    const t = Template.fromStack(east);
    t.hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Rules: [
          Match.objectLike({
            Destination: Match.objectLike({
              Bucket: 'arn:aws:s3:::team-replica',
              EncryptionConfiguration: { ReplicaKmsKeyID: KEY },
            }),
          }),
        ],
      },
    });
    const st = managedStatements(t);
    expect(st).toContainEqual(
      expect.objectContaining({ Sid: 'WriteReplicas0', Resource: 'arn:aws:s3:::team-replica/*' }),
    );
    expect(st).toContainEqual(expect.objectContaining({ Sid: 'EncryptReplicas0', Resource: KEY }));
  });

  test('ReplicationDestination.toBucket, with an existing source bucket too', () => {
    const { east } = stacks();
    const orders = ordersAsToday(east);
    new ReplicatedBucket(east, 'OrdersReplication', {
      bucket: orders,
      destinations: [
        ReplicationDestination.toBucket({
          bucketArn: 'arn:aws:s3:::team-replica',
          region: 'us-west-2',
          replicaKeyArn: KEY,
        }),
      ],
    });
    const t = Template.fromStack(east);
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'orders-prod',
      ReplicationConfiguration: {
        Rules: [
          Match.objectLike({
            Id: 'to-us-west-2',
            Destination: Match.objectLike({
              Bucket: 'arn:aws:s3:::team-replica',
              EncryptionConfiguration: { ReplicaKmsKeyID: KEY },
            }),
          }),
        ],
      },
    });
    expect(managedStatements(t)).toContainEqual(expect.objectContaining({ Sid: 'EncryptReplicas0', Resource: KEY }));
  });
});
