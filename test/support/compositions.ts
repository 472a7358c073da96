import { App, Duration, Stack } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  AlarmStateForwarding,
  AuditMode,
  ConsistencyAudit,
  RestoreDrill,
  FailoverController,
  FailoverMode,
  FailoverPlan,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationDestination,
  ReplicationPairs,
  ReplicationBackfill,
  ReplicationProbe,
  ReplicationRepair,
  RepairTarget,
  TwoWayReplication,
} from '../../lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { createAlarmTopic } from '../../lib/private/dr-function';

/** A source in one account replicating to a replica in another account and one in its own. */
export function crossAccountComposition(app: App): void {
  const source = new Stack(app, 'Source', { env: { account: '222222222222', region: 'eu-west-1' } });
  const west = new Stack(app, 'West', { env: { account: '333333333333', region: 'us-west-2' } });
  const east = new Stack(app, 'East', { env: { account: '222222222222', region: 'us-east-2' } });
  const westReplica = new ReplicaBucket(west, 'Replica', {
    sourceAccount: '222222222222',
    sourceReplicationRoleName: 'orders-replication',
  });
  const eastReplica = new ReplicaBucket(east, 'Replica');
  new ReplicatedBucket(source, 'Orders', {
    replicationRoleName: 'orders-replication',
    destinations: [
      ReplicationDestination.toReplicaBucket(westReplica, {
        priority: 2,
        ownerOverride: true,
        replicationTimeControl: true,
      }),
      ReplicationDestination.toReplicaBucket(eastReplica, { priority: 1, prefix: 'invoices/' }),
    ],
  });
}

/** A source in us-east-1 replicating to a replica in us-west-2, one account. */
function onePair(app: App) {
  const west = new Stack(app, 'West', { env: { account: '111111111111', region: 'us-west-2' } });
  const east = new Stack(app, 'East', { env: { account: '111111111111', region: 'us-east-1' } });
  const replica = new ReplicaBucket(west, 'Replica');
  const data = new ReplicatedBucket(east, 'Orders', {
    destinations: [ReplicationDestination.toReplicaBucket(replica)],
  });
  return { west, east, data, pair: ReplicationPairs.of(data) };
}

/**
 * Audits the example does not have: ranges that choose themselves, fixed ranges, and a second
 * audit of the same pair in versions mode; each fans out on a Distributed Map, whose permissions
 * aws-cdk-lib adds to the state machine role.
 */
export function distributedAuditComposition(app: App): void {
  const { west, pair } = onePair(app);
  new ConsistencyAudit(west, 'SelfPlanned', { ...pair, rangeCount: 16, maxConcurrency: 8 });
  new ConsistencyAudit(west, 'FixedRanges', {
    ...pair,
    auditName: 'orders-versions',
    mode: AuditMode.VERSIONS,
    keyRangeBoundaries: ['g', 'n'],
  });
}

/** The bundled handlers in an existing VPC of each region (imported, as most apps have one). */
export function vpcComposition(app: App): void {
  const { west, east, data, pair } = onePair(app);
  const vpcOf = (stack: Stack, n: string) =>
    ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: `vpc-0123456789abcdef${n}`,
      availabilityZones: [`${stack.region}a`, `${stack.region}b`],
      privateSubnetIds: [`subnet-0${n}aaaaaaaaaaaaaaa`, `subnet-0${n}bbbbbbbbbbbbbbb`],
      privateSubnetRouteTableIds: [`rtb-0${n}aaaaaaaaaaaaaaa`, `rtb-0${n}bbbbbbbbbbbbbbb`],
    });
  const westVpc = vpcOf(west, '1');
  new ConsistencyAudit(west, 'Audit', { ...pair, rangeCount: 4, vpc: westVpc });
  new RestoreDrill(west, 'Drill', { ...pair, vpc: westVpc });
  new ReplicationBackfill(east, 'Backfill', { sourceBucket: data.bucket, vpc: vpcOf(east, '2') });
}

/**
 * A composition with what the example does not have: forwarding, the MRAP plan, automatic mode,
 * and a repair function that brings a failover's writes home (deletions included).
 */
export function mrapComposition(app: App): void {
  const west = new Stack(app, 'West', { env: { account: '222222222222', region: 'us-west-2' } });
  const east = new Stack(app, 'East', { env: { account: '222222222222', region: 'us-east-2' } });
  const replica = new ReplicaBucket(west, 'Replica');
  const data = new ReplicatedBucket(east, 'Orders', {
    destinations: [ReplicationDestination.toReplicaBucket(replica, { replicationTimeControl: true })],
  });
  const probe = new ReplicationProbe(west, 'Probe', {
    ...ReplicationPairs.of(data),
    encryptionKey: replica.encryptionKey,
  });
  new FailoverController(west, 'Failover', {
    probe,
    mode: FailoverMode.AUTOMATIC,
    plan: FailoverPlan.MRAP,
    accessPoint: { createWithName: 'orders-dr' },
    encryptionKey: replica.encryptionKey,
  });
  new ReplicationRepair(west, 'Repair', {
    ...ReplicationPairs.of(data),
    to: RepairTarget.SOURCE,
    mode: AuditMode.VERSIONS,
    allowDelete: true,
    encryptionKey: replica.encryptionKey,
  });
  const alarm = data.metricOperationsFailedReplication().createAlarm(east, 'SourceSideAlarm', {
    threshold: 0,
    evaluationPeriods: 1,
  });
  alarm.addAlarmAction(new SnsAction(createAlarmTopic(east, data.encryptionKey!)));
  new AlarmStateForwarding(east, 'Forward', { alarms: [alarm], targetRegion: 'us-west-2' });
}

/** Two-way replication between two accounts and regions: each bucket replicates to the other. */
export function twoWayComposition(app: App): TwoWayReplication {
  const east = new Stack(app, 'TwoWayEast', { env: { account: '222222222222', region: 'us-east-2' } });
  const west = new Stack(app, 'TwoWayWest', { env: { account: '333333333333', region: 'us-west-2' } });
  return new TwoWayReplication({
    first: { scope: east, id: 'Orders', bucketName: 'orders-two-way-use2' },
    second: { scope: west, id: 'Orders', bucketName: 'orders-two-way-usw2' },
    replicationTimeControl: true,
  });
}

/** A source bucket with a Batch Replication backfill (weekly schedule) beside it, in the source region. */
export function backfillComposition(app: App): void {
  const { east, data } = onePair(app);
  new ReplicationBackfill(east, 'Backfill', {
    sourceBucket: data.bucket,
    prefix: 'invoices/',
    schedule: scheduler.ScheduleExpression.rate(Duration.days(7)),
  });
}

/**
 * Every composition above, named: the tests that check every template (cdk-nag, cfn-lint, the
 * Control Tower controls, the confused-deputy conditions) build each, besides the example app.
 */
export const COMPOSITIONS: ReadonlyArray<readonly [string, (app: App) => void]> = [
  ['a cross-account two-destination composition', crossAccountComposition],
  ['an MRAP composition with alarm forwarding', mrapComposition],
  ['a cross-account two-way pair', (app) => void twoWayComposition(app)],
  ['a backfill composition', backfillComposition],
  ['distributed audits', distributedAuditComposition],
  ['handlers in existing VPCs', vpcComposition],
];
