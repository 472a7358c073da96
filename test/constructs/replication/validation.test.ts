import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationDestination,
  ReplicationDestinationAttributes,
  ReplicationRuleOptions,
} from '../../../lib';
import { InvalidPropsError } from '../../../lib/private/errors';
import { testApp } from '../../support/app';

const A = '111111111111';

function setup(sourceRegion = 'us-east-1') {
  const app = testApp();
  const source = new Stack(app, 'Source', { env: { account: A, region: sourceRegion } });
  const replica = new ReplicaBucket(new Stack(app, 'West', { env: { account: A, region: 'us-west-2' } }), 'Replica');
  return { app, source, replica };
}

const partner = (over: Partial<ReplicationDestinationAttributes> = {}) =>
  ReplicationDestination.toBucket({
    bucketArn: 'arn:aws:s3:::partner',
    region: 'eu-west-1',
    replicaKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    ...over,
  });

function replicated(
  options: ReplicationRuleOptions = {},
  extra: Partial<ConstructorParameters<typeof ReplicatedBucket>[2]> = {},
) {
  const { source, replica } = setup();
  return () =>
    new ReplicatedBucket(source, 'Data', {
      destinations: [ReplicationDestination.toReplicaBucket(replica, options)],
      ...extra,
    });
}

describe('ReplicatedBucket validation', () => {
  test('fails when source and replica are in the same region', () => {
    const { source } = setup('us-west-2');
    const { replica } = setup();
    expect(
      () => new ReplicatedBucket(source, 'Data', { destinations: [ReplicationDestination.toReplicaBucket(replica)] }),
    ).toThrow(
      /Source\/Data: 1 invalid prop\n {2}- destinations\[0\]\.region = "us-west-2": the destination is in the same region as the source.*fix: put the replica in another region/,
    );
  });

  test('fails when there is no destination', () => {
    const { source } = setup();
    expect(() => new ReplicatedBucket(source, 'Data', { destinations: [] })).toThrow(
      /destinations = \[\]: at least one destination is required; fix: pass ReplicationDestination/,
    );
  });

  test('fails when there are more than 1,000 rules', () => {
    const { source } = setup();
    const many = Array.from({ length: 1001 }, (_, i) => partner({ priority: i, ruleId: `r${i}` }));
    expect(() => new ReplicatedBucket(source, 'Data', { destinations: many })).toThrow(
      /"1001 destinations": S3 allows at most 1000 replication rules/,
    );
  });

  test('fails when priorities are missing with several rules', () => {
    const { source, replica } = setup();
    expect(
      () =>
        new ReplicatedBucket(source, 'Data', {
          destinations: [ReplicationDestination.toReplicaBucket(replica, { priority: 1 }), partner()],
        }),
    ).toThrow(
      /destinations\[1\]\.priority = undefined: every rule needs a priority when a bucket has several destinations/,
    );
  });

  test('fails when priorities are duplicated', () => {
    const { source, replica } = setup();
    expect(
      () =>
        new ReplicatedBucket(source, 'Data', {
          destinations: [ReplicationDestination.toReplicaBucket(replica, { priority: 3 }), partner({ priority: 3 })],
        }),
    ).toThrow(/destinations\[1\]\.priority = 3: duplicates the priority of destinations\[0\]/);
  });

  test('fails when the replica key is in a different region than its bucket', () => {
    const { source } = setup();
    const key = 'arn:aws:kms:us-east-2:111111111111:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    expect(() => new ReplicatedBucket(source, 'Data', { destinations: [partner({ replicaKeyArn: key })] })).toThrow(
      /destinations\[0\]\.replicaKeyArn = ".*us-east-2.*": the replica key is in us-east-2 but the destination bucket is in eu-west-1.*fix: use a KMS key created in eu-west-1/,
    );
  });

  test('fails when tag filters are combined with delete-marker replication', () => {
    expect(replicated({ tags: { a: 'b' }, deleteMarkerReplication: true })).toThrow(
      /destinations\[0\]\.deleteMarkerReplication = true: S3 does not replicate delete markers for rules with tag filters/,
    );
  });

  test('fails when Object Lock is on one side only', () => {
    expect(replicated({}, { objectLockEnabled: true })).toThrow(
      /destinations\[0\]\.objectLockEnabled = false: Object Lock is on for the source but off for the destination.*fix: enable Object Lock on both buckets or on neither/,
    );
    const { source } = setup();
    expect(
      () => new ReplicatedBucket(source, 'Data', { destinations: [partner({ objectLockEnabled: true })] }),
    ).toThrow(/Object Lock is on for the destination but off for the source/);
  });

  test('fails when RTC is on without metrics', () => {
    expect(replicated({ replicationTimeControl: true, metrics: false })).toThrow(
      /destinations\[0\]\.replicationTimeControl = true: Replication Time Control requires replication metrics/,
    );
  });

  test('fails when owner override is used within one account', () => {
    expect(replicated({ ownerOverride: true })).toThrow(
      /destinations\[0\]\.ownerOverride = true: owner override only applies when the destination bucket is in another account/,
    );
  });

  test('fails on malformed prefixes', () => {
    expect(replicated({ prefix: '/logs/' })).toThrow(
      /destinations\[0\]\.prefix = "\/logs\/": a key prefix must not start with "\/".*fix: write "logs\/"/,
    );
    expect(replicated({ prefix: 'logs/*' })).toThrow(
      /prefix = "logs\/\*": replication filters match a literal prefix, not a glob; fix: write the literal prefix, for example "logs\/"/,
    );
    expect(replicated({ prefix: 'x'.repeat(1025) })).toThrow(/a key prefix is at most 1,024 bytes/);
  });

  test('fails on malformed account ids', () => {
    const { source } = setup();
    expect(() => new ReplicatedBucket(source, 'Data', { destinations: [partner({ account: '12345' })] })).toThrow(
      /destinations\[0\]\.account = "12345": an AWS account id is exactly 12 digits/,
    );
  });

  test('fails on duplicate rule ids', () => {
    const { source } = setup();
    expect(
      () =>
        new ReplicatedBucket(source, 'Data', {
          destinations: [partner({ priority: 1, ruleId: 'x' }), partner({ priority: 2, ruleId: 'x' })],
        }),
    ).toThrow(/destinations\[1\]\.ruleId = "x": duplicates the rule id of destinations\[0\]/);
  });

  test('fails when the replica stack has no explicit region', () => {
    const app = testApp();
    const source = new Stack(app, 'Source', { env: { account: A, region: 'us-east-1' } });
    const agnostic = new ReplicaBucket(new Stack(app, 'Agnostic'), 'Replica');
    expect(
      () => new ReplicatedBucket(source, 'Data', { destinations: [ReplicationDestination.toReplicaBucket(agnostic)] }),
    ).toThrow(/destinations\[0\]\.region = "\(unresolved\)": the destination region must be known at synth time/);
  });

  test('reports every problem of a construct together, as one InvalidPropsError', () => {
    const { source } = setup();
    let error: unknown;
    try {
      new ReplicatedBucket(source, 'Data', {
        destinations: [
          partner({ prefix: '/a', account: 'x' }),
          partner({ ownerOverride: true, priority: 2, account: A }),
        ],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidPropsError);
    const err = error as InvalidPropsError;
    expect(err.constructPath).toBe('Source/Data');
    expect(err.problems.map((p) => p.prop).sort()).toEqual(
      [
        'destinations[0].account',
        'destinations[0].prefix',
        'destinations[0].priority',
        'destinations[1].ownerOverride',
      ].sort(),
    );
    expect(err.message).toMatch(/^Source\/Data: 4 invalid props\n/);
  });

  test('skips unresolved tokens instead of guessing', () => {
    const { source, replica } = setup();
    expect(
      () =>
        new ReplicatedBucket(source, 'Data', {
          destinations: [
            ReplicationDestination.toReplicaBucket(replica, { prefix: Token.asString({ Ref: 'PrefixParam' }) }),
          ],
        }),
    ).not.toThrow();
  });
});

describe('ReplicaBucket validation', () => {
  const stack = () => new Stack(testApp(), 'West', { env: { account: A, region: 'us-west-2' } });

  test('fails when a source account is given without the replication role name', () => {
    expect(() => new ReplicaBucket(stack(), 'Replica', { sourceAccount: '222222222222' })).toThrow(
      /West\/Replica: 1 invalid prop\n {2}- sourceReplicationRoleName = undefined: cross-account grants name the source replication role.*fix: set sourceReplicationRoleName/,
    );
  });

  test('fails when the source account is malformed or is this account', () => {
    expect(() => new ReplicaBucket(stack(), 'R', { sourceAccount: '2222', sourceReplicationRoleName: 'r' })).toThrow(
      /sourceAccount = "2222": an AWS account id is exactly 12 digits/,
    );
    expect(() => new ReplicaBucket(stack(), 'R', { sourceAccount: A, sourceReplicationRoleName: 'r' })).toThrow(
      /sourceAccount = "111111111111": the source account is this stack's own account/,
    );
  });

  test('fails when the key is in another region than the bucket', () => {
    const s = stack();
    const key = kms.Key.fromKeyArn(
      s,
      'K',
      'arn:aws:kms:eu-west-1:111111111111:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    );
    expect(() => new ReplicaBucket(s, 'R', { encryptionKey: key })).toThrow(
      /encryptionKey = ".*": the key is in eu-west-1 but the bucket is in us-west-2/,
    );
  });

  test('fails when a default retention is given with Object Lock explicitly off', () => {
    expect(
      () =>
        new ReplicaBucket(stack(), 'R', {
          objectLockEnabled: false,
          objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(1)),
        }),
    ).toThrow(/objectLockDefaultRetention = "set": a default retention needs Object Lock/);
  });

  test('fails on an invalid role name', () => {
    expect(
      () => new ReplicaBucket(stack(), 'R', { sourceAccount: '222222222222', sourceReplicationRoleName: 'bad name!' }),
    ).toThrow(/sourceReplicationRoleName = "bad name!": not a valid IAM role name/);
  });
});
