import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AuditInventory, AuditInventoryProps } from '../../../lib';
import { testApp } from '../../support/app';
import { BadPropsCase, runTable } from './table';

const A = '111111111111';

function inventory(over: (east: Stack, west: Stack) => Partial<AuditInventoryProps>) {
  return () => {
    const app = testApp();
    const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
    const west = new Stack(app, 'West', { env: { account: A, region: 'us-west-2' } });
    const bucket = new s3.Bucket(east, 'Data', { versioned: true });
    return new AuditInventory(east, 'Inventory', { bucket, ...over(east, west) });
  };
}

const cases: BadPropsCase[] = [
  {
    name: 'the bucket is imported',
    build: inventory((east) => ({ bucket: s3.Bucket.fromBucketName(east, 'Imported', 'orders') })),
    prop: 'bucket',
    message:
      'an imported bucket: CloudFormation can only add an inventory configuration to a bucket defined in this app',
  },
  {
    name: 'the destination is imported',
    build: inventory((east) => ({ destination: s3.Bucket.fromBucketName(east, 'Reports', 'reports') })),
    prop: 'destination',
    message: 'its policy cannot get the statement that lets S3 deliver the reports',
  },
  {
    name: 'the destination is in another region',
    build: inventory((_east, west) => ({ destination: new s3.Bucket(west, 'Reports') })),
    prop: 'destination',
    message: 'is in us-west-2 but this stack is in us-east-1',
  },
  {
    name: 'the destination prefix does not end in /',
    build: inventory(() => ({ destinationPrefix: 'inventory' })),
    prop: 'destinationPrefix',
    message: '',
  },
];

describe('AuditInventory bad props', () => {
  runTable(cases);
});
