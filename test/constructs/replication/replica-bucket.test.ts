import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ReplicaBucket } from '../../../lib';
import { testApp } from '../../support/app';

const replicaStack = () => new Stack(testApp(), 'Replica', { env: { account: '333333333333', region: 'us-west-2' } });

describe('ReplicaBucket', () => {
  test('defaults: versioned, own-region KMS key with rotation, private, TLS-only, logged, retained', () => {
    const stack = replicaStack();
    const replica = new ReplicaBucket(stack, 'Replica');
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::S3::Bucket', 2); // replica + its access log bucket
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
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'replica/' },
      }),
    });
    t.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ EnableKeyRotation: true }),
    });
    expect(replica.replicaKeyArn).toBe(`arn:aws:kms:us-west-2:333333333333:${replica.keyAliasName}`);
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: replica.keyAliasName });
    // The log bucket uses SSE-S3, the only encryption S3 log delivery accepts.
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 365 })] },
    });
  });

  test('same account: writes no bucket or key policy statement for replication', () => {
    const stack = replicaStack();
    new ReplicaBucket(stack, 'Replica');
    const t = Template.fromStack(stack);
    const policies = Object.values(t.findResources('AWS::S3::BucketPolicy')) as any[];
    for (const p of policies) {
      for (const st of p.Properties.PolicyDocument.Statement)
        expect(st.Action).not.toEqual(expect.arrayContaining(['s3:ReplicateObject']));
    }
    const key = Object.values(t.findResources('AWS::KMS::Key'))[0] as any;
    // The account's own statement and the deny of grants not for AWS resources (CT.KMS.PR.3).
    expect(key.Properties.KeyPolicy.Statement.map((s: any) => s.Sid ?? s.Effect)).toEqual([
      'Allow',
      'DenyGrantsExceptForAwsServices',
    ]);
  });

  test('cross-account: grants the source account, conditioned on the replication role ARN', () => {
    const stack = replicaStack();
    new ReplicaBucket(stack, 'Replica', {
      sourceAccount: '222222222222',
      sourceReplicationRoleName: 'orders-replication',
    });
    const t = Template.fromStack(stack);
    const roleArn = 'arn:aws:iam::222222222222:role/orders-replication';
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'CdkS3DrReplicateFromSourceAccount',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::222222222222:root' },
            Action: [
              's3:ObjectOwnerOverrideToBucketOwner',
              's3:ReplicateDelete',
              's3:ReplicateObject',
              's3:ReplicateTags',
            ],
            Condition: { ArnEquals: { 'aws:PrincipalArn': roleArn } },
          }),
          Match.objectLike({
            Sid: 'CdkS3DrSourceAccountChecksVersioning',
            Action: ['s3:GetBucketVersioning', 's3:ListBucket'],
          }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'CdkS3DrEncryptReplicasForSourceAccount',
            Principal: { AWS: 'arn:aws:iam::222222222222:root' },
            Action: ['kms:Decrypt', 'kms:Encrypt'],
            Condition: {
              ArnEquals: { 'aws:PrincipalArn': roleArn },
              StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' },
            },
          }),
        ]),
      },
    });
  });

  test('Object Lock with a default retention, lifecycle for replicas, and a removal policy', () => {
    const stack = replicaStack();
    new ReplicaBucket(stack, 'Replica', {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(7)),
      lifecycleRules: [
        {
          noncurrentVersionTransitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(30) }],
        },
      ],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const t = Template.fromStack(stack);
    t.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 7 } },
        },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({ NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER', TransitionInDays: 30 }] }),
          ],
        },
      }),
    });
  });

  test('an existing bucket and key: creates neither, uses the key ARN as the replica key', () => {
    const stack = replicaStack();
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Existing', {
      bucketName: 'team-replica',
      region: 'us-west-2',
    });
    const key = kms.Key.fromKeyArn(
      stack,
      'ExistingKey',
      'arn:aws:kms:us-west-2:333333333333:key/11111111-2222-3333-4444-555555555555',
    );
    const replica = new ReplicaBucket(stack, 'Replica', { bucket, encryptionKey: key });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::S3::Bucket', 0);
    t.resourceCountIs('AWS::KMS::Key', 0);
    expect(replica.replicaKeyArn).toBe('arn:aws:kms:us-west-2:333333333333:key/11111111-2222-3333-4444-555555555555');
    expect(replica.bucket.bucketName).toBe('team-replica');
  });

  test('an existing key of this app gets an alias so other regions can reference it', () => {
    const stack = replicaStack();
    const key = new kms.Key(stack, 'TeamKey', { enableKeyRotation: true });
    const replica = new ReplicaBucket(stack, 'Replica', { encryptionKey: key });
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 1);
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Alias', { AliasName: replica.keyAliasName });
    expect(replica.replicaKeyArn).toMatch(/^arn:aws:kms:us-west-2:333333333333:alias\/cdk-s3-dr\//);
  });

  test('cross-account with imported bucket and key: warns with the statements to add', () => {
    const stack = replicaStack();
    new ReplicaBucket(stack, 'Replica', {
      bucket: s3.Bucket.fromBucketName(stack, 'Existing', 'team-replica'),
      encryptionKey: kms.Key.fromKeyArn(
        stack,
        'K',
        'arn:aws:kms:us-west-2:333333333333:key/11111111-2222-3333-4444-555555555555',
      ),
      sourceAccount: '222222222222',
      sourceReplicationRoleName: 'orders-replication',
    });
    const warnings = Annotations.fromStack(stack).findWarning(
      '*',
      Match.stringLikeRegexp('arn:aws:iam::222222222222:role/orders-replication'),
    );
    expect(warnings).toHaveLength(2);
  });
});
