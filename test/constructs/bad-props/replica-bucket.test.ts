import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ReplicaBucket, ReplicaBucketProps } from '../../../lib';
import { testApp } from '../../support/app';
import { BadPropsCase, runTable } from './table';

const A = '111111111111';

function west(over: (stack: Stack) => ReplicaBucketProps) {
  return () => {
    const app = testApp();
    const stack = new Stack(app, 'West', { env: { account: A, region: 'us-west-2' } });
    new ReplicaBucket(stack, 'Replica', over(stack));
    return stack;
  };
}

const cases: BadPropsCase[] = [
  {
    name: 'the existing bucket is in another region',
    build: west((s) => ({
      bucket: s3.Bucket.fromBucketAttributes(s, 'B', { bucketName: 'team-replica', region: 'eu-west-1' }),
    })),
    prop: 'bucket',
    message: 'the existing bucket is in eu-west-1 but this stack is in us-west-2',
  },
  {
    name: 'the key is created in a stack of another region',
    build: () => {
      const app = testApp();
      const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
      const stack = new Stack(app, 'West', { env: { account: A, region: 'us-west-2' } });
      return new ReplicaBucket(stack, 'Replica', { encryptionKey: new kms.Key(east, 'Key') });
    },
    prop: 'encryptionKey',
    message: 'the key is in us-east-1 but this stack is in us-west-2',
  },
  {
    name: 'the bucket name has capitals',
    build: west(() => ({ bucketName: 'Replica' })),
    prop: 'bucketName',
    message: 'write "replica"',
  },
  {
    name: 'the bucket name ends with .mrap',
    build: west(() => ({ bucketName: 'orders.mrap' })),
    prop: 'bucketName',
    message: 'reserved suffix ".mrap"',
  },
  {
    name: 'the removal policy is DESTROY',
    build: west(() => ({ removalPolicy: RemovalPolicy.DESTROY })),
    warning: 'removalPolicy = DESTROY: deleting the stack deletes the replica bucket',
  },
  {
    name: 'a lifecycle rule expires current versions',
    build: west(() => ({ lifecycleRules: [{ expiration: Duration.days(30) }] })),
    warning: 'lifecycleRules[0].expiration expires current versions of replicas',
  },
  {
    name: 'a lifecycle rule expires current versions on a date',
    build: west(() => ({
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }, { expirationDate: new Date('2030-01-01') }],
    })),
    warning: 'lifecycleRules[1].expirationDate expires current versions',
  },
];

describe('ReplicaBucket bad props', () => {
  runTable(cases);

  test('expiring only noncurrent versions, or a disabled rule, does not warn', () => {
    const stack = west(() => ({
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(30) },
        { enabled: false, expiration: Duration.days(1) },
      ],
    }))();
    expect(Annotations.fromStack(stack).findWarning('*', {})).toEqual([]);
  });
});
