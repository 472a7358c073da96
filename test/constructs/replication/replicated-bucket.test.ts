import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildExampleApp } from '../../../bin/example';
import { ReplicaBucket, ReplicatedBucket, ReplicationDestination } from '../../../lib';
import { testApp } from '../../support/app';

const ACCOUNT = '111111111111';

function twoRegions() {
  const app = testApp();
  const replicaStack = new Stack(app, 'Replica', { env: { account: ACCOUNT, region: 'us-west-2' } });
  const sourceStack = new Stack(app, 'Source', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const replica = new ReplicaBucket(replicaStack, 'Replica');
  return { app, replicaStack, sourceStack, replica };
}

function policyStatements(template: Template): any[] {
  const policies = template.findResources('AWS::IAM::ManagedPolicy');
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('ReplicatedBucket', () => {
  test('creates a versioned, KMS-encrypted, private, TLS-only, logged, retained source bucket', () => {
    const { sourceStack, replica } = twoRegions();
    new ReplicatedBucket(sourceStack, 'Data', { destinations: [ReplicationDestination.toReplicaBucket(replica)] });
    const t = Template.fromStack(sourceStack);
    t.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
            },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'source/' },
        ReplicationConfiguration: Match.anyValue(),
      }),
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: Match.stringLikeRegexp('^alias/cdk-s3-dr/') });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  test('renders one native rule with literal cross-region names: alias ARN key, metrics without RTC, no delete markers', () => {
    const { sourceStack, replica } = twoRegions();
    new ReplicatedBucket(sourceStack, 'Data', { destinations: [ReplicationDestination.toReplicaBucket(replica)] });
    const t = Template.fromStack(sourceStack);
    t.hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('DataReplicationRole'), 'Arn'] },
        Rules: [
          {
            Id: 'to-us-west-2',
            Status: 'Enabled',
            Filter: { Prefix: '' },
            DeleteMarkerReplication: { Status: 'Disabled' },
            SourceSelectionCriteria: {
              SseKmsEncryptedObjects: { Status: 'Enabled' },
              ReplicaModifications: { Status: 'Disabled' },
            },
            Destination: {
              Bucket: Match.stringLikeRegexp('^arn:aws:s3:::[a-z0-9-]+$'),
              EncryptionConfiguration: {
                ReplicaKmsKeyID: Match.stringLikeRegexp('^arn:aws:kms:us-west-2:111111111111:alias/cdk-s3-dr/'),
              },
              Metrics: { Status: 'Enabled' },
            },
          },
        ],
      },
    });
    const rule = Object.values(
      t.findResources('AWS::S3::Bucket', { Properties: { ReplicationConfiguration: Match.anyValue() } }),
    )[0] as any;
    expect(rule.Properties.ReplicationConfiguration.Rules[0].Destination.ReplicationTime).toBeUndefined();
  });

  test('makes the replica stack an explicit dependency and creates no custom resource', () => {
    const { app, sourceStack, replicaStack, replica } = twoRegions();
    new ReplicatedBucket(sourceStack, 'Data', { destinations: [ReplicationDestination.toReplicaBucket(replica)] });
    expect(sourceStack.dependencies).toContain(replicaStack);
    const assembly = app.synth();
    for (const s of assembly.stacks) {
      const types = Object.values(s.template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
      expect(types.filter((ty) => ty.startsWith('Custom::') || ty === 'AWS::CloudFormation::CustomResource')).toEqual(
        [],
      );
      expect(types).not.toContain('AWS::Lambda::Function');
    }
    expect(replicaStack.dependencies).not.toContain(sourceStack);
  });

  test('names the replication role deterministically and uniquely, trusted by S3 for this account only', () => {
    const { sourceStack, replica } = twoRegions();
    const a = new ReplicatedBucket(sourceStack, 'A', {
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    const b = new ReplicatedBucket(sourceStack, 'B', {
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    const t = Template.fromStack(sourceStack);
    expect(a.replicationRoleName).not.toEqual(b.replicationRoleName);
    expect(a.replicationRoleName).toMatch(/-us-east-1$/);
    expect(a.replicationRoleName.length).toBeLessThanOrEqual(64);
    t.resourceCountIs('AWS::IAM::Role', 2);
    t.resourceCountIs('AWS::S3::Bucket', 4); // two data buckets, two log buckets
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: a.replicationRoleName,
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          },
        ],
      },
    });
    // Same inputs, same name: stable across synths.
    const again = twoRegions();
    const a2 = new ReplicatedBucket(again.sourceStack, 'A', {
      destinations: [ReplicationDestination.toReplicaBucket(again.replica)],
    });
    expect(a2.replicationRoleName).toEqual(a.replicationRoleName);
  });

  test('grants only replication actions, no wildcard action, KMS scoped by service, context and alias', () => {
    const { sourceStack, replica } = twoRegions();
    new ReplicatedBucket(sourceStack, 'Data', { destinations: [ReplicationDestination.toReplicaBucket(replica)] });
    const t = Template.fromStack(sourceStack);
    t.resourceCountIs('AWS::IAM::Policy', 0); // no inline policy
    const statements = policyStatements(t);
    const actions = statements.flatMap((s) => [].concat(s.Action));
    expect(actions.filter((a: string) => a.includes('*'))).toEqual([]);
    expect(new Set(actions)).toEqual(
      new Set([
        's3:GetReplicationConfiguration',
        's3:ListBucket',
        's3:GetObjectVersionForReplication',
        's3:GetObjectVersionAcl',
        's3:GetObjectVersionTagging',
        'kms:Decrypt',
        's3:ReplicateObject',
        's3:ReplicateTags',
        'kms:Encrypt',
      ]),
    );
    // Delete markers are not replicated by default, so the role cannot replicate deletes.
    expect(actions).not.toContain('s3:ReplicateDelete');
    const decrypt = statements.find((s) => s.Sid === 'DecryptSourceObjects');
    expect(decrypt.Condition.StringEquals).toEqual({ 'kms:ViaService': 's3.us-east-1.amazonaws.com' });
    const encrypt = statements.find((s) => s.Sid === 'EncryptReplicas0');
    expect(encrypt.Resource).toBe(`arn:aws:kms:us-west-2:${ACCOUNT}:key/*`);
    expect(encrypt.Condition.StringEquals).toEqual({ 'kms:ViaService': 's3.us-west-2.amazonaws.com' });
    expect(encrypt.Condition['ForAnyValue:StringEquals']['kms:ResourceAliases']).toBe(replica.keyAliasName);
    expect(encrypt.Condition.StringLike['kms:EncryptionContext:aws:s3:arn']).toHaveLength(2);
  });

  test('edits no policy in the replica stack (no dependency cycle); only its generated name is fixed', () => {
    const alone = twoRegions();
    const before = Template.fromStack(alone.replicaStack).toJSON().Resources;
    const wired = twoRegions();
    new ReplicatedBucket(wired.sourceStack, 'Data', {
      destinations: [ReplicationDestination.toReplicaBucket(wired.replica)],
    });
    const after = Template.fromStack(wired.replicaStack).toJSON().Resources;
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const id of Object.keys(before)) {
      const { BucketName, ...rest } = after[id].Properties ?? {};
      expect({ ...after[id], Properties: rest }).toEqual(before[id]);
      if (BucketName !== undefined) expect(BucketName).toMatch(/^[a-z0-9]{3,63}$/);
    }
    expect(wired.replicaStack.dependencies).toEqual([]);
  });

  test('renders every per-destination option', () => {
    const app = testApp();
    const west = new Stack(app, 'West', { env: { account: ACCOUNT, region: 'us-west-2' } });
    const source = new Stack(app, 'Source', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const replica = new ReplicaBucket(west, 'Replica');
    new ReplicatedBucket(source, 'Data', {
      destinations: [
        ReplicationDestination.toReplicaBucket(replica, {
          ruleId: 'hot',
          priority: 10,
          prefix: 'orders/',
          storageClass: s3.StorageClass.INFREQUENT_ACCESS,
          deleteMarkerReplication: true,
          replicaModifications: true,
          replicationTimeControl: true,
        }),
        ReplicationDestination.toBucket({
          bucketArn: 'arn:aws:s3:::partner-archive',
          region: 'eu-central-1',
          account: '444444444444',
          replicaKeyArn: 'arn:aws:kms:eu-central-1:444444444444:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          priority: 5,
          tags: { classification: 'archive' },
          ownerOverride: true,
          metrics: false,
        }),
      ],
    });
    const t = Template.fromStack(source);
    t.hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Rules: [
          Match.objectLike({
            Id: 'hot',
            Priority: 10,
            Filter: { Prefix: 'orders/' },
            DeleteMarkerReplication: { Status: 'Enabled' },
            SourceSelectionCriteria: {
              ReplicaModifications: { Status: 'Enabled' },
              SseKmsEncryptedObjects: { Status: 'Enabled' },
            },
            Destination: Match.objectLike({
              StorageClass: 'STANDARD_IA',
              ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
              Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } },
            }),
          }),
          Match.objectLike({
            Id: 'to-eu-central-1',
            Priority: 5,
            Filter: { And: { Prefix: '', TagFilters: [{ Key: 'classification', Value: 'archive' }] } },
            Destination: {
              Bucket: 'arn:aws:s3:::partner-archive',
              Account: '444444444444',
              AccessControlTranslation: { Owner: 'Destination' },
              EncryptionConfiguration: {
                ReplicaKmsKeyID: 'arn:aws:kms:eu-central-1:444444444444:key/1234abcd-12ab-34cd-56ef-1234567890ab',
              },
            },
          }),
        ],
      },
    });
    const statements = policyStatements(t);
    const toHot = statements.find((s) => s.Sid === 'WriteReplicas0');
    expect(toHot.Action).toEqual(['s3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags']);
    expect(JSON.stringify(toHot.Resource)).toContain('/orders/*');
    const toPartner = statements.find((s) => s.Sid === 'WriteReplicas1');
    expect(toPartner.Action).toEqual(['s3:ObjectOwnerOverrideToBucketOwner', 's3:ReplicateObject', 's3:ReplicateTags']);
    expect(toPartner.Resource).toBe('arn:aws:s3:::partner-archive/*');
    // A key given by key ARN is granted by that exact ARN, with no alias condition.
    const partnerKey = statements.find((s) => s.Sid === 'EncryptReplicas1');
    expect(partnerKey.Resource).toBe('arn:aws:kms:eu-central-1:444444444444:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(partnerKey.Condition['ForAnyValue:StringEquals']).toBeUndefined();
  });

  test('reads Object Lock retention and legal holds when Object Lock is on', () => {
    const app = testApp();
    const west = new Stack(app, 'West', { env: { account: ACCOUNT, region: 'us-west-2' } });
    const source = new Stack(app, 'Source', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const replica = new ReplicaBucket(west, 'Replica', {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(30)),
    });
    new ReplicatedBucket(source, 'Data', {
      objectLockEnabled: true,
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    const read = policyStatements(Template.fromStack(source)).find((s) => s.Sid === 'ReadSourceObjectVersions');
    expect(read.Action).toEqual(expect.arrayContaining(['s3:GetObjectRetention', 's3:GetObjectLegalHold']));
    Template.fromStack(source).hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ReplicationConfiguration: Match.anyValue(),
    });
    Template.fromStack(west).hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } },
      },
    });
  });

  test('scopes source object reads to the replicated prefixes when every rule has one', () => {
    const { sourceStack, replica } = twoRegions();
    new ReplicatedBucket(sourceStack, 'Data', {
      destinations: [ReplicationDestination.toReplicaBucket(replica, { prefix: 'critical/' })],
    });
    const read = policyStatements(Template.fromStack(sourceStack)).find((s) => s.Sid === 'ReadSourceObjectVersions');
    expect(JSON.stringify(read.Resource)).toContain('/critical/*');
  });

  test('works with an imported source key', () => {
    const { sourceStack, replica } = twoRegions();
    const key = kms.Key.fromKeyArn(
      sourceStack,
      'Existing',
      'arn:aws:kms:us-east-1:111111111111:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    );
    new ReplicatedBucket(sourceStack, 'Data', {
      encryptionKey: key,
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    const t = Template.fromStack(sourceStack);
    t.resourceCountIs('AWS::KMS::Key', 0);
    const decrypt = policyStatements(t).find((s) => s.Sid === 'DecryptSourceObjects');
    expect(decrypt.Resource).toBe('arn:aws:kms:us-east-1:111111111111:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
  });

  test('metric helpers carry the AWS/S3 replication dimensions of each destination', () => {
    const { sourceStack, replica } = twoRegions();
    const dest = ReplicationDestination.toReplicaBucket(replica);
    const data = new ReplicatedBucket(sourceStack, 'Data', { destinations: [dest] });
    const cases: Array<[string, any, string]> = [
      ['ReplicationLatency', data.metricReplicationLatency({ destination: dest }), 'Maximum'],
      ['OperationsPendingReplication', data.metricOperationsPendingReplication(), 'Maximum'],
      ['BytesPendingReplication', data.metricBytesPendingReplication({ destination: dest }), 'Maximum'],
      ['OperationsFailedReplication', data.metricOperationsFailedReplication({ destination: dest }), 'Sum'],
    ];
    for (const [name, metric, statistic] of cases) {
      expect(metric.namespace).toBe('AWS/S3');
      expect(metric.metricName).toBe(name);
      expect(metric.statistic).toBe(statistic);
      const dims = sourceStack.resolve(metric.dimensions);
      expect(Object.keys(dims).sort()).toEqual(['DestinationBucket', 'RuleId', 'SourceBucket']);
      expect(dims.RuleId).toBe('to-us-west-2');
      expect(dims.DestinationBucket).toMatch(/^[a-z0-9-]+$/);
      expect(dims.SourceBucket).toEqual({ Ref: expect.stringMatching(/DataBucket/) });
    }
  });

  test('metric helpers need the destination when there are several', () => {
    const app = testApp();
    const source = new Stack(app, 'Source', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const r1 = new ReplicaBucket(new Stack(app, 'W', { env: { account: ACCOUNT, region: 'us-west-2' } }), 'R');
    const r2 = new ReplicaBucket(new Stack(app, 'E', { env: { account: ACCOUNT, region: 'us-east-2' } }), 'R');
    const d2 = ReplicationDestination.toReplicaBucket(r2, { priority: 2 });
    const data = new ReplicatedBucket(source, 'Data', {
      destinations: [ReplicationDestination.toReplicaBucket(r1, { priority: 1 }), d2],
    });
    expect(() => data.metricReplicationLatency()).toThrow(/2 destinations: pass the destination/);
    expect(source.resolve(data.metricReplicationLatency({ destination: d2 }).dimensions).RuleId).toBe('to-us-east-2');
    const custom = data.metric('ReplicationLatency', {
      destination: d2,
      period: Duration.minutes(5),
      statistic: 'p99',
    });
    expect([custom.period.toMinutes(), custom.statistic, source.resolve(custom.dimensions).RuleId]).toEqual([
      5,
      'p99',
      'to-us-east-2',
    ]);
  });

  test('fails when a destination is passed where the metric options go (the former positional argument)', () => {
    const { sourceStack, replica } = twoRegions();
    const dest = ReplicationDestination.toReplicaBucket(replica);
    const data = new ReplicatedBucket(sourceStack, 'Data', { destinations: [dest] });
    expect(() => data.metricReplicationLatency(dest as never)).toThrow(
      /props = .*: a ReplicationDestination was given where metric options are expected; fix: pass it as an option: \{ destination \}/,
    );
  });

  test('the example app has one rule from us-east-1 to us-west-2', () => {
    const ex = buildExampleApp(testApp());
    expect(ex.primary.region).toBe('us-east-1');
    expect(ex.replica.region).toBe('us-west-2');
    expect(ex.data.rules.map((r) => r.ruleId)).toEqual(['to-us-west-2']);
  });
});
