import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { ConsistencyAudit, ConsistencyAuditProps } from '../../../lib';
import { testApp } from '../../support/app';
import { BadPropsCase, runTable } from './table';

const A = '111111111111';
const PAIR = {
  sourceBucketName: 'orders',
  sourceRegion: 'us-east-1',
  replicaBucketName: 'orders-replica',
  replicaRegion: 'us-west-2',
};

function audit(over: Partial<ConsistencyAuditProps> | ((west: Stack) => Partial<ConsistencyAuditProps>) = {}) {
  return () => {
    const west = new Stack(testApp(), 'West', { env: { account: A, region: 'us-west-2' } });
    return new ConsistencyAudit(west, 'Audit', { ...PAIR, ...(typeof over === 'function' ? over(west) : over) });
  };
}

const INV = (bucketName: string, prefix: string) => ({ bucketName, prefix });
const BOTH = {
  sourceInventory: INV('inv-east', 'inventory/orders/cdk-s3-dr-audit/'),
  replicaInventory: INV('dr-reports', 'inventory/orders-replica/cdk-s3-dr-audit/'),
};

const schedule = (e: string) => audit({ schedule: ScheduleExpression.expression(e) });

const cases: BadPropsCase[] = [
  {
    name: 'the schedule is "every day"',
    build: schedule('every day'),
    prop: 'schedule',
    message: 'ScheduleExpression.expression("rate(1 day)")',
  },
  {
    name: 'the schedule is rate(0 days)',
    build: schedule('rate(0 days)'),
    prop: 'schedule',
    message: 'ScheduleExpression.expression("rate(1 day)")',
  },
  {
    name: 'the schedule is rate(2 day)',
    build: schedule('rate(2 day)'),
    prop: 'schedule',
    message: 'a rate above 1 takes the plural unit',
  },
  {
    name: 'the schedule is a seven-field cron',
    build: schedule('cron(0 0 3 * * ? *)'),
    prop: 'schedule',
    message: 'a cron expression has 6 fields',
  },
  {
    name: 'the cron has neither day field "?"',
    build: schedule('cron(0 3 * * * *)'),
    prop: 'schedule',
    message: 'must be "?"',
  },
  {
    name: 'the source bucket name has an underscore',
    build: audit({ sourceBucketName: 'orders_data' }),
    prop: 'sourceBucketName',
    message: 'write "orders-data"',
  },
  {
    name: 'the replica bucket name is too long',
    build: audit({ replicaBucketName: 'r'.repeat(70) }),
    prop: 'replicaBucketName',
    message: '3 to 63 characters',
  },
  {
    name: 'the source region is a display name',
    build: audit({ sourceRegion: 'US East' }),
    prop: 'sourceRegion',
    message: 'use a region code, for example "us-east-1"',
  },
  {
    name: 'the source key ARN is of another service',
    build: audit({ sourceKeyArn: 'arn:aws:s3:::orders' }),
    prop: 'sourceKeyArn',
    message: 'not a KMS key or alias ARN',
  },
  {
    name: 'the reports bucket is in another region',
    build: audit((w) => ({
      reportsBucket: s3.Bucket.fromBucketAttributes(w, 'R', { bucketName: 'reports', region: 'us-east-1' }),
    })),
    prop: 'reportsBucket',
    message: 'the reports bucket is in us-east-1 but this stack is in us-west-2',
  },
  {
    name: 'the stack has no env',
    build: () => new ConsistencyAudit(new Stack(testApp(), 'Agnostic'), 'Audit', PAIR),
    prop: 'env.region (stack)',
    message: 'give the stack an explicit env',
  },
  {
    name: 'sourceInventory is given without replicaInventory',
    build: audit({ sourceInventory: INV('inv-east', 'inventory/orders/cdk-s3-dr-audit/') }),
    prop: 'replicaInventory',
    message: "sourceInventory is given: an inventory audit reads both sides' reports",
  },
  {
    name: 'an inventory audit is split into ranges',
    build: audit({ ...BOTH, rangeCount: 4 }),
    prop: 'rangeCount',
    message: 'an inventory audit runs in one invocation over the whole prefix',
  },
  {
    name: 'an inventory prefix is not a configuration folder',
    build: audit({ ...BOTH, replicaInventory: INV('dr-reports', 'inventory/orders-replica') }),
    prop: 'replicaInventory.prefix',
    message: 'not the folder of an inventory configuration',
  },
  {
    name: 'an inventory bucket name is invalid',
    build: audit({ ...BOTH, sourceInventory: INV('Inv_East', 'inventory/orders/cdk-s3-dr-audit/') }),
    prop: 'sourceInventory.bucketName',
    message: '',
  },
];

describe('ConsistencyAudit bad props', () => {
  runTable(cases);

  test.each([
    'rate(1 day)',
    'rate(12 hours)',
    'cron(0 3 * * ? *)',
    'cron(0 3 ? * MON-FRI *)',
    'at(2030-01-01T03:00:00)',
  ])('accepts the schedule %s', (e) => {
    expect(schedule(e)).not.toThrow();
  });
});
