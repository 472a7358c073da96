import { Duration, Stack } from 'aws-cdk-lib';
import { ReplicationProbe, ReplicationProbeProps } from '../../../lib';
import { testApp } from '../../support/app';
import { BadPropsCase, runTable } from './table';

const A = '111111111111';
const PAIR = {
  sourceBucketName: 'orders',
  sourceRegion: 'us-east-1',
  replicaBucketName: 'orders-replica',
  replicaRegion: 'us-west-2',
};

function probe(over: Partial<ReplicationProbeProps> = {}) {
  return () => {
    const west = new Stack(testApp(), 'West', { env: { account: A, region: 'us-west-2' } });
    return new ReplicationProbe(west, 'Probe', { ...PAIR, ...over });
  };
}

const cases: BadPropsCase[] = [
  {
    name: 'the stack has no env',
    build: () => new ReplicationProbe(new Stack(testApp(), 'Agnostic'), 'Probe', PAIR),
    prop: 'env.region (stack)',
    message: 'give the stack an explicit env',
  },
  {
    name: 'the replica bucket name starts with sthree-',
    build: probe({ replicaBucketName: 'sthree-orders' }),
    prop: 'replicaBucketName',
    message: 'reserved prefix "sthree-"',
  },
  {
    name: 'the replica region has a capital',
    build: probe({ replicaRegion: 'Us-west-2' }),
    prop: 'replicaRegion',
    message: 'write "us-west-2"',
  },
  {
    name: 'the lag threshold is not whole seconds',
    build: probe({ lagThreshold: Duration.millis(90_500) }),
    prop: 'lagThreshold',
    message: 'must be whole seconds, at least 1 second',
  },
];

describe('ReplicationProbe bad props', () => {
  runTable(cases);
});
