import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  ReplicaBucket,
  ReplicatedBucket,
  ReplicatedBucketProps,
  ReplicationDestination,
  ReplicationDestinationAttributes,
} from '../../../lib';
import { testApp } from '../../support/app';
import { BadPropsCase, runTable } from './table';

const A = '111111111111';
const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

/** A source in us-east-1 replicating to a bucket given by attributes (eu-west-1), with overrides. */
function source(
  over: Partial<ReplicatedBucketProps> | ((east: Stack) => Partial<ReplicatedBucketProps>) = {},
  dest: Partial<ReplicationDestinationAttributes> = {},
) {
  return () => {
    const app = testApp();
    const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
    return new ReplicatedBucket(east, 'Data', {
      destinations: [
        ReplicationDestination.toBucket({
          bucketArn: 'arn:aws:s3:::partner-replica',
          region: 'eu-west-1',
          replicaKeyArn: KEY,
          ...dest,
        }),
      ],
      ...(typeof over === 'function' ? over(east) : over),
    });
  };
}

const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

const cases: BadPropsCase[] = [
  {
    name: 'the source stack has no env (region checks would be skipped)',
    build: () => {
      const app = testApp();
      const replica = new ReplicaBucket(new Stack(app, 'West', { env: { account: A, region: 'us-west-2' } }), 'R');
      return new ReplicatedBucket(new Stack(app, 'Agnostic'), 'Data', {
        destinations: [ReplicationDestination.toReplicaBucket(replica)],
      });
    },
    prop: 'env.region (source stack)',
    message: 'give the stack an explicit env',
  },
  {
    name: 'the source key is an imported key of another region',
    build: source((east) => ({ encryptionKey: kms.Key.fromKeyArn(east, 'Key', KEY) })),
    prop: 'encryptionKey',
    message: 'the source key is in eu-west-1 but this stack is in us-east-1',
  },
  {
    name: 'the source key is created in a stack of another region',
    build: () => {
      const app = testApp();
      const west = new Stack(app, 'West', { env: { account: A, region: 'us-west-2' } });
      const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
      return new ReplicatedBucket(east, 'Data', {
        encryptionKey: new kms.Key(west, 'Key'),
        destinations: [
          ReplicationDestination.toBucket({ bucketArn: 'arn:aws:s3:::p-r', region: 'eu-west-1', replicaKeyArn: KEY }),
        ],
      });
    },
    prop: 'encryptionKey',
    message: 'is in us-west-2 but this stack is in us-east-1',
  },
  {
    name: 'the bucket name has capitals',
    build: source({ bucketName: 'Orders_Data' }),
    prop: 'bucketName',
    message: 'write "orders-data"',
  },
  {
    name: 'the bucket name is too short',
    build: source({ bucketName: 'ab' }),
    prop: 'bucketName',
    message: '3 to 63 characters',
  },
  {
    name: 'the bucket name is too long',
    build: source({ bucketName: 'a'.repeat(64) }),
    prop: 'bucketName',
    message: '3 to 63 characters',
  },
  {
    name: 'the bucket name looks like an IP address',
    build: source({ bucketName: '192.168.5.4' }),
    prop: 'bucketName',
    message: 'formatted as an IP address',
  },
  {
    name: 'the bucket name has two adjacent dots',
    build: source({ bucketName: 'orders..data' }),
    prop: 'bucketName',
    message: 'no two adjacent dots',
  },
  {
    name: 'the bucket name starts with xn--',
    build: source({ bucketName: 'xn--orders' }),
    prop: 'bucketName',
    message: 'reserved prefix "xn--"',
  },
  {
    name: 'the bucket name ends with -s3alias',
    build: source({ bucketName: 'orders-s3alias' }),
    prop: 'bucketName',
    message: 'reserved suffix "-s3alias"',
  },
  {
    name: 'the bucket name ends with a hyphen',
    build: source({ bucketName: 'orders-' }),
    prop: 'bucketName',
    message: 'begins and ends with a letter or digit',
  },
  {
    name: 'the destination bucket ARN names an invalid bucket',
    build: source({}, { bucketArn: 'arn:aws:s3:::Partner_Replica' }),
    prop: 'destinations[0].bucketArn',
    message: 'write "arn:aws:s3:::partner-replica"',
  },
  {
    name: 'the destination bucket ARN has a region and an account',
    build: source({}, { bucketArn: 'arn:aws:s3:eu-west-1:111111111111:partner-replica' }),
    prop: 'destinations[0].bucketArn',
    message: 'empty region and account fields',
  },
  {
    name: 'the destination bucket ARN is an object ARN',
    build: source({}, { bucketArn: 'arn:aws:s3:::partner-replica/data/*' }),
    prop: 'destinations[0].bucketArn',
    message: 'not a bucket ARN',
  },
  {
    name: 'the destination bucket ARN is of another service',
    build: source({}, { bucketArn: 'arn:aws:kms:eu-west-1:111111111111:key/abc' }),
    prop: 'destinations[0].bucketArn',
    message: 'an ARN of the kms service',
  },
  {
    name: 'the destination bucket ARN is a bare bucket name',
    build: source({}, { bucketArn: 'partner-replica' }),
    prop: 'destinations[0].bucketArn',
    message: 'not an ARN (arn:<partition>:s3:::<bucket name>); fix: write "arn:aws:s3:::partner-replica"',
  },
  {
    name: 'the destination bucket ARN has an unknown partition',
    build: source({}, { bucketArn: 'arn:amazon:s3:::partner-replica' }),
    prop: 'destinations[0].bucketArn',
    message: '"amazon" is not an AWS partition',
  },
  {
    name: 'the destination bucket is in another partition than the source',
    build: source({}, { bucketArn: 'arn:aws-cn:s3:::partner-replica' }),
    prop: 'destinations[0].bucketArn',
    message: 'S3 replicates only within a partition',
  },
  {
    name: 'the destination region is not a region code',
    build: source({}, { region: 'EU West 1' }),
    prop: 'destinations[0].region',
    message: 'write "eu-west-1"',
  },
  {
    name: 'the replica key ARN is not a KMS ARN',
    build: source({}, { replicaKeyArn: 'arn:aws:s3:::partner-key' }),
    prop: 'destinations[0].replicaKeyArn',
    message: 'not a KMS key or alias ARN',
  },
  {
    name: 'the replica key is a bare key id',
    build: source({}, { replicaKeyArn: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' }),
    prop: 'destinations[0].replicaKeyArn',
    message: 'not a KMS key or alias ARN',
  },
  {
    name: 'the priority is negative',
    build: source({}, { priority: -1 }),
    prop: 'destinations[0].priority',
    message: 'must be a whole number from 0',
  },
  {
    name: 'the priority is fractional',
    build: source({}, { priority: 1.5 }),
    prop: 'destinations[0].priority',
    message: 'must be a whole number from 0',
  },
  {
    name: 'the tag filter has more than 10 tags',
    build: source({}, { tags: tags(11) }),
    prop: 'destinations[0].tags',
    message: 'a filter on 11 tags replicates nothing',
  },
  {
    name: 'a tag key is empty',
    build: source({}, { tags: { '': 'x' } }),
    prop: 'destinations[0].tags',
    message: 'a tag key must not be empty',
  },
  {
    name: 'a tag key is longer than 128 characters',
    build: source({}, { tags: { ['k'.repeat(129)]: 'x' } }),
    prop: 'destinations[0].tags.kkkkkkkkkkkkkkkkkkkk...',
    message: 'a tag key is at most 128 characters',
  },
  {
    name: 'a tag value is longer than 256 characters',
    build: source({}, { tags: { team: 'v'.repeat(257) } }),
    prop: 'destinations[0].tags.team',
    message: 'a tag value is at most 256 characters',
  },
];

describe('ReplicatedBucket bad props', () => {
  runTable(cases);

  test('ten tags, priority 0 and a valid partner ARN pass', () => {
    expect(source({}, { tags: tags(10), priority: 0 })).not.toThrow();
  });
});
