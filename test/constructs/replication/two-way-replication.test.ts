import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  FailoverController,
  FailoverPlan,
  ReplicationDirections,
  ReplicationProbe,
  TwoWayReplication,
  TwoWayReplicationProps,
} from '../../../lib';
import { buildTwoWayExample } from '../../../bin/example-two-way';
import { GUARD_PLUGIN } from '../../../lib/private/guard';
import { testApp } from '../../support/app';
import { twoWayComposition } from '../../support/compositions';
import { guardFindings } from '../../support/guard';
import { allAcknowledgements, nagFindings } from '../../support/nag';
import { synthesizeTo } from '../../support/synth';

const A = '111111111111';
const B = '222222222222';

function pair(opts: { accountB?: string; app?: App; props?: Partial<TwoWayReplicationProps> } = {}): {
  app: App;
  east: Stack;
  west: Stack;
  twoWay: TwoWayReplication;
} {
  const app = opts.app ?? testApp();
  const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
  const west = new Stack(app, 'West', { env: { account: opts.accountB ?? A, region: 'us-west-2' } });
  const twoWay = new TwoWayReplication({
    first: { scope: east, id: 'Orders', bucketName: 'orders-use1' },
    second: { scope: west, id: 'Orders', bucketName: 'orders-usw2' },
    ...opts.props,
  });
  return { app, east, west, twoWay };
}

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, any>;
}

function resourcesOf(t: Template, type: string): Array<[string, Resource]> {
  return Object.entries(t.findResources(type)) as Array<[string, Resource]>;
}

/** The one bucket of a side that has a replication configuration. */
function replicatedBucket(t: Template): [string, Resource] {
  const found = resourcesOf(t, 'AWS::S3::Bucket').filter(([, r]) => r.Properties.ReplicationConfiguration);
  expect(found).toHaveLength(1);
  return found[0];
}

/** What each side's template says about its rule, its key and what it receives. */
function side(stack: Stack) {
  const t = Template.fromStack(stack);
  const [bucketId, bucket] = replicatedBucket(t);
  const config = bucket.Properties.ReplicationConfiguration;
  const keyId =
    bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
      .KMSMasterKeyID['Fn::GetAtt'][0];
  const aliases = resourcesOf(t, 'AWS::KMS::Alias')
    .filter(([, a]) => a.Properties.TargetKeyId['Fn::GetAtt']?.[0] === keyId)
    .map(([, a]) => a.Properties.AliasName);
  const roleId = config.Role['Fn::GetAtt'][0];
  return { t, bucketId, bucket, config, rule: config.Rules[0], keyId, aliases, roleId };
}

describe('two-way replication, same account', () => {
  const { east, west, twoWay } = pair();
  const e = side(east);
  const w = side(west);

  test('each bucket has one rule to the other, with replica modification sync and SSE-KMS objects selected', () => {
    for (const [s, other] of [
      [e, 'orders-usw2'],
      [w, 'orders-use1'],
    ] as const) {
      expect(s.config.Rules).toHaveLength(1);
      expect(s.rule).toMatchObject({
        Status: 'Enabled',
        Filter: { Prefix: '' },
        Destination: { Bucket: `arn:aws:s3:::${other}` },
        SourceSelectionCriteria: {
          ReplicaModifications: { Status: 'Enabled' },
          SseKmsEncryptedObjects: { Status: 'Enabled' },
        },
      });
      // One rule per bucket: no priority needed, and nothing else could match an object twice.
      expect(s.rule.Priority).toBeUndefined();
      // Same account: no destination account, no owner override.
      expect(s.rule.Destination.Account).toBeUndefined();
      expect(s.rule.Destination.AccessControlTranslation).toBeUndefined();
    }
  });

  test('both buckets are versioned and named literally', () => {
    expect(e.bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(w.bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(e.bucket.Properties.BucketName).toBe('orders-use1');
    expect(w.bucket.Properties.BucketName).toBe('orders-usw2');
  });

  test('delete markers replicate the same way on both rules (on by default)', () => {
    expect(e.rule.DeleteMarkerReplication).toEqual({ Status: 'Enabled' });
    expect(w.rule.DeleteMarkerReplication).toEqual({ Status: 'Enabled' });
    const off = pair({ props: { deleteMarkerReplication: false } });
    expect(side(off.east).rule.DeleteMarkerReplication).toEqual({ Status: 'Disabled' });
    expect(side(off.west).rule.DeleteMarkerReplication).toEqual({ Status: 'Disabled' });
  });

  test("each rule encrypts replicas with the receiving bucket's own key, by the alias that key carries", () => {
    expect(e.rule.Destination.EncryptionConfiguration.ReplicaKmsKeyID).toBe(
      `arn:aws:kms:us-west-2:${A}:alias/cdk-s3-dr/two-way/orders-usw2`,
    );
    expect(w.rule.Destination.EncryptionConfiguration.ReplicaKmsKeyID).toBe(
      `arn:aws:kms:us-east-1:${A}:alias/cdk-s3-dr/two-way/orders-use1`,
    );
    // The alias named by the other side is on the key that encrypts this side's bucket.
    expect(w.aliases).toContain('alias/cdk-s3-dr/two-way/orders-usw2');
    expect(e.aliases).toContain('alias/cdk-s3-dr/two-way/orders-use1');
    expect(twoWay.firstKeyArn).toBe(`arn:aws:kms:us-east-1:${A}:alias/cdk-s3-dr/two-way/orders-use1`);
  });

  test("each side has its own role, named literally, allowed to write only the other bucket with the other side's key", () => {
    for (const [s, own, other, otherRegion] of [
      [e, 'orders-use1', 'orders-usw2', 'us-west-2'],
      [w, 'orders-usw2', 'orders-use1', 'us-east-1'],
    ] as const) {
      s.t.hasResourceProperties('AWS::IAM::Role', { RoleName: `${own}-replication` });
      const role = s.t.findResources('AWS::IAM::Role')[s.roleId];
      expect(role.Properties.RoleName).toBe(`${own}-replication`);
      const statements = resourcesOf(s.t, 'AWS::IAM::ManagedPolicy')
        .filter(([, p]) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === s.roleId))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Sid: 'WriteReplicas0',
          Action: ['s3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags'],
          Resource: `arn:aws:s3:::${other}/*`,
        }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({
          Sid: 'EncryptReplicas0',
          Condition: expect.objectContaining({
            StringEquals: { 'kms:ViaService': `s3.${otherRegion}.amazonaws.com` },
            StringLike: { 'kms:EncryptionContext:aws:s3:arn': [`arn:aws:s3:::${other}`, `arn:aws:s3:::${other}/*`] },
            'ForAnyValue:StringEquals': { 'kms:ResourceAliases': `alias/cdk-s3-dr/two-way/${other}` },
          }),
        }),
      );
      // Decrypting its own objects (originals and the replicas it received) with its own key only.
      expect(statements).toContainEqual(
        expect.objectContaining({
          Sid: 'DecryptSourceObjects',
          Resource: { 'Fn::GetAtt': [s.keyId, 'Arn'] },
        }),
      );
      const actions = statements.flatMap((st: any) => [].concat(st.Action));
      expect(actions.filter((a: string) => a.includes('*'))).toEqual([]);
    }
  });

  test('same account: no resource policy grants anyone else (the roles carry their permissions)', () => {
    for (const s of [e, w]) {
      const text = JSON.stringify(s.t.toJSON());
      expect(text).not.toContain('CdkS3DrTwoWay');
    }
  });

  test('the pairs name both buckets and keys by literals, for audits and failover in either region', () => {
    expect(twoWay.firstToSecond).toMatchObject({
      sourceRegion: 'us-east-1',
      replicaRegion: 'us-west-2',
      sourceKeyArn: twoWay.firstKeyArn,
      replicaKeyArn: twoWay.secondKeyArn,
    });
    expect(west.resolve(twoWay.firstToSecond.sourceBucketName)).toBe('orders-use1');
    expect(east.resolve(twoWay.secondToFirst!.sourceBucketName)).toBe('orders-usw2');
  });
});

test('in the China partition, every literal names aws-cn, even without the partition-literals feature flag', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const east = new Stack(app, 'North', { env: { account: A, region: 'cn-north-1' } });
  const west = new Stack(app, 'Northwest', { env: { account: B, region: 'cn-northwest-1' } });
  new TwoWayReplication({
    first: { scope: east, id: 'Orders', bucketName: 'orders-cnn1' },
    second: { scope: west, id: 'Orders', bucketName: 'orders-cnnw1' },
  });
  const n = side(east);
  expect(n.rule.Destination.Bucket).toBe('arn:aws-cn:s3:::orders-cnnw1');
  expect(n.rule.Destination.EncryptionConfiguration.ReplicaKmsKeyID).toBe(
    `arn:aws-cn:kms:cn-northwest-1:${B}:alias/cdk-s3-dr/two-way/orders-cnnw1`,
  );
  expect(JSON.stringify(n.t.toJSON())).toContain(`arn:aws-cn:iam::${B}:role/orders-cnnw1-replication`);
});

describe('no reference between the two stacks', () => {
  test.each([
    ['same account', A],
    ['cross-account', B],
  ])('%s: no export, import, stack output reference or dependency', (_name, accountB) => {
    const synth = synthesizeTo((app) => void pair({ app, accountB }), 'cdk-s3-dr-two-way-');
    try {
      const manifest = JSON.parse(readFileSync(join(synth.outdir, 'manifest.json'), 'utf8'));
      const stacks = Object.entries(manifest.artifacts as Record<string, any>).filter(
        ([, a]) => a.type === 'aws:cloudformation:stack',
      );
      expect(stacks.map(([id]) => id).sort()).toEqual(['East', 'West']);
      for (const [, a] of stacks) {
        expect((a.dependencies ?? []).filter((d: string) => !d.endsWith('.assets'))).toEqual([]);
      }
      expect(synth.templates).toHaveLength(2);
      for (const file of synth.templates) {
        const text = readFileSync(file, 'utf8');
        const t = JSON.parse(text);
        expect(t.Outputs ?? {}).toEqual({});
        expect(text).not.toContain('Fn::ImportValue');
        expect(text).not.toContain('Fn::GetStackOutput');
        expect(text).not.toContain('Export');
        expect(Object.values(t.Resources).map((r: any) => r.Type)).not.toContainEqual(
          expect.stringMatching(/^(Custom::|AWS::CloudFormation::CustomResource|AWS::Lambda::Function)/),
        );
      }
    } finally {
      rmSync(synth.outdir, { recursive: true, force: true });
    }
  });
});

describe('two-way replication across accounts', () => {
  const { east, west } = pair({ accountB: B });
  const e = side(east);
  const w = side(west);

  test('each rule names the destination account', () => {
    expect(e.rule.Destination.Account).toBe(B);
    expect(w.rule.Destination.Account).toBe(A);
  });

  test.each([
    ['East', A, 'orders-use1', 'us-east-1', B, 'orders-usw2'],
    ['West', B, 'orders-usw2', 'us-west-2', A, 'orders-use1'],
  ])(
    "%s: the bucket and key policies allow exactly the other side's role, through S3, for this bucket",
    (name, _own, bucket, region, peer, peerBucket) => {
      const s = name === 'East' ? e : w;
      const onlyThePeer = { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${peer}:role/${peerBucket}-replication` } };
      const principal = { AWS: `arn:aws:iam::${peer}:root` };
      const policy = resourcesOf(s.t, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === s.bucketId)!;
      const granted = policy[1].Properties.PolicyDocument.Statement.filter((st: any) =>
        /^CdkS3DrTwoWay/.test(st.Sid ?? ''),
      );
      expect(granted).toEqual([
        {
          Sid: 'CdkS3DrTwoWayReplicateFromPeer',
          Effect: 'Allow',
          Principal: principal,
          Action: ['s3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags'],
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [s.bucketId, 'Arn'] }, '/*']] },
          Condition: onlyThePeer,
        },
        {
          Sid: 'CdkS3DrTwoWayPeerChecksVersioning',
          Effect: 'Allow',
          Principal: principal,
          Action: ['s3:GetBucketVersioning', 's3:ListBucket'],
          Resource: { 'Fn::GetAtt': [s.bucketId, 'Arn'] },
          Condition: onlyThePeer,
        },
      ]);
      const key = s.t.findResources('AWS::KMS::Key')[s.keyId];
      expect(key.Properties.KeyPolicy.Statement).toContainEqual({
        Sid: 'CdkS3DrTwoWayEncryptReplicasForPeer',
        Effect: 'Allow',
        Principal: principal,
        Action: ['kms:Decrypt', 'kms:Encrypt'],
        Resource: '*',
        Condition: {
          ...onlyThePeer,
          StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] },
        },
      });
      // Exactly one key of the side grants the peer: the key of the bucket receiving replicas.
      const granting = resourcesOf(s.t, 'AWS::KMS::Key').filter(([, k]) =>
        JSON.stringify(k.Properties.KeyPolicy).includes('CdkS3DrTwoWay'),
      );
      expect(granting.map(([id]) => id)).toEqual([s.keyId]);
    },
  );

  test('without delete marker replication, the peer gets no s3:ReplicateDelete', () => {
    const off = pair({ accountB: B, props: { deleteMarkerReplication: false } });
    const text = JSON.stringify(Template.fromStack(off.west).toJSON());
    expect(text).toContain('CdkS3DrTwoWayReplicateFromPeer');
    const statement = JSON.parse(text).Resources;
    const policies = Object.values(statement).filter((r: any) => r.Type === 'AWS::S3::BucketPolicy') as any[];
    const peer = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .find((st: any) => st.Sid === 'CdkS3DrTwoWayReplicateFromPeer');
    expect(peer.Action).toEqual(['s3:ReplicateObject', 's3:ReplicateTags']);
  });
});

describe('first deployment of two new buckets: FIRST_TO_SECOND_ONLY', () => {
  const one = pair({ props: { directions: ReplicationDirections.FIRST_TO_SECOND_ONLY } });
  const both = pair();

  test('the second bucket has no rule yet, the first replicates to it, and its stack deploys first', () => {
    const t = Template.fromStack(one.west);
    expect(
      resourcesOf(t, 'AWS::S3::Bucket').filter(([, r]) => r.Properties.ReplicationConfiguration !== undefined),
    ).toEqual([]);
    expect(side(one.east).rule.Destination.Bucket).toBe('arn:aws:s3:::orders-usw2');
    expect(one.east.dependencies).toEqual([one.west]);
    expect(both.east.dependencies).toEqual([]);
    expect(both.west.dependencies).toEqual([]);
  });

  test('switching to BOTH_WAYS keeps the logical ids of both buckets and keys (an in-place update)', () => {
    const ids = (s: Stack, type: string) => Object.keys(Template.fromStack(s).findResources(type)).sort();
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key']) {
      expect(ids(one.west, type)).toEqual(ids(both.west, type));
      expect(ids(one.east, type)).toEqual(ids(both.east, type));
    }
    const name = (s: Stack) =>
      Object.values(
        Template.fromStack(s).findResources('AWS::S3::Bucket', { Properties: { BucketName: 'orders-usw2' } }),
      );
    expect(name(one.west)).toHaveLength(1);
    expect(
      Template.fromStack(one.west).findResources('AWS::KMS::Alias', {
        Properties: { AliasName: 'alias/cdk-s3-dr/two-way/orders-usw2' },
      }),
    ).not.toEqual({});
  });

  test('warns that writes to the second bucket do not replicate yet', () => {
    Annotations.fromStack(one.east).hasWarning(
      '/East/Orders',
      Match.stringLikeRegexp('FIRST_TO_SECOND_ONLY: objects written to orders-usw2 are not replicated'),
    );
    expect(Annotations.fromStack(both.east).findWarning('*', Match.stringLikeRegexp('FIRST_TO_SECOND_ONLY'))).toEqual(
      [],
    );
  });
});

describe('under a Multi-Region Access Point over the pair', () => {
  function mrap(app: App) {
    const { east, west, twoWay } = pair({ app });
    const probe = new ReplicationProbe(west, 'Probe', { ...twoWay.firstToSecond, probeName: 'orders' });
    const controller = new FailoverController(west, 'Failover', {
      probe,
      plan: FailoverPlan.MRAP,
      accessPoint: { createWithName: 'orders' },
    });
    return { east, west, twoWay, controller };
  }

  test('the access point spans exactly the two buckets, and the stacks still do not depend on each other', () => {
    const app = testApp();
    const { east, west } = mrap(app);
    Template.fromStack(west).hasResourceProperties('AWS::S3::MultiRegionAccessPoint', {
      Name: 'orders',
      Regions: [{ Bucket: 'orders-use1' }, { Bucket: 'orders-usw2' }],
    });
    expect(east.dependencies).toEqual([]);
    expect(west.dependencies).toEqual([]);
  });

  test('cdk-nag finds nothing in the pair with its probe and access point', () => {
    const app = testApp();
    mrap(app);
    expect(nagFindings(app)).toEqual([]);
  });
});

describe('active/active: an access point over the pair, both routes active, no controller (docs/replication.md)', () => {
  // Requests go to the nearest bucket, so both take writes: each rule must carry the other side's
  // deletes (delete markers) and the metadata changes made on its replicas (replica modification
  // sync) back, and the access point must span the very buckets the two stacks create.
  const app = testApp();
  const { east, west } = pair({ app });
  new s3.CfnMultiRegionAccessPoint(east, 'OrdersAccessPoint', {
    name: 'orders',
    regions: [{ bucket: 'orders-use1' }, { bucket: 'orders-usw2' }],
  });
  const e = side(east);
  const w = side(west);

  test("both buckets' rules replicate to the other with replica modification sync and delete markers", () => {
    for (const [s, other] of [
      [e, w],
      [w, e],
    ] as const) {
      expect(s.rule).toMatchObject({
        Status: 'Enabled',
        Destination: { Bucket: `arn:aws:s3:::${other.bucket.Properties.BucketName}` },
        SourceSelectionCriteria: { ReplicaModifications: { Status: 'Enabled' } },
        DeleteMarkerReplication: { Status: 'Enabled' },
      });
    }
  });

  test('the access point names both buckets, and nothing in either stack moves its routes', () => {
    const accessPoints = resourcesOf(e.t, 'AWS::S3::MultiRegionAccessPoint');
    expect(accessPoints).toHaveLength(1);
    expect(accessPoints[0][1].Properties.Regions).toEqual([
      { Bucket: e.bucket.Properties.BucketName },
      { Bucket: w.bucket.Properties.BucketName },
    ]);
    w.t.resourceCountIs('AWS::S3::MultiRegionAccessPoint', 0);
    for (const s of [e, w]) expect(JSON.stringify(s.t.toJSON())).not.toContain('SubmitMultiRegionAccessPointRoutes');
    expect(east.dependencies).toEqual([]);
    expect(west.dependencies).toEqual([]);
  });
});

describe('validators on the cross-account two-way composition', () => {
  test('cdk-nag (four packs) finds nothing', () => {
    const app = testApp();
    twoWayComposition(app);
    expect(nagFindings(app)).toEqual([]);
  });

  test('AWS Control Tower controls: every finding is acknowledged on its resource', () => {
    const synth = synthesizeTo((app) => void twoWayComposition(app), 'cdk-s3-dr-two-way-guard-');
    try {
      const raw = guardFindings(synth);
      const acks = allAcknowledgements(synth.app).filter((a) => a.id.startsWith(`${GUARD_PLUGIN}::`));
      expect(raw.filter((f) => f.control === 'CT.KMS.PR.3')).toEqual([]);
      const uncovered = raw.filter(
        (f) => !acks.some((a) => a.id === `${GUARD_PLUGIN}::${f.rule}` && a.path === f.path),
      );
      expect(uncovered).toEqual([]);
    } finally {
      rmSync(synth.outdir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('the example app option (-c twoWay=...)', () => {
  test.each(['first-to-second', 'both'])('%s: cdk-nag (four packs) finds nothing', (mode) => {
    const app = testApp();
    const ex = buildTwoWayExample(app, mode);
    expect(nagFindings(app)).toEqual([]);
    expect(ex.twoWay.second === undefined).toBe(mode === 'first-to-second');
    expect(ex.controller === undefined).toBe(mode === 'first-to-second');
  });

  test('an unknown mode fails naming the context key and the two modes', () => {
    expect(() => buildTwoWayExample(testApp(), 'yes')).toThrow(
      /context twoWay = "yes": not a two-way example mode; fix: use -c twoWay=first-to-second .* then -c twoWay=both/,
    );
  });
});
