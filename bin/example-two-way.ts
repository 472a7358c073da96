import { App, Stack } from 'aws-cdk-lib';
import {
  FailoverController,
  FailoverMode,
  FailoverPlan,
  ReplicationDirections,
  ReplicationProbe,
  TwoWayReplication,
} from '../lib';
import { InvalidPropsError } from '../lib/private/errors';
import { EXAMPLE_ACCOUNT, PRIMARY_REGION, REPLICA_REGION } from './example';

/** The context key that turns the two-way example on: `npx cdk synth -c twoWay=both`. */
export const TWO_WAY_CONTEXT = 'twoWay';

export interface TwoWayExample {
  readonly east: Stack;
  readonly west: Stack;
  readonly twoWay: TwoWayReplication;
  /** With `both`: the probe and the failover controller over a Multi-Region Access Point. */
  readonly controller?: FailoverController;
}

/**
 * The two-way example, off by default: `-c twoWay=first-to-second` for the first deployment of
 * the two new buckets (only east replicates to west), then `-c twoWay=both` (each replicates to
 * the other, under a Multi-Region Access Point whose routes the failover controller in the west
 * region changes: active/passive).
 */
export function buildTwoWayExample(app: App, mode: string): TwoWayExample {
  const both = mode === 'both';
  if (!both && mode !== 'first-to-second') {
    throw new InvalidPropsError(app.node.path || 'app', [
      {
        prop: `context ${TWO_WAY_CONTEXT}`,
        value: mode,
        problem: 'not a two-way example mode',
        fix: `use -c ${TWO_WAY_CONTEXT}=first-to-second for the first deployment, then -c ${TWO_WAY_CONTEXT}=both`,
      },
    ]);
  }
  const east = new Stack(app, 'S3DrTwoWayEast', {
    env: { account: EXAMPLE_ACCOUNT, region: PRIMARY_REGION },
    description: 'cdk-s3-dr example: one bucket of a two-way replicated pair',
  });
  const west = new Stack(app, 'S3DrTwoWayWest', {
    env: { account: EXAMPLE_ACCOUNT, region: REPLICA_REGION },
    description: 'cdk-s3-dr example: the other bucket of the pair, its probe and the failover controller',
  });
  const twoWay = new TwoWayReplication({
    first: { scope: east, id: 'Orders', bucketName: `cdk-s3-dr-example-orders-${PRIMARY_REGION}` },
    second: { scope: west, id: 'Orders', bucketName: `cdk-s3-dr-example-orders-${REPLICA_REGION}` },
    directions: both ? ReplicationDirections.BOTH_WAYS : ReplicationDirections.FIRST_TO_SECOND_ONLY,
  });
  if (!both) return { east, west, twoWay };
  // The access point spans both buckets, so it is created once both exist (with BOTH_WAYS).
  const probe = new ReplicationProbe(west, 'Probe', { ...twoWay.firstToSecond, probeName: 'example-orders' });
  const controller = new FailoverController(west, 'Failover', {
    probe,
    mode: FailoverMode.APPROVAL,
    plan: FailoverPlan.MRAP,
    accessPoint: { createWithName: 'cdk-s3-dr-example-orders' },
  });
  return { east, west, twoWay, controller };
}
