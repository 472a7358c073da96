import { App, Stack } from 'aws-cdk-lib';
import { buildExampleApp } from '../../bin/example';
import { ReplicaBucket, ReplicatedBucket, ReplicationDestination } from '../../lib';
import { testApp } from '../support/app';
import { acknowledgements, nagFindings, stripAcknowledgements, unusedAcknowledgements } from '../support/nag';

function crossAccountComposition(app: App) {
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

describe.each([
  ['the example app', (app: App) => void buildExampleApp(app)],
  ['a cross-account two-destination composition', crossAccountComposition],
])('cdk-nag on %s', (_name, build) => {
  test('has zero findings in all four packs', () => {
    const app = testApp();
    build(app);
    expect(nagFindings(app)).toEqual([]);
  });

  test('acknowledges only real findings, each with a reason', () => {
    const app = testApp();
    build(app);
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) expect(a.reason.length).toBeGreaterThan(40);
    stripAcknowledgements(app);
    const raw = nagFindings(app);
    expect(raw.length).toBeGreaterThan(0);
    expect(unusedAcknowledgements(acks, raw)).toEqual([]);
  });
});
