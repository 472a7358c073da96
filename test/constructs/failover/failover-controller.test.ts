import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FailoverController, FailoverPlan } from '../../../lib';
import { A, policyStatements, probeSetup } from '../../support/monitoring';

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
      'HeadSourceVersions',
      'ListVersionsBothSides',
      'ReadReplicaVersions',
      'WriteSourceObjects',
    ]);
    expect([...bySid.WriteSourceObjects.Action].sort()).toEqual([...writes].sort());
    const src = west.resolve(probe.pair.sourceBucketName);
    const rep = west.resolve(probe.pair.replicaBucketName);
    // The source bucket's name is a literal here, the replica's a reference within this stack.
    expect(bySid.WriteSourceObjects.Resource).toBe(`arn:aws:s3:::${src}/*`);
    // The repair audits versions: it HEADs versions of the source it writes, not only of the replica.
    expect(bySid.HeadSourceVersions).toMatchObject({
      Action: 's3:GetObjectVersion',
      Resource: `arn:aws:s3:::${src}/*`,
    });
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
