import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ReplicaBucket, ReplicatedBucket, ReplicationDestination, ReplicationPairs, ReplicationProbe } from '../../lib';
import { testApp } from './app';

/** Fixtures of the monitoring and failover construct tests: one account, two regions. */
export const A = '111111111111';

/** A bucket in us-east-1 replicating to two replicas in us-west-2, one rule with RTC, one without. */
export function twoRegions() {
  const app = testApp();
  const west = new Stack(app, 'West', { env: { account: A, region: 'us-west-2' } });
  const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
  const rtcReplica = new ReplicaBucket(west, 'RtcReplica');
  const plainReplica = new ReplicaBucket(west, 'PlainReplica');
  const rtc = ReplicationDestination.toReplicaBucket(rtcReplica, { priority: 1, replicationTimeControl: true });
  const plain = ReplicationDestination.toReplicaBucket(plainReplica, { priority: 2, prefix: 'logs/' });
  const data = new ReplicatedBucket(east, 'Data', { destinations: [rtc, plain] });
  return { app, west, east, data, rtc, plain };
}

/** The statements of the managed policies whose logical id contains `logicalIdPart`. */
export const policyStatements = (t: Template, logicalIdPart: string): any[] =>
  Object.entries(t.findResources('AWS::IAM::ManagedPolicy'))
    .filter(([id]) => id.includes(logicalIdPart))
    .flatMap(([, p]: [string, any]) => p.Properties.PolicyDocument.Statement);

/** A `ReplicationProbe` in us-west-2 over the RTC rule of `twoRegions()`. */
export function probeSetup(over: Partial<ConstructorParameters<typeof ReplicationProbe>[2]> = {}) {
  const { app, west, east, data, rtc } = twoRegions();
  const probe = new ReplicationProbe(west, 'Probe', { ...ReplicationPairs.of(data, rtc), ...over });
  return { app, west, east, data, probe };
}
