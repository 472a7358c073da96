import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  AuditInventory,
  ConsistencyAudit,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationDestination,
  ReplicationPairs,
} from '../../../lib';
import { testApp } from '../../support/app';
import { nagFindings } from '../../support/nag';

const ACCOUNT = '111111111111';

function setup() {
  const app = testApp();
  const west = new Stack(app, 'West', { env: { account: ACCOUNT, region: 'us-west-2' } });
  const east = new Stack(app, 'East', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const replica = new ReplicaBucket(west, 'Replica');
  const data = new ReplicatedBucket(east, 'Data', { destinations: [ReplicationDestination.toReplicaBucket(replica)] });
  const sourceInventory = new AuditInventory(east, 'SourceInventory', { bucket: data.bucket });
  const replicaInventory = new AuditInventory(west, 'ReplicaInventory', { bucket: replica.bucket });
  const audit = new ConsistencyAudit(west, 'Audit', {
    ...ReplicationPairs.of(data),
    sourceInventory: sourceInventory.location,
    replicaInventory: replicaInventory.location,
  });
  return { app, west, east, audit, data, replica, sourceInventory, replicaInventory };
}

describe('AuditInventory with ConsistencyAudit', () => {
  test('configures a daily CSV inventory of all versions with the fields the audit reads', () => {
    const { east, west } = setup();
    for (const stack of [east, west]) {
      Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
        InventoryConfigurations: [
          {
            Id: 'cdk-s3-dr-audit',
            Enabled: true,
            IncludedObjectVersions: 'All',
            ScheduleFrequency: 'Daily',
            Destination: { Format: 'CSV', Prefix: 'inventory', BucketArn: Match.anyValue() },
            OptionalFields: [
              'Size',
              'LastModifiedDate',
              'ETag',
              'StorageClass',
              'IsMultipartUploaded',
              'ReplicationStatus',
              'EncryptionStatus',
              'ChecksumAlgorithm',
            ],
          },
        ],
      });
    }
  });

  test('lets S3 deliver only for the inventoried bucket of this account, with bucket-owner-full-control', () => {
    const { east } = setup();
    const t = Template.fromStack(east);
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [Match.anyValue(), '/inventory/*']] },
            Condition: {
              StringEquals: { 'aws:SourceAccount': ACCOUNT, 's3:x-amz-acl': 'bucket-owner-full-control' },
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
    // The only statement for s3.amazonaws.com: aws-cdk-lib adds none of its own.
    const policies = Object.values(t.findResources('AWS::S3::BucketPolicy')) as any[];
    const s3Statements = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => s.Principal?.Service === 's3.amazonaws.com' && s.Effect === 'Allow');
    expect(s3Statements).toHaveLength(1);
    // The reports key lets S3 make data keys for the same source only.
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 's3.amazonaws.com' },
            Action: 'kms:GenerateDataKey',
            Condition: {
              StringEquals: { 'aws:SourceAccount': ACCOUNT },
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
  });

  test('the audit runs in inventory mode and may read only the two inventory folders', () => {
    const { west } = setup();
    const t = Template.fromStack(west);
    t.hasResourceProperties('AWS::Lambda::Function', {
      EphemeralStorage: { Size: 10240 },
      Environment: {
        Variables: Match.objectLike({
          SOURCE_INVENTORY: Match.anyValue(),
          REPLICA_INVENTORY: Match.anyValue(),
        }),
      },
    });
    const policy = Object.entries(t.findResources('AWS::IAM::ManagedPolicy')).find(([id]) =>
      id.includes('InventoryReadPolicy'),
    )![1] as any;
    const st = policy.Properties.PolicyDocument.Statement as any[];
    expect(st.map((s) => s.Sid)).toEqual([
      'ListSourceInventory',
      'ReadSourceInventory',
      'DecryptSourceInventory',
      'ListReplicaInventory',
      'ReadReplicaInventory',
      'DecryptReplicaInventory',
    ]);
    for (const s of st) expect([].concat(s.Action).some((a: string) => a.includes('*'))).toBe(false);
    expect(st[0].Condition.StringLike['s3:prefix']).toEqual([
      expect.stringMatching(/^inventory\/.+\/cdk-s3-dr-audit\/\*$/),
    ]);
    expect(st[2].Condition.StringEquals['kms:ViaService']).toBe('s3.us-east-1.amazonaws.com');
    expect(st[5].Condition.StringEquals['kms:ViaService']).toBe('s3.us-west-2.amazonaws.com');
  });

  test('is cdk-nag clean', () => {
    const { app } = setup();
    expect(nagFindings(app)).toEqual([]);
  });
});
