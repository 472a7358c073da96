import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  AuditMode,
  ConsistencyAudit,
  FailoverController,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationDestination,
  ReplicationPairs,
  ReplicationProbe,
  RestoreDrill,
} from '../../lib';
import { testApp } from '../support/app';
import { nagFindings } from '../support/nag';

const A = '111111111111'; // the source account
const B = '222222222222'; // the disaster recovery account

/** Source in account A (us-east-1); replica, audit, drill, probe and controller in account B (us-west-2). */
function composition(opts: { grant?: boolean; sourceKey?: kms.IKey; app?: App; failbackRepair?: boolean } = {}) {
  const app = opts.app ?? testApp();
  const west = new Stack(app, 'Dr', { env: { account: B, region: 'us-west-2' } });
  const east = new Stack(app, 'Primary', { env: { account: A, region: 'us-east-1' } });
  const replica = new ReplicaBucket(west, 'Replica', {
    sourceAccount: A,
    sourceReplicationRoleName: 'orders-replication',
  });
  const data = new ReplicatedBucket(east, 'Orders', {
    replicationRoleName: 'orders-replication',
    encryptionKey: opts.sourceKey,
    destinations: [ReplicationDestination.toReplicaBucket(replica)],
  });
  if (opts.grant !== false) data.grantDrAccess({ account: B });
  const pair = ReplicationPairs.of(data);
  const key = replica.encryptionKey;
  const audit = new ConsistencyAudit(west, 'Audit', { ...pair, encryptionKey: key });
  const drill = new RestoreDrill(west, 'Drill', { ...pair, encryptionKey: key, reportsBucket: audit.reportsBucket });
  const probe = new ReplicationProbe(west, 'Probe', { ...pair, encryptionKey: key });
  const controller = new FailoverController(west, 'Failover', {
    probe,
    encryptionKey: key,
    reportsBucket: audit.reportsBucket,
    failbackRepair: opts.failbackRepair,
  });
  return { app, west, east, replica, data, audit, drill, probe, controller };
}

/** The fixed name a DR construct gives its role (the L1 property: the L2's roleName is a Ref in its own stack). */
const roleNameOf = (c: { handler: lambda.Function }, _stack?: Stack) =>
  (c.handler.role!.node.defaultChild as iam.CfnRole).roleName as string;

describe('cross-account disaster recovery', () => {
  test('failbackRepair: the source also grants the controller what its repair writes there, and nothing without it', () => {
    const repairSids = (c: ReturnType<typeof composition>) => {
      const t = Template.fromStack(c.east);
      const statements = [
        ...Object.values(t.findResources('AWS::S3::BucketPolicy')).flatMap(
          (p: any) => p.Properties.PolicyDocument.Statement,
        ),
        ...Object.values(t.findResources('AWS::KMS::Key')).flatMap((k: any) => k.Properties.KeyPolicy.Statement),
      ];
      return statements.filter((st: any) => /^CdkS3DrRepair/.test(st.Sid ?? ''));
    };
    expect(repairSids(composition())).toEqual([]);
    const c = composition({ failbackRepair: true });
    const granted = Object.fromEntries(
      repairSids(c).map((st: any) => [st.Sid.replace(/^CdkS3DrRepair\d+/, 'CdkS3DrRepair'), st]),
    );
    expect(Object.keys(granted).sort()).toEqual(['CdkS3DrRepairBucket', 'CdkS3DrRepairKey', 'CdkS3DrRepairObjects']);
    expect(granted.CdkS3DrRepairBucket.Action).toBe('s3:ListBucketVersions');
    expect([granted.CdkS3DrRepairObjects.Action].flat().sort()).toEqual([
      's3:DeleteObject',
      's3:GetObjectVersion',
      's3:PutObject',
      's3:PutObjectTagging',
    ]);
    expect([granted.CdkS3DrRepairKey.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    const roleArn = `arn:aws:iam::${B}:role/${roleNameOf(c.controller, c.west)}`;
    for (const st of Object.values(granted) as any[])
      expect(st.Condition.ArnEquals).toEqual({ 'aws:PrincipalArn': roleArn });
  });

  test('the source grants each DR role exactly its own access, by account principal and role ARN', () => {
    const c = composition();
    const t = Template.fromStack(c.east);
    const bucketId = c.east.getLogicalId(c.data.bucket.node.defaultChild as any);
    const arn = { 'Fn::GetAtt': [bucketId, 'Arn'] };
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [arn, `/${prefix}*`]] });
    const role = (name: string) => ({ ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${B}:role/${name}` } });
    const names = {
      audit: roleNameOf(c.audit, c.west),
      drill: roleNameOf(c.drill, c.west),
      probe: roleNameOf(c.probe, c.west),
      failback: roleNameOf(c.controller, c.west),
    };
    expect(names.audit).toMatch(/^Dr-Audit-[0-9A-F]{8}-us-west-2$/);
    // The probe is named after the source bucket: a Ref in the source's own stack.
    const canaries = `.cdk-s3-dr/canary/${c.probe.probeName}/`;
    const principal = { AWS: `arn:aws:iam::${B}:root` };
    const policy = Object.values(t.findResources('AWS::S3::BucketPolicy')).find(
      (p: any) => p.Properties.Bucket.Ref === bucketId,
    ) as any;
    const dr = policy.Properties.PolicyDocument.Statement.filter((s: any) => /^CdkS3Dr/.test(s.Sid ?? ''));
    expect(dr).toEqual([
      {
        Sid: 'CdkS3DrAudit1Bucket',
        Effect: 'Allow',
        Principal: principal,
        Action: 's3:ListBucket',
        Resource: arn,
        Condition: role(names.audit),
      },
      {
        Sid: 'CdkS3DrAudit1Objects',
        Effect: 'Allow',
        Principal: principal,
        Action: 's3:GetObject',
        Resource: objects(''),
        Condition: role(names.audit),
      },
      {
        Sid: 'CdkS3DrDrill2Bucket',
        Effect: 'Allow',
        Principal: principal,
        Action: 's3:ListBucket',
        Resource: arn,
        Condition: role(names.drill),
      },
      {
        Sid: 'CdkS3DrDrill2Objects',
        Effect: 'Allow',
        Principal: principal,
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: objects(''),
        Condition: role(names.drill),
      },
      {
        Sid: 'CdkS3DrProbe3Bucket',
        Effect: 'Allow',
        Principal: principal,
        Action: 's3:ListBucketVersions',
        Resource: arn,
        Condition: { ...role(names.probe), StringLike: { 's3:prefix': c.east.resolve([canaries, `${canaries}*`]) } },
      },
      {
        Sid: 'CdkS3DrProbe3Objects',
        Effect: 'Allow',
        Principal: principal,
        Action: ['s3:DeleteObjectVersion', 's3:GetObject', 's3:PutObject'],
        Resource: c.east.resolve(c.data.bucket.arnForObjects(`${canaries}*`)),
        Condition: role(names.probe),
      },
      {
        Sid: 'CdkS3DrFailback4Bucket',
        Effect: 'Allow',
        Principal: principal,
        Action: 's3:ListBucket',
        Resource: arn,
        Condition: role(names.failback),
      },
      {
        Sid: 'CdkS3DrFailback4Objects',
        Effect: 'Allow',
        Principal: principal,
        Action: 's3:GetObject',
        Resource: objects(''),
        Condition: role(names.failback),
      },
    ]);

    const keyId = c.east.getLogicalId(c.data.encryptionKey!.node.defaultChild as any);
    const keyPolicy = t.toJSON().Resources[keyId].Properties.KeyPolicy.Statement;
    const via = { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } };
    expect(keyPolicy.filter((s: any) => /^CdkS3Dr/.test(s.Sid ?? ''))).toEqual([
      {
        Sid: 'CdkS3DrDrill2Key',
        Effect: 'Allow',
        Principal: principal,
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { ...role(names.drill), ...via },
      },
      {
        Sid: 'CdkS3DrProbe3Key',
        Effect: 'Allow',
        Principal: principal,
        Action: 'kms:GenerateDataKey',
        Resource: '*',
        Condition: { ...role(names.probe), ...via },
      },
    ]);

    // The names granted are the names the DR stack gives its roles.
    const w = Template.fromStack(c.west);
    for (const name of Object.values(names)) w.hasResourceProperties('AWS::IAM::Role', { RoleName: name });
  });

  test("follows each construct's own options: an audit of versions under a prefix", () => {
    const app = testApp();
    const west = new Stack(app, 'Dr', { env: { account: B, region: 'us-west-2' } });
    const east = new Stack(app, 'Primary', { env: { account: A, region: 'us-east-1' } });
    const replica = new ReplicaBucket(west, 'Replica', { sourceAccount: A, sourceReplicationRoleName: 'r' });
    const data = new ReplicatedBucket(east, 'Orders', {
      bucketName: 'orders-prod',
      replicationRoleName: 'r',
      destinations: [ReplicationDestination.toReplicaBucket(replica, { prefix: 'orders/' })],
    });
    data.grantDrAccess({ account: B });
    new ConsistencyAudit(west, 'Audit', { ...ReplicationPairs.of(data), mode: AuditMode.VERSIONS });
    const statements = Object.values(Template.fromStack(east).findResources('AWS::S3::BucketPolicy')).flatMap(
      (p: any) => p.Properties.PolicyDocument.Statement.filter((st: any) => /^CdkS3Dr/.test(st.Sid ?? '')),
    );
    expect(statements.map((st: any) => [st.Sid, st.Action, east.resolve(st.Resource)])).toEqual([
      ['CdkS3DrAudit1Bucket', ['s3:ListBucket', 's3:ListBucketVersions'], expect.anything()],
      [
        'CdkS3DrAudit1Objects',
        ['s3:GetObject', 's3:GetObjectVersion'],
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.any(String), 'Arn'] }, '/orders/*']] },
      ],
    ]);
  });

  test('grants the same whichever is created first, the grant or the DR constructs', () => {
    const early = composition();
    const late = composition({ grant: false });
    late.data.grantDrAccess({ account: B });
    const statements = (s: Stack) =>
      Object.values(Template.fromStack(s).findResources('AWS::S3::BucketPolicy')).flatMap((p: any) =>
        p.Properties.PolicyDocument.Statement.filter((st: any) => /^CdkS3Dr/.test(st.Sid ?? '')),
      );
    expect(statements(late.east)).toHaveLength(8);
    expect(statements(late.east)).toEqual(statements(early.east));
  });

  test('fails at synth when the source grants nothing to the account a DR construct runs in', () => {
    const c = composition({ grant: false });
    let message = '';
    try {
      c.app.synth();
    } catch (e) {
      message = String((e as Error).message);
    }
    for (const path of ['Dr/Audit', 'Dr/Drill', 'Dr/Probe', 'Dr/Failover']) expect(message).toContain(path);
    expect(message).toContain(`grants nothing to account ${B}`);
    expect(message).toContain(`fix: call grantDrAccess({ account: '${B}' }) on Primary/Orders`);
  });

  test('warns with the exact statements to add when the source is outside the app', () => {
    const app = testApp();
    const west = new Stack(app, 'Dr', { env: { account: B, region: 'us-west-2' } });
    const audit = new ConsistencyAudit(west, 'Audit', {
      sourceBucketName: 'orders-prod',
      sourceRegion: 'us-east-1',
      sourceAccount: A,
      replicaBucketName: 'orders-prod-replica',
      replicaRegion: 'us-west-2',
    });
    const drill = new RestoreDrill(west, 'Drill', {
      sourceBucketName: 'orders-prod',
      sourceRegion: 'us-east-1',
      sourceAccount: A,
      sourceKeyArn: `arn:aws:kms:us-east-1:${A}:key/11111111-2222-3333-4444-555555555555`,
      replicaBucketName: 'orders-prod-replica',
      replicaRegion: 'us-west-2',
      reportsBucket: audit.reportsBucket,
    });
    const warnings = Annotations.fromStack(west).findWarning('*', Match.stringLikeRegexp('is not in this app'));
    expect(warnings.map((w) => w.id)).toEqual(['/Dr/Audit', '/Dr/Drill']);
    const auditRole = `arn:aws:iam::${B}:role/${roleNameOf(audit, west)}`;
    const text = String(warnings[0].entry.data);
    expect(text).toContain('"Action":"s3:ListBucket"');
    expect(text).toContain('"Resource":"arn:aws:s3:::orders-prod/*"');
    expect(text).toContain(`"ArnEquals":{"aws:PrincipalArn":"${auditRole}"}`);
    const drillText = String(warnings[1].entry.data);
    expect(drillText).toContain(`arn:aws:iam::${B}:role/${roleNameOf(drill, west)}`);
    expect(drillText).toContain('and to its key policy');
    expect(drillText).toContain(
      '"kms:EncryptionContext:aws:s3:arn":["arn:aws:s3:::orders-prod","arn:aws:s3:::orders-prod/*"]',
    );
  });

  test('warns with the key statement when the source key is not a key of this app', () => {
    const app = testApp();
    const east = new Stack(app, 'KeyHolder', { env: { account: A, region: 'us-east-1' } });
    const sourceKey = kms.Key.fromKeyArn(
      east,
      'Imported',
      `arn:aws:kms:us-east-1:${A}:key/11111111-2222-3333-4444-555555555555`,
    );
    const c = composition({ app, sourceKey });
    const warnings = Annotations.fromStack(c.east).findWarning('*', Match.stringLikeRegexp('not a key of this app'));
    expect(warnings.map((w) => String(w.entry.data).match(/"Action":"(kms:[A-Za-z]+)"/)?.[1])).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
    ]);
  });

  test('fails when a cross-account pair does not say its source account', () => {
    const app = testApp();
    const west = new Stack(app, 'Dr', { env: { account: B, region: 'us-west-2' } });
    const east = new Stack(app, 'Primary', { env: { account: A, region: 'us-east-1' } });
    const replica = new ReplicaBucket(west, 'Replica', {
      sourceAccount: A,
      sourceReplicationRoleName: 'orders-replication',
    });
    const data = new ReplicatedBucket(east, 'Orders', {
      replicationRoleName: 'orders-replication',
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    data.grantDrAccess({ account: B });
    const { sourceAccount: _omitted, ...pair } = ReplicationPairs.of(data);
    new ConsistencyAudit(west, 'Audit', pair);
    expect(() => app.synth()).toThrow(
      /but its pair does not say so \(sourceAccount not set\); fix: .*sourceAccount: '111111111111'/,
    );
  });

  test('fails when the replica trusts another role name than the source uses', () => {
    const app = testApp();
    const west = new Stack(app, 'Dr', { env: { account: B, region: 'us-west-2' } });
    const east = new Stack(app, 'Primary', { env: { account: A, region: 'us-east-1' } });
    const replica = new ReplicaBucket(west, 'Replica', {
      sourceAccount: A,
      sourceReplicationRoleName: 'orders-replication',
    });
    expect(
      () =>
        new ReplicatedBucket(east, 'Orders', {
          replicationRoleName: 'orders-repl',
          destinations: [ReplicationDestination.toReplicaBucket(replica)],
        }),
    ).toThrow(
      /replicationRoleName = "orders-repl": the replica Dr\/Replica \(account 222222222222\) trusts the role "orders-replication" of account 111111111111, not "orders-repl".*fix: use one name on both sides: replicationRoleName: 'orders-replication' here, or sourceReplicationRoleName: 'orders-repl' on the ReplicaBucket/,
    );
  });

  test('fails when a replica in another account allows no account, or another one', () => {
    const app = testApp();
    const west = new Stack(app, 'Dr', { env: { account: B, region: 'us-west-2' } });
    const east = new Stack(app, 'Primary', { env: { account: A, region: 'us-east-1' } });
    const open = new ReplicaBucket(west, 'Closed');
    expect(
      () => new ReplicatedBucket(east, 'Orders', { destinations: [ReplicationDestination.toReplicaBucket(open)] }),
    ).toThrow(
      /allows no other account; S3 would deny replication from account 111111111111; fix: set sourceAccount: '111111111111' and sourceReplicationRoleName: 'Primary-Orders-[0-9A-F]{8}-us-east-1'/,
    );
    const other = new ReplicaBucket(west, 'Other', { sourceAccount: '333333333333', sourceReplicationRoleName: 'x' });
    expect(
      () => new ReplicatedBucket(east, 'Orders2', { destinations: [ReplicationDestination.toReplicaBucket(other)] }),
    ).toThrow(/allows account 333333333333, but this bucket is in account 111111111111/);
  });

  test('grantDrAccess fails on a malformed account or the bucket own account', () => {
    const c = composition();
    expect(() => c.data.grantDrAccess({ account: '2222' })).toThrow(
      /account = "2222": an AWS account id is exactly 12 digits/,
    );
    expect(() => c.data.grantDrAccess({ account: A })).toThrow(/this is the bucket's own account/);
  });

  test('the same account is unchanged: no fixed role names, no DR statements in source policies', () => {
    const app = testApp();
    const west = new Stack(app, 'Dr', { env: { account: A, region: 'us-west-2' } });
    const east = new Stack(app, 'Primary', { env: { account: A, region: 'us-east-1' } });
    const replica = new ReplicaBucket(west, 'Replica');
    const data = new ReplicatedBucket(east, 'Orders', {
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    const pair = ReplicationPairs.of(data);
    const audit = new ConsistencyAudit(west, 'Audit', { ...pair, encryptionKey: replica.encryptionKey });
    const probe = new ReplicationProbe(west, 'Probe', { ...pair, encryptionKey: replica.encryptionKey });
    new FailoverController(west, 'Failover', {
      probe,
      encryptionKey: replica.encryptionKey,
      reportsBucket: audit.reportsBucket,
    });
    const roles = Object.values(Template.fromStack(west).findResources('AWS::IAM::Role')) as any[];
    expect(roles.filter((r) => r.Properties.RoleName !== undefined)).toEqual([]);
    const json = JSON.stringify(Template.fromStack(east).toJSON());
    expect(json).not.toContain('CdkS3Dr');
    expect(() => app.synth()).not.toThrow();
  });

  test('has zero cdk-nag findings in all four packs', () => {
    const c = composition();
    expect(nagFindings(c.app)).toEqual([]);
  });
});
