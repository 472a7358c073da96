import { Match, Template } from 'aws-cdk-lib/assertions';
import { AlarmStateForwarding } from '../../../lib';
import { twoRegions, policyStatements } from '../../support/monitoring';

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
