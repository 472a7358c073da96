import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ReplicationPairs, ReplicationProbe } from '../../../lib';
import { twoRegions, policyStatements, probeSetup } from '../../support/monitoring';

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
