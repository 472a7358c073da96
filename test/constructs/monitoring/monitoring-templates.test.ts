import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildExampleApp } from '../../../bin/example';
import { testApp } from '../../support/app';

describe('the example app with monitoring', () => {
  test('puts the probe, composite alarm, dashboard, controller and its pointer in the replica region, a pointer in each region', () => {
    const app = testApp();
    const ex = buildExampleApp(app);
    const m = ex.monitoring;
    const replica = Template.fromStack(ex.replica);
    const primary = Template.fromStack(ex.primary);
    replica.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    replica.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    replica.resourceCountIs('AWS::SSM::Parameter', 1);
    primary.resourceCountIs('AWS::SSM::Parameter', 1);
    primary.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 0);
    expect(Stack.of(m.probe).region).toBe('us-west-2');
    expect(Stack.of(m.controller).region).toBe('us-west-2');
    expect(Stack.of(m.sourcePointer).region).toBe('us-east-1');
    // The replica region's latency alarm is part of "source region impaired".
    const rule = JSON.stringify(Object.values(replica.findResources('AWS::CloudWatch::CompositeAlarm'))[0]);
    expect(rule).toMatch(/ReplicationAlarmstouswest2Latency/);
    // Both pointers have the same name and name the source bucket at first.
    const params = [replica, primary].map((t) => Object.values(t.findResources('AWS::SSM::Parameter'))[0] as any);
    expect(params[0].Properties.Name).toEqual(params[1].Properties.Name);
    expect(JSON.stringify(params[1].Properties.Value)).toContain('us-east-1');
    const dash = JSON.stringify(Object.values(replica.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const metric of [
      'ReplicationLatency',
      'SourceAvailable',
      'ReplicationLagSeconds',
      'Discrepancies',
      'MaxObservedLagSeconds',
      'DrillPassed',
      'RtoEstimateSeconds',
    ]) {
      expect(dash).toContain(metric);
    }
  });
});
