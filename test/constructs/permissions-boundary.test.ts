import { Duration, Stack } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  AlarmStateForwarding,
  ConsistencyAudit,
  FailoverController,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationBackfill,
  ReplicationDestination,
  ReplicationFailureEvents,
  ReplicationFailureNotifications,
  ReplicationPairs,
  ReplicationProbe,
  RestoreDrill,
} from '../../lib';
import { testApp } from '../support/app';

const A = '111111111111';
const BOUNDARY = `arn:aws:iam::${A}:policy/dr-boundary`;

function twoRegions() {
  const app = testApp();
  const west = new Stack(app, 'West', { env: { account: A, region: 'us-west-2' } });
  const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
  const boundary = iam.ManagedPolicy.fromManagedPolicyArn(west, 'Boundary', BOUNDARY);
  const eastBoundary = iam.ManagedPolicy.fromManagedPolicyArn(east, 'Boundary', BOUNDARY);
  const replica = new ReplicaBucket(west, 'Replica');
  return { app, west, east, boundary, eastBoundary, replica };
}

type Env = ReturnType<typeof twoRegions>;

/** Each construct that creates roles, built with a boundary; returns it and the stack it is in. */
const CASES: Array<[string, (env: Env) => Construct, number]> = [
  [
    'ReplicatedBucket',
    ({ east, eastBoundary, replica }) =>
      new ReplicatedBucket(east, 'Data', {
        destinations: [ReplicationDestination.toReplicaBucket(replica)],
        permissionsBoundary: eastBoundary,
      }),
    1,
  ],
  [
    'ConsistencyAudit',
    (env) => new ConsistencyAudit(env.west, 'Audit', { ...pair(env), permissionsBoundary: env.boundary }),
    3,
  ],
  [
    'RestoreDrill',
    (env) => new RestoreDrill(env.west, 'Drill', { ...pair(env), permissionsBoundary: env.boundary }),
    2,
  ],
  [
    'ReplicationProbe',
    (env) => new ReplicationProbe(env.west, 'Probe', { ...pair(env), permissionsBoundary: env.boundary }),
    2,
  ],
  [
    'FailoverController',
    (env) =>
      new FailoverController(env.west, 'Failover', {
        probe: new ReplicationProbe(env.west, 'Probe', pair(env)),
        permissionsBoundary: env.boundary,
      }),
    1,
  ],
  [
    'ReplicationFailureEvents',
    (env) =>
      new ReplicationFailureEvents(env.east, 'Events', {
        replicatedBucket: data(env),
        targetRegion: 'us-west-2',
        permissionsBoundary: env.eastBoundary,
      }),
    3,
  ],
  [
    'ReplicationBackfill',
    (env) =>
      new ReplicationBackfill(env.east, 'Backfill', {
        sourceBucket: data(env).bucket,
        schedule: scheduler.ScheduleExpression.rate(Duration.days(7)),
        permissionsBoundary: env.eastBoundary,
      }),
    3,
  ],
  [
    'ReplicationFailureNotifications',
    ({ west, boundary }) =>
      new ReplicationFailureNotifications(west, 'Notifications', { permissionsBoundary: boundary }),
    1,
  ],
  [
    'AlarmStateForwarding',
    ({ east, eastBoundary }) =>
      new AlarmStateForwarding(east, 'Forward', {
        alarms: [
          new cloudwatch.Alarm(east, 'SomeAlarm', {
            metric: new cloudwatch.Metric({ namespace: 'Example', metricName: 'Errors' }),
            threshold: 1,
            evaluationPeriods: 1,
          }),
        ],
        targetRegion: 'us-west-2',
        permissionsBoundary: eastBoundary,
      }),
    1,
  ],
];

function data(env: Env): ReplicatedBucket {
  return new ReplicatedBucket(env.east, 'Source', {
    destinations: [ReplicationDestination.toReplicaBucket(env.replica)],
  });
}

function pair(env: Env) {
  return { ...ReplicationPairs.of(data(env)), encryptionKey: env.replica.encryptionKey };
}

describe.each(CASES)('permissionsBoundary on %s', (_name, build, minimumRoles) => {
  test("every IAM role the construct creates, its own and aws-cdk-lib's, has the boundary", () => {
    const env = twoRegions();
    const construct = build(env);
    const stack = Stack.of(construct);
    const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, any> };
    const roles = construct.node.findAll().filter((c): c is iam.CfnRole => c instanceof iam.CfnRole);
    expect(roles.length).toBeGreaterThanOrEqual(minimumRoles);
    for (const role of roles) {
      const resource = template.Resources[stack.resolve(role.logicalId)];
      expect({ role: role.node.path, boundary: resource.Properties.PermissionsBoundary }).toEqual({
        role: role.node.path,
        boundary: BOUNDARY,
      });
    }
  });
});

test('without the prop, no role has a boundary', () => {
  const env = twoRegions();
  new ConsistencyAudit(env.west, 'Audit', pair(env));
  const roles = Template.fromStack(env.west).findResources('AWS::IAM::Role');
  expect(Object.keys(roles).length).toBeGreaterThan(0);
  for (const r of Object.values(roles) as any[]) expect(r.Properties.PermissionsBoundary).toBeUndefined();
});
