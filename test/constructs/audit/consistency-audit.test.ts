import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { buildExampleApp } from '../../../bin/example';
import {
  AuditMode,
  ConsistencyAudit,
  ConsistencyAuditProps,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationDestination,
  ReplicationPairs,
} from '../../../lib';
import { testApp } from '../../support/app';
import { nagFindings } from '../../support/nag';
import { runLocally, synthesizedDefinition } from '../../support/state-machine';

const ACCOUNT = '111111111111';

function setup(over: Partial<ConsistencyAuditProps> = {}) {
  const app = testApp();
  const west = new Stack(app, 'West', { env: { account: ACCOUNT, region: 'us-west-2' } });
  const east = new Stack(app, 'East', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const replica = new ReplicaBucket(west, 'Replica');
  const data = new ReplicatedBucket(east, 'Data', { destinations: [ReplicationDestination.toReplicaBucket(replica)] });
  const audit = new ConsistencyAudit(west, 'Audit', { ...ReplicationPairs.of(data), ...over });
  return { app, west, east, audit, data, replica };
}

function statements(t: Template): any[] {
  return Object.values(t.findResources('AWS::IAM::ManagedPolicy')).flatMap(
    (p: any) => p.Properties.PolicyDocument.Statement,
  );
}
const actionsOf = (st: any[]) => st.flatMap((s) => [].concat(s.Action));

describe('ConsistencyAudit', () => {
  test('deploys a Node.js 24 handler with reserved concurrency, a DLQ and an encrypted log group', () => {
    const { west } = setup();
    const t = Template.fromStack(west);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
      DeadLetterConfig: { TargetArn: Match.anyValue() },
      Environment: {
        Variables: Match.objectLike({
          SOURCE_REGION: 'us-east-1',
          REPLICA_REGION: 'us-west-2',
          SOURCE_BUCKET: Match.stringLikeRegexp('^[a-z0-9-]+$'),
          LAG_WINDOW_SECONDS: '900',
          MODE: 'current',
          DELETE_MARKER_REPLICATION: 'false',
          REPORTS_REGION: 'us-west-2',
        }),
      },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
    t.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
  });

  test('references the source region by literal names only: no stack dependency on it', () => {
    const { west, east } = setup();
    expect(west.dependencies).toEqual([]);
    expect(east.dependencies).toContain(west);
    const env = (Object.values(Template.fromStack(west).findResources('AWS::Lambda::Function'))[0] as any).Properties
      .Environment.Variables;
    expect(typeof env.SOURCE_BUCKET).toBe('string');
  });

  test('reads only: list and HEAD on both buckets, no KMS on them; reads and writes only its reports prefix', () => {
    const { west } = setup();
    const t = Template.fromStack(west);
    const st = statements(t);
    const actions = actionsOf(st);
    expect(actions.filter((a: string) => a.includes('*'))).toEqual([]);
    for (const forbidden of ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectAcl', 's3:ReplicateObject']) {
      expect(actions).not.toContain(forbidden);
    }
    // The one decrypt is of its own reports (read back to build a report, merged after a
    // distributed run), through S3 only: never of the audited buckets' keys.
    const decrypt = st.filter((s) => [].concat(s.Action).includes('kms:Decrypt' as never));
    expect(decrypt).toHaveLength(1);
    const reports = Object.entries(t.findResources('AWS::S3::Bucket')).find(([id]) =>
      /^CdkS3DrRegionalReports[0-9A-F]+$/.test(id),
    )!;
    const reportsKey = (reports[1] as any).Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]
      .ServerSideEncryptionByDefault.KMSMasterKeyID;
    expect(decrypt[0].Resource).toEqual(reportsKey);
    expect(decrypt[0].Condition).toEqual({ StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' } });
    const listReports = st.find((s) => s.Condition?.StringLike?.['s3:prefix']);
    expect(listReports).toMatchObject({
      Action: 's3:ListBucket',
      Condition: { StringLike: { 's3:prefix': ['audits/*'] } },
    });
    const bySid = (sid: string) => st.find((s) => s.Sid === sid);
    expect(bySid('ListSource').Action).toBe('s3:ListBucket');
    expect(bySid('HeadSourceObjects').Action).toBe('s3:GetObject');
    expect(bySid('HeadReplicaObjects').Resource).toEqual(expect.any(Object));
    const put = st.filter((s) => [].concat(s.Action).includes('s3:PutObject' as never));
    expect(put).toHaveLength(1);
    expect(JSON.stringify(put[0].Resource)).toContain('/audits/*');
  });

  test('versions mode adds ListBucketVersions and GetObjectVersion', () => {
    const { west } = setup({ mode: AuditMode.VERSIONS });
    const actions = actionsOf(statements(Template.fromStack(west)));
    expect(actions).toEqual(expect.arrayContaining(['s3:ListBucketVersions', 's3:GetObjectVersion']));
  });

  test('runs a checkpoint loop in a logged state machine, started daily by EventBridge Scheduler', () => {
    const { west } = setup();
    const t = Template.fromStack(west);
    const sm = Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0] as any;
    const definition = JSON.stringify(sm.Properties.DefinitionString);
    expect(definition).toContain('\\"Variable\\":\\"$.status\\",\\"StringEquals\\":\\"partial\\"');
    expect(definition).toContain('$.checkpoint.range');
    expect(sm.Properties.LoggingConfiguration.Level).toBe('ALL');
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 day)',
      Target: Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('AuditStateMachine') }, Input: '{}' }),
    });
  });

  test('hands the state input to the audit handler unchanged, and the checkpoint back to it', async () => {
    // Executed by a local Step Functions interpreter: the handler gets the event the definition
    // builds, not what a template assertion guesses it builds.
    const { west, audit } = setup();
    const smId = west.getLogicalId(audit.stateMachine.node.defaultChild as any);
    const fnId = west.getLogicalId(audit.handler.node.defaultChild as any);
    const { definition, functionArns } = synthesizedDefinition(west, smId);
    const checkpoint = { version: 1, range: {}, lastKey: 'k', extra: { runId: 'run-1' } };
    const run = await runLocally(
      definition,
      { runId: 'run-1' },
      {
        executionName: 'run-1',
        lambdas: {
          [functionArns[fnId]]: async (_event, { count }) =>
            count === 1 ? { status: 'partial', checkpoint } : { status: 'complete' },
        },
      },
    );
    expect(run.error).toBeUndefined();
    expect(run.invocations.map((i) => i.event)).toEqual([{ runId: 'run-1' }, { range: {}, checkpoint }]);
    expect(run.output).toEqual({ status: 'complete' });
  });

  test('fans key ranges out on a Distributed Map with the given concurrency', () => {
    const { west } = setup({
      keyRangeBoundaries: ['g', 'n'],
      maxConcurrency: 3,
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(6)),
    });
    const t = Template.fromStack(west);
    const sm = Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0] as any;
    const def = JSON.parse(
      JSON.stringify(sm.Properties.DefinitionString).length ? resolveJoin(sm.Properties.DefinitionString) : '{}',
    );
    const map = def.States.AuditRanges;
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor.ProcessorConfig.Mode).toBe('DISTRIBUTED');
    expect(map.MaxConcurrency).toBe(3);
    const schedule = Object.values(t.findResources('AWS::Scheduler::Schedule'))[0] as any;
    expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({
      ranges: [{ range: { endAt: 'g' } }, { range: { startAfter: 'g', endAt: 'n' } }, { range: { startAfter: 'n' } }],
    });
    expect(schedule.Properties.ScheduleExpression).toBe('rate(6 hours)');
    // Every range reports under the execution's name and leaves the metrics to the merge step,
    // which runs once the map is done.
    expect(map.ItemSelector).toEqual({
      'range.$': '$$.Map.Item.Value.range',
      'runId.$': '$$.Execution.Name',
      emitMetrics: false,
    });
    expect(map.Next).toBe('MergeRangeReports');
    expect(def.States.MergeRangeReports).toMatchObject({
      Type: 'Task',
      Parameters: { merge: { 'runId.$': '$$.Execution.Name', 'ranges.$': '$.ranges[*].range' } },
    });
    expect(def.States.MergeRangeReports.End).toBe(true);
    t.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 3 });
  });

  test('with rangeCount, a planning step chooses the ranges the Distributed Map audits', () => {
    const { west } = setup({ rangeCount: 8, maxConcurrency: 2 });
    const t = Template.fromStack(west);
    const sm = Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0] as any;
    const def = JSON.parse(resolveJoin(sm.Properties.DefinitionString));
    expect(def.StartAt).toBe('PlanRanges');
    expect(def.States.PlanRanges).toMatchObject({
      Type: 'Task',
      Parameters: { plan: { count: 8 } },
      Next: 'AuditRanges',
    });
    // The plan's output ({ ranges: [{ range }] }) is the map's items and the merge step's list.
    expect(def.States.AuditRanges.ItemsPath).toBe('$.ranges');
    expect(def.States.AuditRanges.MaxConcurrency).toBe(2);
    expect(def.States.MergeRangeReports.Parameters.merge['ranges.$']).toBe('$.ranges[*].range');
    const schedule = Object.values(t.findResources('AWS::Scheduler::Schedule'))[0] as any;
    expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({});
    t.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 2 });
    // What aws-cdk-lib grants the map for its child executions is on a customer managed policy
    // of the state machine role, not inline.
    expect(t.findResources('AWS::IAM::Policy')).toEqual({});
    const mapPolicies = Object.values(t.findResources('AWS::IAM::ManagedPolicy')).filter((p: any) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('states:RedriveExecution'),
    ) as any[];
    expect(mapPolicies.length).toBe(1);
    expect(mapPolicies[0].Properties.Roles).toHaveLength(1);
    expect(mapPolicies[0].Properties.Roles[0].Ref).toMatch(/^AuditStateMachineRole/);
  });

  test("alarms on discrepancies above the threshold and on failed runs, notifying the region's encrypted topic", () => {
    const { west } = setup({ discrepancyThreshold: 5 });
    const t = Template.fromStack(west);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CdkS3Dr',
      MetricName: 'Discrepancies',
      Dimensions: [{ Name: 'Audit', Value: Match.stringLikeRegexp('^[a-z0-9]+databucket[a-z0-9]+$') }],
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^CdkS3DrRegionalAlarmTopic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^CdkS3DrRegionalAlarmTopic') }],
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsFailed', Namespace: 'AWS/States' });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  test.each<[string, Partial<ConsistencyAuditProps>, RegExp]>([
    [
      'boundaries out of order',
      { keyRangeBoundaries: ['n', 'g'] },
      /keyRangeBoundaries\[1\] = "g": not after "n" in S3 \(UTF-8 byte\) order/,
    ],
    ['a bad concurrency', { maxConcurrency: 0 }, /maxConcurrency = 0: must be a whole number from 1 to 1,000/],
    ['a bad range count', { rangeCount: 0 }, /rangeCount = 0: must be a whole number from 1 to 10,000/],
    [
      'both a range count and boundaries',
      { rangeCount: 4, keyRangeBoundaries: ['g'] },
      /rangeCount = 4: keyRangeBoundaries already fixes the ranges.*not both/,
    ],
    ['a malformed prefix', { prefix: '/x' }, /prefix = "\/x": a key prefix must not start with "\/"/],
    [
      'a huge lag window',
      { lagWindow: Duration.days(30) },
      /lagWindow = "30 days": a lag window over 7 days hides real replication faults/,
    ],
    ['a negative threshold', { discrepancyThreshold: -1 }, /discrepancyThreshold = -1: must be 0 or more/],
    [
      'a mode that is not an AuditMode (from JavaScript)',
      { mode: 'everything' as AuditMode },
      /mode = "everything": unknown audit mode; fix: use AuditMode.CURRENT or AuditMode.VERSIONS/,
    ],
    [
      'the audit outside the replica region',
      { replicaRegion: 'eu-west-1' },
      /replicaRegion = "eu-west-1": this stack is in us-west-2/,
    ],
  ])('fails with %s', (_name, over, message) => {
    expect(() => setup(over)).toThrow(message);
  });

  test('the example app runs the audit and the drill in the replica region with zero nag findings', () => {
    const app = testApp();
    const ex = buildExampleApp(app);
    expect(Stack.of(ex.audit).region).toBe('us-west-2');
    expect(Stack.of(ex.drill).region).toBe('us-west-2');
    expect(nagFindings(app)).toEqual([]);
  });
});

/** DefinitionString is a Fn::Join of literal strings and tokens; rebuild it with placeholders. */
function resolveJoin(value: any): string {
  if (typeof value === 'string') return value;
  const [, parts] = value['Fn::Join'];
  return parts.map((p: any) => (typeof p === 'string' ? p : 'TOKEN')).join('');
}
