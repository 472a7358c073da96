import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  AlarmActionStrategy,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationAlarms,
  ReplicationDestination,
} from '../../../lib';
import { testApp } from '../../support/app';
import { A, twoRegions } from '../../support/monitoring';

describe('ReplicationAlarms', () => {
  test('metricRegions names the destination region of each rule, and needs the destination when there are several', () => {
    const app = testApp();
    const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
    const west = new Stack(app, 'West', { env: { account: A, region: 'us-west-2' } });
    const euro = new Stack(app, 'Euro', { env: { account: A, region: 'eu-west-1' } });
    const toWest = ReplicationDestination.toReplicaBucket(new ReplicaBucket(west, 'R'), { priority: 1 });
    const toEuro = ReplicationDestination.toReplicaBucket(new ReplicaBucket(euro, 'R'), { priority: 2 });
    const data = new ReplicatedBucket(east, 'Data', { destinations: [toWest, toEuro] });
    expect(ReplicationAlarms.metricRegions(data, toWest)).toEqual(['us-west-2']);
    expect(ReplicationAlarms.metricRegions(data, toEuro)).toEqual(['eu-west-1']);
    expect(() => ReplicationAlarms.metricRegions(data)).toThrow(/2 destinations: pass the destination/);
  });

  test('creates four alarms per destination in the region S3 publishes the metrics in, 15 min for RTC', () => {
    const { west, data } = twoRegions();
    const alarms = new ReplicationAlarms(west, 'Alarms', {
      replicatedBucket: data,
      latencyThreshold: Duration.minutes(45),
    });
    const t = Template.fromStack(west);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 8);
    expect(alarms.alarms).toHaveLength(8);
    const latency = Object.values(
      t.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ReplicationLatency' } }),
    )
      .map((r: any) => [r.Properties.Dimensions.find((d: any) => d.Name === 'RuleId').Value, r.Properties.Threshold])
      .sort();
    expect(latency).toEqual([
      ['to-us-west-2-1', 900],
      ['to-us-west-2-2', 2700],
    ]);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'OperationsFailedReplication',
      Namespace: 'AWS/S3',
      Statistic: 'Sum',
      Threshold: 0,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'BytesPendingReplication',
      Threshold: 10 * 1024 ** 3,
      EvaluationPeriods: 15,
      DatapointsToAlarm: 15,
      TreatMissingData: 'notBreaching',
      // The source bucket is named literally across regions.
      Dimensions: Match.arrayWith([{ Name: 'SourceBucket', Value: Match.stringLikeRegexp('^east.*data') }]),
    });
    // Default actions: a new KMS-encrypted topic, on ALARM and on OK.
    t.resourceCountIs('AWS::SNS::Topic', 1);
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [Match.anyValue()],
      OKActions: [Match.anyValue()],
    });
  });

  test('takes props for thresholds, periods and missing data, and no actions', () => {
    const { west, data } = twoRegions();
    new ReplicationAlarms(west, 'Alarms', {
      replicatedBucket: data,
      operationsPendingThreshold: 50,
      evaluationPeriods: 10,
      datapointsToAlarm: 7,
      treatMissingData: 'breaching' as any,
      alarmActions: AlarmActionStrategy.none(),
    });
    const t = Template.fromStack(west);
    t.resourceCountIs('AWS::SNS::Topic', 0);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'OperationsPendingReplication',
      Threshold: 50,
      EvaluationPeriods: 10,
      DatapointsToAlarm: 7,
      TreatMissingData: 'breaching',
      AlarmActions: Match.absent(),
    });
  });

  test('fails when created in a region where none of the metrics is published', () => {
    const { east, data } = twoRegions();
    expect(() => new ReplicationAlarms(east, 'Alarms', { replicatedBucket: data })).toThrow(
      /East\/Alarms: 1 invalid prop\n {2}- scope = "us-east-1": S3 publishes none of these replication metrics in us-east-1.*fix: create ReplicationAlarms in a stack of us-west-2/,
    );
  });

  test.each([
    ['evaluationPeriods is 0', { evaluationPeriods: 0 }, /evaluationPeriods = 0: must be a whole number of at least 1/],
    [
      'datapointsToAlarm exceeds evaluationPeriods',
      { evaluationPeriods: 3, datapointsToAlarm: 4 },
      /datapointsToAlarm = 4: more than evaluationPeriods \(3\)/,
    ],
    ['a threshold is negative', { bytesPendingThreshold: -1 }, /bytesPendingThreshold = -1: must be 0 or more/],
    [
      'latencyThreshold is under a minute',
      { latencyThreshold: Duration.seconds(30) },
      /latencyThreshold = "30 seconds": must be from 1 minute to 7 days/,
    ],
    [
      'encryptionKey is given with other actions',
      { alarmActions: AlarmActionStrategy.none(), encryptionKey: {} as any },
      /encryptionKey = "set": only used for the new topic/,
    ],
  ])('fails when %s', (_name, over, message) => {
    const { west, data } = twoRegions();
    expect(() => new ReplicationAlarms(west, 'Alarms', { replicatedBucket: data, ...(over as object) })).toThrow(
      message,
    );
  });
});
