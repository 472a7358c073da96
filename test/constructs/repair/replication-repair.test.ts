import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AuditMode,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationDestination,
  ReplicationPairs,
  ReplicationRepair,
  ReplicationRepairProps,
  RepairTarget,
} from '../../../lib';
import * as repair from '../../../lambda/repair/contract';
import { testApp } from '../../support/app';
import { nagFindings } from '../../support/nag';

const A = '111111111111';
const B = '222222222222';

function setup(over: Partial<ReplicationRepairProps> = {}, opts: { crossAccount?: boolean } = {}) {
  const app = testApp();
  const west = new Stack(app, 'West', { env: { account: opts.crossAccount ? B : A, region: 'us-west-2' } });
  const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
  const replica = new ReplicaBucket(west, 'Replica', {
    bucketName: 'orders-replica',
    ...(opts.crossAccount ? { sourceAccount: A, sourceReplicationRoleName: 'orders-replication' } : {}),
  });
  const data = new ReplicatedBucket(east, 'Data', {
    bucketName: 'orders',
    ...(opts.crossAccount ? { replicationRoleName: 'orders-replication' } : {}),
    destinations: [ReplicationDestination.toReplicaBucket(replica, { prefix: 'invoices/' })],
  });
  if (opts.crossAccount) data.grantDrAccess({ account: B });
  const fixer = new ReplicationRepair(west, 'Repair', { ...ReplicationPairs.of(data), ...over });
  return { app, west, east, fixer };
}

const statementsOf = (t: Template, part: string): any[] =>
  Object.entries(t.findResources('AWS::IAM::ManagedPolicy'))
    .filter(([id]) => id.includes(part))
    .flatMap(([, p]: [string, any]) => p.Properties.PolicyDocument.Statement);
/** A resource ARN as text, a reference written `<ref>` (the replica's name is one in its own stack). */
const arn = (r: any): string =>
  typeof r === 'string' ? r : r['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : '<ref>')).join('');
const bySid = (st: any[]) => Object.fromEntries(st.map((s) => [s.Sid, s]));
const actions = (s: any) => [s.Action].flat().sort();

describe('ReplicationRepair', () => {
  test('to the replica (default): reads the source, writes only the replica under the prefix, never deletes', () => {
    const { west, fixer } = setup();
    expect(fixer.to).toBe(RepairTarget.REPLICA);
    const t = Template.fromStack(west);
    const st = bySid(statementsOf(t, 'RepairPolicy'));
    expect(Object.keys(st).sort()).toEqual([
      'DecryptSource',
      'EncryptReplica',
      'HeadReplicaObjects',
      'HeadSourceObjects',
      'ListReplica',
      'ListSource',
      'ReadSourceVersions',
      'WriteReplicaObjects',
    ]);
    expect(actions(st.WriteReplicaObjects)).toEqual(['s3:PutObject', 's3:PutObjectTagging']);
    expect(arn(st.WriteReplicaObjects.Resource)).toBe('arn:aws:s3:::<ref>/invoices/*');
    expect(st.ReadSourceVersions.Resource).toBe('arn:aws:s3:::orders/invoices/*');
    expect(st.HeadSourceObjects).toMatchObject({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::orders/invoices/*' });
    // Only through S3, in each key's region, for that bucket's objects.
    expect(st.DecryptSource.Action).toBe('kms:Decrypt');
    expect(st.DecryptSource.Condition.StringEquals).toEqual({ 'kms:ViaService': 's3.us-east-1.amazonaws.com' });
    expect(st.DecryptSource.Condition.StringLike['kms:EncryptionContext:aws:s3:arn']).toEqual([
      'arn:aws:s3:::orders',
      'arn:aws:s3:::orders/*',
    ]);
    expect(actions(st.EncryptReplica)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    const all = Object.values(st).flatMap(actions);
    expect(all).not.toContain('s3:DeleteObject');
    expect(all).not.toContain('s3:ListBucketVersions');
    expect(st.HeadReplicaVersions).toBeUndefined();
    expect(all.filter((a) => a.includes('*'))).toEqual([]);
    // One run at a time, 15 minutes, and the pair and direction in the environment.
    t.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 1,
      Timeout: 900,
      Environment: {
        Variables: {
          [repair.ENV.sourceBucket]: 'orders',
          [repair.ENV.replicaBucket]: { Ref: Match.stringLikeRegexp('ReplicaBucket') },
          [repair.ENV.sourcePrefix]: 'invoices/',
          [repair.ENV.to]: 'replica',
          [repair.ENV.allowDelete]: 'false',
          [repair.ENV.mode]: 'current',
        },
      },
    });
  });

  test('to the source, versions, deletes allowed: reads the replica and writes the source, which the environment says', () => {
    const { west } = setup({ to: RepairTarget.SOURCE, allowDelete: true, mode: AuditMode.VERSIONS });
    const t = Template.fromStack(west);
    const st = bySid(statementsOf(t, 'RepairPolicy'));
    expect(actions(st.WriteSourceObjects)).toEqual(['s3:DeleteObject', 's3:PutObject', 's3:PutObjectTagging']);
    expect(st.WriteSourceObjects.Resource).toBe('arn:aws:s3:::orders/invoices/*');
    expect(arn(st.ReadReplicaVersions.Resource)).toBe('arn:aws:s3:::<ref>/invoices/*');
    expect(st.ListVersionsBothSides.Resource.map(arn)).toEqual(['arn:aws:s3:::orders', 'arn:aws:s3:::<ref>']);
    // A versions audit HEADs versions on both sides: the replica through ReadReplicaVersions.
    expect(st.HeadSourceVersions).toMatchObject({
      Action: 's3:GetObjectVersion',
      Resource: 'arn:aws:s3:::orders/invoices/*',
    });
    expect(st.ReadReplicaVersions.Action).toContain('s3:GetObjectVersion');
    expect(st.WriteReplicaObjects).toBeUndefined();
    expect(actions(st.EncryptSource)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(st.DecryptReplica.Action).toBe('kms:Decrypt');
    const fn = Object.values(t.findResources('AWS::Lambda::Function'))[0] as any;
    const env = fn.Properties.Environment.Variables;
    expect([env[repair.ENV.to], env[repair.ENV.allowDelete], env[repair.ENV.mode]]).toEqual([
      'source',
      'true',
      'versions',
    ]);
  });

  test('grantInvoke allows lambda:InvokeFunction on this function only', () => {
    const { west, fixer } = setup({ lagWindow: Duration.minutes(5) });
    const operator = new iam.Role(west, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    fixer.grantInvoke(operator);
    const t = Template.fromStack(west);
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p: any) =>
      JSON.stringify(p.Properties.Roles).includes('Operator'),
    ) as any[];
    const st = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(st.flatMap(actions)).toEqual(['lambda:InvokeFunction']);
    expect(JSON.stringify(st.map((s) => s.Resource))).toContain('RepairHandlerFunction');
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [repair.ENV.lagWindowSeconds]: '300' } },
    });
  });

  test('across accounts: the source bucket policy grants the repair role what it writes to the source', () => {
    const { app, east } = setup({ to: RepairTarget.SOURCE }, { crossAccount: true });
    app.synth();
    const st = Object.values(Template.fromStack(east).findResources('AWS::S3::BucketPolicy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => /^CdkS3DrRepair/.test(s.Sid ?? ''));
    expect(st.map((s) => s.Sid).sort()).toEqual(['CdkS3DrRepair1Bucket', 'CdkS3DrRepair1Objects']);
    const granted = st.flatMap(actions);
    expect(granted).toEqual(expect.arrayContaining(['s3:ListBucket', 's3:GetObject', 's3:PutObject']));
    expect(granted).not.toContain('s3:DeleteObject');
    expect(JSON.stringify(st)).toContain(B);
  });

  test('has no unacknowledged cdk-nag finding, and each acknowledgement has a reason', () => {
    const { app } = setup({ to: RepairTarget.SOURCE, allowDelete: true });
    expect(nagFindings(app)).toEqual([]);
  });

  test.each<[string, Partial<ReplicationRepairProps>, RegExp]>([
    ['an unknown side', { to: 'backup' as RepairTarget }, /to = "backup": unknown side; fix: use RepairTarget.REPLICA/],
    [
      'an unknown mode',
      { mode: 'all' as AuditMode },
      /mode = "all": unknown audit mode; fix: use AuditMode.CURRENT or AuditMode.VERSIONS/,
    ],
    ['a lag window over 7 days', { lagWindow: Duration.days(8) }, /lagWindow = "8 days": a lag window over 7 days/],
    ['memory out of range', { memorySize: 64 }, /memorySize = 64/],
    ['the wrong region', { replicaRegion: 'eu-west-1' }, /replicaRegion = "eu-west-1": this stack is in us-west-2/],
  ])('fails at synth on %s, naming the prop, the value and the fix', (_n, over, message) => {
    expect(() => setup(over)).toThrow(message);
  });
});
