import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Annotations } from 'aws-cdk-lib/assertions';
import { ReplicationDirections, TwoWayReplication, TwoWayReplicationProps } from '../../../lib';
import { testApp } from '../../support/app';
import { BadPropsCase, runTable } from './table';

const A = '111111111111';
const B = '222222222222';

interface Stacks {
  readonly east: Stack;
  readonly west: Stack;
}

/** A same-account pair (us-east-1, us-west-2) with overrides; returns the first side's stack. */
function twoWay(over: (s: Stacks) => Partial<TwoWayReplicationProps>, westEnv = { account: A, region: 'us-west-2' }) {
  return () => {
    const app = testApp();
    const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
    const west = new Stack(app, 'West', { env: westEnv });
    const o = over({ east, west });
    new TwoWayReplication({
      ...o,
      first: { scope: east, id: 'Orders', bucketName: 'orders-use1', ...o.first },
      second: { scope: west, id: 'Orders', bucketName: 'orders-usw2', ...o.second },
    } as TwoWayReplicationProps);
    return east;
  };
}

const cases: BadPropsCase[] = [
  {
    name: 'a bucket name is missing',
    build: twoWay(({ west }) => ({ second: { scope: west, id: 'Orders', bucketName: undefined as never } })),
    prop: 'second.bucketName',
    message: 'the name must be a literal',
  },
  {
    name: 'a bucket name is a token',
    build: twoWay(({ east }) => ({
      first: { scope: east, id: 'Orders', bucketName: Token.asString({ Ref: 'Name' }) },
    })),
    prop: 'first.bucketName',
    message: 'the name must be a literal',
  },
  {
    name: 'a bucket name is invalid',
    build: twoWay(({ east }) => ({ first: { scope: east, id: 'Orders', bucketName: 'Orders_Use1' } })),
    prop: 'first.bucketName',
    message: 'a bucket name has only lower-case letters',
  },
  {
    name: 'both sides have the same bucket name',
    build: twoWay(({ west }) => ({ second: { scope: west, id: 'Orders', bucketName: 'orders-use1' } })),
    prop: 'second.bucketName',
    message: 'both sides have the same bucket name',
  },
  {
    name: 'both sides are in one region',
    build: twoWay(() => ({}), { account: A, region: 'us-east-1' }),
    prop: 'second.scope',
    message: 'both sides are in us-east-1',
  },
  {
    name: "a side's stack has no explicit env",
    build: () => {
      const app = testApp();
      const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
      const anywhere = new Stack(app, 'Anywhere');
      return new TwoWayReplication({
        first: { scope: east, id: 'Orders', bucketName: 'orders-use1' },
        second: { scope: anywhere, id: 'Orders', bucketName: 'orders-usw2' },
      });
    },
    prop: 'second.scope',
    message: 'the stack has no explicit env',
  },
  {
    name: 'a replication role name is invalid',
    build: twoWay(({ east }) => ({
      first: { scope: east, id: 'Orders', bucketName: 'orders-use1', replicationRoleName: 'orders replication' },
    })),
    prop: 'first.replicationRoleName',
    message: 'not a valid IAM role name',
  },
  {
    name: 'both sides would create the same role in one account',
    build: twoWay(({ east, west }) => ({
      first: { scope: east, id: 'Orders', bucketName: 'orders-use1', replicationRoleName: 'orders-replication' },
      second: { scope: west, id: 'Orders', bucketName: 'orders-usw2', replicationRoleName: 'orders-replication' },
    })),
    prop: 'second.replicationRoleName',
    message: 'IAM role names are unique per account',
  },
  {
    name: 'directions is not one of the enum values',
    build: twoWay(() => ({ directions: 'BOTH' as ReplicationDirections })),
    prop: 'directions',
    message: 'unknown directions',
  },
  {
    name: 'Replication Time Control is on without metrics',
    build: twoWay(() => ({ replicationTimeControl: true, metrics: false })),
    prop: 'replicationTimeControl',
    message: 'Replication Time Control requires replication metrics',
  },
  {
    name: 'delete markers do not replicate',
    build: twoWay(() => ({ deleteMarkerReplication: false })),
    warning: 'deleteMarkerReplication = false: a delete on one bucket does not reach the other',
  },
  {
    name: 'only the first bucket replicates',
    build: twoWay(() => ({ directions: ReplicationDirections.FIRST_TO_SECOND_ONLY })),
    warning: 'directions = FIRST_TO_SECOND_ONLY: objects written to orders-usw2 are not replicated to orders-use1 yet',
  },
  {
    name: 'a side is destroyed with its stack',
    build: twoWay(({ east }) => ({
      first: { scope: east, id: 'Orders', bucketName: 'orders-use1', removalPolicy: RemovalPolicy.DESTROY },
    })),
    warning: 'removalPolicy = DESTROY',
  },
  {
    name: 'a side expires current versions',
    build: twoWay(({ east }) => ({
      first: {
        scope: east,
        id: 'Orders',
        bucketName: 'orders-use1',
        lifecycleRules: [{ expiration: Duration.days(30) }],
      },
    })),
    warning: 'lifecycleRules[0].expiration expires current versions',
  },
];

describe('TwoWayReplication bad props', () => {
  runTable(cases);

  test('every problem is reported at once, under the first side', () => {
    expect(
      twoWay(({ east, west }) => ({
        first: { scope: east, id: 'Orders', bucketName: 'Bad_Name' },
        second: { scope: west, id: 'Orders', bucketName: 'orders-usw2', replicationRoleName: 'bad name' },
      })),
    ).toThrow(/^East\/Orders: 2 invalid props\n/);
  });

  test('the defaults give no warning, in the same account or across accounts', () => {
    for (const account of [A, B]) {
      const app = testApp();
      const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
      const west = new Stack(app, 'West', { env: { account, region: 'us-west-2' } });
      new TwoWayReplication({
        first: { scope: east, id: 'Orders', bucketName: 'orders-use1' },
        second: { scope: west, id: 'Orders', bucketName: 'orders-usw2' },
      });
      expect(Annotations.fromStack(east).findWarning('*', {})).toEqual([]);
      expect(Annotations.fromStack(west).findWarning('*', {})).toEqual([]);
    }
  });

  test('a long bucket name gives a role name of at most 64 characters, the same each time', () => {
    const long = 'orders-' + 'x'.repeat(50);
    const name = TwoWayReplication.defaultReplicationRoleName(long);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(/^orders-x+-[0-9a-f]{8}-replication$/);
    expect(TwoWayReplication.defaultReplicationRoleName(long)).toBe(name);
    expect(TwoWayReplication.defaultReplicationRoleName('orders-use1')).toBe('orders-use1-replication');
  });
});
