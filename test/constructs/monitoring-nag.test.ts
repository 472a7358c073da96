import { App, Stack } from 'aws-cdk-lib';
import {
  AlarmStateForwarding,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationDestination,
  ReplicationProbe,
  ReplicationPairs,
  FailoverController,
} from '../../lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { createAlarmTopic } from '../../lib/private/dr-function';
import { testApp } from '../support/app';
import { acknowledgements, nagFindings, stripAcknowledgements, unusedAcknowledgements } from '../support/nag';

/** A composition with what the example does not have: forwarding, the MRAP plan, automatic mode. */
function mrapComposition(app: App) {
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
    mode: 'automatic',
    plan: 'mrap',
    accessPoint: { createWithName: 'orders-dr' },
    encryptionKey: replica.encryptionKey,
  });
  const alarm = data.metricOperationsFailedReplication().createAlarm(east, 'SourceSideAlarm', {
    threshold: 0,
    evaluationPeriods: 1,
  });
  alarm.addAlarmAction(new SnsAction(createAlarmTopic(east, data.encryptionKey!)));
  new AlarmStateForwarding(east, 'Forward', { alarms: [alarm], targetRegion: 'us-west-2' });
}

describe.each([['an MRAP composition with alarm forwarding', mrapComposition]])('cdk-nag on %s', (_name, build) => {
  test('has zero findings in all four packs', () => {
    const app = testApp();
    build(app);
    expect(nagFindings(app)).toEqual([]);
  });

  test('acknowledges only real findings, each with a reason', () => {
    const app = testApp();
    build(app);
    const acks = acknowledgements(app);
    for (const a of acks) expect(a.reason.length).toBeGreaterThan(40);
    stripAcknowledgements(app);
    expect(unusedAcknowledgements(acks, nagFindings(app))).toEqual([]);
  });
});
