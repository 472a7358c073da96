import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildExampleApp } from '../../../bin/example';
import {
  AlarmActionStrategy,
  AlarmStateForwarding,
  FailoverController,
  FailoverPlan,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationAlarms,
  ReplicationDestination,
  ReplicationPairs,
  ReplicationProbe,
} from '../../../lib';
import { testApp } from '../../support/app';

const A = '111111111111';

function twoRegions() {
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

const policyStatements = (t: Template, logicalIdPart: string): any[] =>
  Object.entries(t.findResources('AWS::IAM::ManagedPolicy'))
    .filter(([id]) => id.includes(logicalIdPart))
    .flatMap(([, p]: [string, any]) => p.Properties.PolicyDocument.Statement);

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

function probeSetup(over: Partial<ConstructorParameters<typeof ReplicationProbe>[2]> = {}) {
  const { app, west, east, data, rtc } = twoRegions();
  const probe = new ReplicationProbe(west, 'Probe', { ...ReplicationPairs.of(data, rtc), ...over });
  return { app, west, east, data, probe };
}

describe('ReplicationProbe', () => {
  test('runs every 5 minutes in the replica region with the handler configuration', () => {
    const { west } = probeSetup();
    const t = Template.fromStack(west);
    t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(5 minutes)' });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({
          SOURCE_REGION: 'us-east-1',
          REPLICA_REGION: 'us-west-2',
          LAG_DEADLINE_SECONDS: '270',
          SOURCE_BUCKET: Match.stringLikeRegexp('^east.*data'),
        }),
      },
    });
  });

  test('may only touch canaries under its own prefix, with no wildcard action', () => {
    const { west, probe } = probeSetup();
    const st = policyStatements(Template.fromStack(west), 'ProbeProbePolicy');
    const actions = st.flatMap((s) => [].concat(s.Action));
    expect(actions.filter((a: string) => a.includes('*'))).toEqual([]);
    expect(actions.sort()).toEqual([
      'kms:GenerateDataKey',
      's3:DeleteObjectVersion',
      's3:GetObject',
      's3:GetObject',
      's3:ListBucketVersions',
      's3:PutObject',
    ]);
    const prefix = `.cdk-s3-dr/canary/${west.resolve(probe.probeName)}/`;
    const write = st.find((s) => s.Sid === 'WriteReadRemoveOwnCanaries');
    expect(JSON.stringify(write.Resource)).toContain(`/${prefix}*`);
    const list = st.find((s) => s.Sid === 'ListOwnCanaryVersions');
    expect(list.Condition.StringLike['s3:prefix']).toEqual([prefix, `${prefix}*`]);
    const kms = st.find((s) => s.Sid === 'EncryptCanariesInSource');
    expect(kms.Condition.StringEquals['kms:ViaService']).toBe('s3.us-east-1.amazonaws.com');
    expect(kms.Condition['ForAnyValue:StringEquals']['kms:ResourceAliases']).toMatch(/^alias\/cdk-s3-dr\//);
  });

  test('alarms on N of M unavailable probes and on lag, combined into the composite alarm', () => {
    const { west } = probeSetup({ unavailableProbes: 2, unavailableWindow: 4, lagThreshold: Duration.minutes(10) });
    const t = Template.fromStack(west);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SourceAvailable',
      Namespace: 'CdkS3Dr',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 4,
      DatapointsToAlarm: 2,
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.stringLikeRegexp('FILL\\(lag, 0\\) > 600') })]),
    });
    const composite = Object.values(t.findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(composite).toHaveLength(1);
    const rule = JSON.stringify((composite[0] as any).Properties.AlarmRule);
    expect(rule).toMatch(/\(ALARM\(.*SourceUnavailableAlarm.*\) OR ALARM\(.*LagAlarm.*\)\)/s);
  });

  test.each([
    [
      'interval is under a minute',
      { interval: Duration.seconds(30) },
      /interval = "30 seconds": must be a whole number of minutes/,
    ],
    [
      'lagDeadline is not shorter than the interval',
      { interval: Duration.minutes(2), lagDeadline: Duration.minutes(2) },
      /lagDeadline = "2 minutes": must be .* shorter than the interval \(120 s\)/,
    ],
    [
      'unavailableProbes exceeds the window',
      { unavailableProbes: 6 },
      /unavailableProbes = 6: more than unavailableWindow \(5\)/,
    ],
    ['probeName has a slash', { probeName: 'a/b' }, /probeName = "a\/b": must be 1-64 letters/],
  ])('fails when %s', (_name, over, message) => {
    expect(() => probeSetup(over as object)).toThrow(message);
  });

  test('fails when created outside the replica region', () => {
    const { east, data } = twoRegions();
    expect(() => new ReplicationProbe(east, 'Probe', ReplicationPairs.of(data, data.rules[0].destination))).toThrow(
      /replicaRegion = "us-west-2": this stack is in us-east-1/,
    );
  });
});

describe('FailoverController', () => {
  test('starts on the composite alarm going to ALARM, with exactly the permissions it needs (pointer plan)', () => {
    const { west, probe } = probeSetup();
    new FailoverController(west, 'Failover', { probe });
    const t = Template.fromStack(west);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        resources: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ProbeSourceImpairedAlarm'), 'Arn'] }],
        detail: { state: { value: ['ALARM'] } },
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
    const st = policyStatements(t, 'FailoverControllerPolicy');
    const bySid = Object.fromEntries(st.map((s) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual([
      'EncryptDecryptDecisions',
      'ListDecisions',
      'ReadProbeDatapoints',
      'ReadTheAlarm',
      'ReadWritePointers',
      'WriteReadDecisions',
    ]);
    expect(bySid.ReadProbeDatapoints).toMatchObject({ Action: 'cloudwatch:GetMetricData', Resource: '*' });
    expect(bySid.ReadTheAlarm.Action).toBe('cloudwatch:DescribeAlarms');
    expect(bySid.ReadTheAlarm.Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/SourceImpairedAlarm/), 'Arn'],
    });
    expect(bySid.ReadWritePointers.Action).toEqual(['ssm:GetParameter', 'ssm:PutParameter']);
    const pointers = JSON.stringify(bySid.ReadWritePointers.Resource);
    expect(pointers).toMatch(/ssm:us-west-2:111111111111:parameter\/cdk-s3-dr\/[a-z0-9]+\/active-bucket/);
    expect(pointers).toMatch(/ssm:us-east-1:111111111111:parameter\/cdk-s3-dr\/[a-z0-9]+\/active-bucket/);
    expect(bySid.ReadWritePointers.Resource).toHaveLength(2);
    for (const s of st) for (const a of [].concat(s.Action)) expect(a).not.toContain('*');
    // The replica region's pointer names the source at first; default mode is approval.
    t.hasResourceProperties('AWS::SSM::Parameter', { Type: 'String', Value: Match.anyValue() });
    const fn = Object.values(t.findResources('AWS::Lambda::Function')).find((f: any) =>
      JSON.stringify(f.Properties.Environment ?? {}).includes('FAILOVER_CONFIG'),
    ) as any;
    const config = JSON.stringify(fn.Properties.Environment.Variables.FAILOVER_CONFIG);
    expect(config).toContain('\\"mode\\":\\"approval\\"');
    expect(config).toContain('\\"plan\\":\\"pointer\\"');
    expect(config).toContain('\\"cooldownMinutes\\":60');
  });

  test('two-way replication and the failback pending window reach the controller configuration', () => {
    const { west, probe } = probeSetup();
    new FailoverController(west, 'Failover', { probe, twoWayReplication: true, failbackCatchUp: Duration.minutes(5) });
    const fn = Object.values(Template.fromStack(west).findResources('AWS::Lambda::Function')).find((f: any) =>
      JSON.stringify(f.Properties.Environment ?? {}).includes('FAILOVER_CONFIG'),
    ) as any;
    const config = JSON.stringify(fn.Properties.Environment.Variables.FAILOVER_CONFIG);
    expect(config).toContain('\\"twoWayReplication\\":true');
    expect(config).toContain('\\"failbackCatchUpSeconds\\":300');
    const { west: other, probe: p2 } = probeSetup();
    expect(() => new FailoverController(other, 'Failover', { probe: p2, failbackCatchUp: Duration.hours(25) })).toThrow(
      /failbackCatchUp = "1 day 1 hour": the pending window of a failback is out of range; fix: use a duration from 0 to 24 hours/,
    );
  });

  test('failbackRepair: a policy of its own writes versions, tags and delete markers to the source only', () => {
    const { west: readOnly, probe: p0 } = probeSetup();
    new FailoverController(readOnly, 'Failover', { probe: p0 });
    const writes = ['s3:PutObject', 's3:PutObjectTagging', 's3:DeleteObject'];
    // Without it, no statement of the controller writes to either data bucket.
    const before = policyStatements(Template.fromStack(readOnly), 'Failover');
    expect(before.filter((st) => [st.Action].flat().some((a: string) => writes.includes(a)))).toEqual([
      expect.objectContaining({ Sid: 'WriteReadDecisions' }),
    ]);
    expect(policyStatements(Template.fromStack(readOnly), 'FailbackRepairPolicy')).toEqual([]);

    const { west, probe } = probeSetup();
    new FailoverController(west, 'Failover', { probe, failbackRepair: true });
    const t = Template.fromStack(west);
    const statements = policyStatements(t, 'FailbackRepairPolicy');
    const bySid = Object.fromEntries(statements.map((st) => [st.Sid, st]));
    expect(Object.keys(bySid).sort()).toEqual([
      'DecryptReplica',
      'EncryptSource',
      'ListVersionsBothSides',
      'ReadReplicaVersions',
      'WriteSourceObjects',
    ]);
    expect([...bySid.WriteSourceObjects.Action].sort()).toEqual([...writes].sort());
    const src = west.resolve(probe.pair.sourceBucketName);
    const rep = west.resolve(probe.pair.replicaBucketName);
    // The source bucket's name is a literal here, the replica's a reference within this stack.
    expect(bySid.WriteSourceObjects.Resource).toBe(`arn:aws:s3:::${src}/*`);
    expect([...bySid.ReadReplicaVersions.Action].sort()).toEqual([
      's3:GetObjectTagging',
      's3:GetObjectVersion',
      's3:GetObjectVersionTagging',
    ]);
    expect(JSON.stringify(bySid.ReadReplicaVersions.Resource)).toContain(JSON.stringify(rep));
    expect(JSON.stringify(bySid.ReadReplicaVersions.Resource)).not.toContain(String(src));
    expect(bySid.EncryptSource.Condition.StringEquals).toEqual({ 'kms:ViaService': 's3.us-east-1.amazonaws.com' });
    expect(bySid.DecryptReplica.Action).toBe('kms:Decrypt');
    expect(bySid.DecryptReplica.Condition.StringEquals).toEqual({ 'kms:ViaService': 's3.us-west-2.amazonaws.com' });
    // No statement of any policy in the stack allows a wildcard action.
    expect(statements.flatMap((st) => [st.Action].flat()).filter((a: string) => a.includes('*'))).toEqual([]);

    const { west: other, probe: p2 } = probeSetup();
    expect(
      () => new FailoverController(other, 'Failover', { probe: p2, failbackRepair: true, twoWayReplication: true }),
    ).toThrow(
      /failbackRepair = true: with twoWayReplication failback waits for the reverse replication and never repairs/,
    );
  });

  test('mrap plan: creates the access point and grants routes on its ARN only', () => {
    const { west, probe } = probeSetup();
    new FailoverController(west, 'Failover', {
      probe,
      plan: FailoverPlan.MRAP,
      accessPoint: { createWithName: 'orders-dr' },
    });
    const t = Template.fromStack(west);
    t.hasResourceProperties('AWS::S3::MultiRegionAccessPoint', {
      Name: 'orders-dr',
      Regions: [Match.objectLike({ Bucket: Match.anyValue() }), Match.objectLike({ Bucket: Match.anyValue() })],
    });
    const st = policyStatements(t, 'FailoverControllerPolicy');
    const routes = st.find((s) => s.Sid === 'ReadChangeRoutes');
    expect(routes.Action).toEqual(['s3:GetMultiRegionAccessPointRoutes', 's3:SubmitMultiRegionAccessPointRoutes']);
    expect(JSON.stringify(routes.Resource)).toContain(':accesspoint/');
    expect(st.find((s) => s.Sid === 'ReadWritePointers')).toBeUndefined();
    t.resourceCountIs('AWS::SSM::Parameter', 0);
  });

  test.each([
    [
      'mode is unknown',
      { mode: 'yolo' },
      /mode = "yolo": unknown mode; fix: use FailoverMode.AUTOMATIC, FailoverMode.APPROVAL or FailoverMode.DRY_RUN/,
    ],
    [
      'plan mrap has no access point',
      { plan: FailoverPlan.MRAP },
      /accessPoint = undefined: FailoverPlan.MRAP needs exactly one of/,
    ],
    [
      'the access point name is invalid',
      { plan: FailoverPlan.MRAP, accessPoint: { createWithName: 'Orders_DR' } },
      /accessPoint.createWithName = "Orders_DR"/,
    ],
    [
      'the pointer name is invalid',
      { parameterName: 'bad name' },
      /parameterName = "bad name": not a valid SSM parameter name/,
    ],
    ['cooldown is over 7 days', { cooldown: Duration.days(8) }, /cooldown = "8 days": must be from 0 to 7 days/],
    [
      'accessPoint is given with the pointer plan',
      { accessPoint: { arn: 'x' } },
      /accessPoint = .*only used with FailoverPlan.MRAP/,
    ],
  ])('fails when %s', (_name, over, message) => {
    const { west, probe } = probeSetup();
    expect(() => new FailoverController(west, 'Failover', { probe, ...(over as object) })).toThrow(message);
  });

  test('fails when the probe is in another stack', () => {
    const { app, probe } = probeSetup();
    const other = new Stack(app, 'Other', { env: { account: A, region: 'us-west-2' } });
    expect(() => new FailoverController(other, 'Failover', { probe })).toThrow(
      /probe = "West\/Probe": the probe is in another stack/,
    );
  });
});

describe('AlarmStateForwarding', () => {
  test('forwards state changes of the given alarms to the replica region default bus with its own role', () => {
    const { east, data } = twoRegions();
    const alarm = data
      .metricOperationsFailedReplication({ destination: data.rules[0].destination })
      .createAlarm(east, 'A', {
        threshold: 0,
        evaluationPeriods: 1,
      });
    new AlarmStateForwarding(east, 'Forward', { alarms: [alarm], targetRegion: 'us-west-2' });
    const t = Template.fromStack(east);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        resources: [Match.anyValue()],
      },
      Targets: [
        Match.objectLike({
          Arn: 'arn:aws:events:us-west-2:111111111111:event-bus/default',
          RoleArn: Match.anyValue(),
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
    const st = policyStatements(t, 'ForwardRoleGrants');
    expect(st).toEqual([
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: 'arn:aws:events:us-west-2:111111111111:event-bus/default',
      },
    ]);
    t.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
  });

  test.each([
    ['there are no alarms', { alarms: [] }, /alarms = \[\]: nothing to forward/],
    [
      'the target is the same region',
      { targetRegion: 'us-east-1' },
      /targetRegion = "us-east-1": is this stack's own region/,
    ],
    ['the target is not a region', { targetRegion: 'west' }, /targetRegion = "west": not a region name/],
  ])('fails when %s', (_name, over, message) => {
    const { east, data } = twoRegions();
    const alarm = data
      .metricOperationsFailedReplication({ destination: data.rules[0].destination })
      .createAlarm(east, 'A', {
        threshold: 0,
        evaluationPeriods: 1,
      });
    expect(
      () =>
        new AlarmStateForwarding(east, 'Forward', { alarms: [alarm], targetRegion: 'us-west-2', ...(over as object) }),
    ).toThrow(message);
  });
});

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
