import { App, Duration, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ActiveBucketPointer,
  FailoverController,
  FailoverControllerProps,
  FailoverMode,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationDestination,
  ReplicationPairs,
  ReplicationProbe,
} from '../../../lib';
import { testApp } from '../../support/app';
import { BadPropsCase, runTable, synth } from './table';

const A = '111111111111';

interface World {
  app: App;
  west: Stack;
  east: Stack;
  probe: ReplicationProbe;
}

function world(): World {
  const app = testApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const west = new Stack(app, 'West', { env: { account: A, region: 'us-west-2' } });
  const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
  const replica = new ReplicaBucket(west, 'Replica');
  const data = new ReplicatedBucket(east, 'Data', { destinations: [ReplicationDestination.toReplicaBucket(replica)] });
  const probe = new ReplicationProbe(west, 'Probe', { ...ReplicationPairs.of(data), probeName: 'orders' });
  return { app, west, east, probe };
}

/** A controller in us-west-2 with a source pointer in us-east-1 (as the example has), then synth. */
function controller(
  over: Partial<FailoverControllerProps> = {},
  extra: (w: World, c: FailoverController) => void = () => {},
) {
  return () => {
    const w = world();
    const c = new FailoverController(w.west, 'Failover', { probe: w.probe, ...over });
    if (c.parameterName) {
      new ActiveBucketPointer(w.east, 'Pointer', {
        parameterName: c.parameterName,
        bucketName: 'orders',
        bucketRegion: 'us-east-1',
      });
    }
    extra(w, c);
    synth(w.app);
    return w.west;
  };
}

const cases: BadPropsCase[] = [
  {
    name: 'automatic mode has a zero cooldown',
    build: controller({ mode: FailoverMode.AUTOMATIC, cooldown: Duration.seconds(0) }),
    prop: 'cooldown',
    message: 'automatic failover needs a cooldown of at least one probe interval (5 minutes)',
  },
  {
    name: 'automatic mode has a cooldown shorter than one probe interval',
    build: controller({ mode: FailoverMode.AUTOMATIC, cooldown: Duration.minutes(2) }),
    prop: 'cooldown',
    message: 'must be at least 5 minutes',
  },
  {
    name: 'the pointer plan has no pointer in the replica region',
    build: controller({ createReplicaPointer: false }),
    prop: 'createReplicaPointer',
    message:
      'FailoverPlan.POINTER without a pointer: no ActiveBucketPointer named "/cdk-s3-dr/orders/active-bucket" in us-west-2',
  },
  {
    name: "an ActiveBucketPointer's name differs from the controller's",
    build: controller({}, (w) => {
      new ActiveBucketPointer(w.east, 'Stray', {
        parameterName: '/orders/active',
        bucketName: 'orders',
        bucketRegion: 'us-east-1',
      });
    }),
    prop: 'parameterName',
    message: 'no FailoverController of this app rewrites this pointer (theirs: "/cdk-s3-dr/orders/active-bucket")',
  },
  {
    name: 'the reports bucket is in another region',
    build: () => {
      const w = world();
      return new FailoverController(w.west, 'Failover', {
        probe: w.probe,
        reportsBucket: s3.Bucket.fromBucketAttributes(w.west, 'R', { bucketName: 'reports', region: 'us-east-1' }),
      });
    },
    prop: 'reportsBucket',
    message: 'the reports bucket is in us-east-1',
  },
  {
    name: "an ActiveBucketPointer's bucket name is invalid",
    build: controller({}, (w, c) => {
      new ActiveBucketPointer(w.west, 'Bad', {
        parameterName: c.parameterName!,
        bucketName: 'Orders',
        bucketRegion: 'us-east-1',
      });
    }),
    prop: 'bucketName',
    message: 'write "orders"',
  },
  {
    name: "an ActiveBucketPointer's bucket region is not a region code",
    build: controller({}, (w, c) => {
      new ActiveBucketPointer(w.west, 'Bad', {
        parameterName: c.parameterName!,
        bucketName: 'orders',
        bucketRegion: 'virginia',
      });
    }),
    prop: 'bucketRegion',
    message: 'use a region code, for example "us-east-1"',
  },
  {
    name: 'the source region has no pointer',
    build: () => {
      const w = world();
      new FailoverController(w.west, 'Failover', { probe: w.probe });
      synth(w.app);
      return w.west;
    },
    warning: 'no ActiveBucketPointer named "/cdk-s3-dr/orders/active-bucket" in us-east-1 in this app',
  },
];
describe('FailoverController and ActiveBucketPointer bad props', () => {
  runTable(cases);

  test('a pointer of the same name given in place of the replica pointer passes', () => {
    const build = controller({ createReplicaPointer: false }, (w, c) => {
      new ActiveBucketPointer(w.west, 'OwnPointer', {
        parameterName: c.parameterName!,
        bucketName: 'orders',
        bucketRegion: 'us-east-1',
      });
    });
    expect(build).not.toThrow();
  });

  test('automatic mode with a cooldown of one probe interval passes', () => {
    expect(controller({ mode: FailoverMode.AUTOMATIC, cooldown: Duration.minutes(5) })).not.toThrow();
  });
});
