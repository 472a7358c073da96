import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AlarmActionStrategy,
  AlarmStateForwarding,
  ConsistencyAudit,
  FailoverController,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationAlarms,
  ReplicationDashboard,
  ReplicationDestination,
  ReplicationFailureEvents,
  ReplicationFailureNotifications,
  ReplicationPairs,
  ReplicationProbe,
  RestoreDrill,
} from '../../lib';
import { testApp } from '../support/app';

const env = (region: string) => ({ env: { account: '111111111111', region } });

function stacks() {
  const app = testApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const west = new Stack(app, 'West', env('us-west-2'));
  const east = new Stack(app, 'East', env('us-east-1'));
  return { app, west, east };
}

/** The README's composition: every replica-region construct, none given a key, bucket or topic. */
function documentedComposition() {
  const { west, east } = stacks();
  const replica = new ReplicaBucket(west, 'Replica');
  const data = new ReplicatedBucket(east, 'Data', { destinations: [ReplicationDestination.toReplicaBucket(replica)] });
  const pair = ReplicationPairs.of(data);
  const audit = new ConsistencyAudit(west, 'Audit', pair);
  const drill = new RestoreDrill(west, 'Drill', pair);
  const alarms = new ReplicationAlarms(west, 'ReplicationAlarms', { replicatedBucket: data });
  const probe = new ReplicationProbe(west, 'Probe', {
    ...pair,
    probeName: 'orders',
    impairmentAlarms: [alarms.forDestination()!.latency!],
  });
  new ReplicationDashboard(west, 'Dashboard', {
    replicatedBucket: data,
    probe,
    auditName: audit.auditName,
    drillName: drill.drillName,
  });
  const controller = new FailoverController(west, 'Failover', { probe });
  const notifications = new ReplicationFailureNotifications(west, 'ReplicationNotifications');
  new ReplicationFailureEvents(east, 'ReplicationEvents', { replicatedBucket: data, targetRegion: 'us-west-2' });
  return { west, east, replica, data, audit, drill, alarms, probe, controller, notifications };
}

const logicalIds = (t: Template, type: string) => Object.keys(t.findResources(type)).sort();

/** The object prefixes of the reports bucket each construct's policies name, by construct id. */
function reportPrefixesByConstruct(t: Template, reportsId: string): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  const policies = { ...t.findResources('AWS::IAM::ManagedPolicy'), ...t.findResources('AWS::IAM::Policy') };
  for (const [id, policy] of Object.entries<any>(policies)) {
    for (const st of policy.Properties.PolicyDocument.Statement) {
      for (const r of [].concat(st.Resource)) {
        const parts = (r as any)?.['Fn::Join']?.[1];
        if (!Array.isArray(parts) || parts[0]?.['Fn::GetAtt']?.[0] !== reportsId) continue;
        const owner = id.match(/^(Audit|Drill|Failover|Probe|ReplicationAlarms|ReplicationNotifications)/)?.[1] ?? id;
        (out[owner] ??= new Set()).add(parts[1]);
      }
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

describe('one key, one reports bucket and one topic per region by default', () => {
  test('the documented composition gives the replica stack one key, one reports bucket and one topic', () => {
    const { west, east } = documentedComposition();
    const t = Template.fromStack(west);
    t.resourceCountIs('AWS::KMS::Key', 1);
    // The replica and its access logs, the shared reports bucket and its access logs, the
    // drill's scratch bucket and its access logs.
    t.resourceCountIs('AWS::S3::Bucket', 6);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    expect(logicalIds(t, 'AWS::KMS::Key')).toEqual([expect.stringMatching(/^ReplicaKey[0-9A-F]{8}$/)]);
    expect(logicalIds(t, 'AWS::S3::Bucket')).toEqual([
      expect.stringMatching(/^CdkS3DrRegionalReports[0-9A-F]{8}$/),
      expect.stringMatching(/^CdkS3DrRegionalReportsAccessLogs[0-9A-F]{8}$/),
      expect.stringMatching(/^DrillRestore[0-9A-F]{8}$/),
      expect.stringMatching(/^DrillRestoreAccessLogs[0-9A-F]{8}$/),
      expect.stringMatching(/^ReplicaAccessLogs[0-9A-F]{8}$/),
      expect.stringMatching(/^ReplicaBucket[0-9A-F]{8}$/),
    ]);
    // Everything KMS-encrypted in the stack uses the replica's key.
    const key = logicalIds(t, 'AWS::KMS::Key')[0];
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    for (const q of Object.values<any>(t.findResources('AWS::SQS::Queue'))) {
      expect(q.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    }
    // The source stack: the replicated bucket's key serves its other constructs too.
    Template.fromStack(east).resourceCountIs('AWS::KMS::Key', 1);
  });

  test('each construct writes under its own prefix of the shared reports bucket, and is granted only that', () => {
    const { west, audit, drill, controller } = documentedComposition();
    expect(audit.reportsBucket).toBe(drill.reportsBucket);
    expect(controller.reportsBucket).toBe(audit.reportsBucket);
    const t = Template.fromStack(west);
    const reports = logicalIds(t, 'AWS::S3::Bucket').find((id) => /^CdkS3DrRegionalReports[0-9A-F]{8}$/.test(id))!;
    expect(reportPrefixesByConstruct(t, reports)).toEqual({
      Audit: ['/audits/*'],
      Drill: ['/drills/*'],
      Failover: ['/failover/decisions/*'],
    });
    const envOf = (id: RegExp) =>
      Object.entries<any>(t.findResources('AWS::Lambda::Function')).find(([k]) => id.test(k))![1].Properties.Environment
        .Variables;
    expect(envOf(/^AuditHandler/)).toMatchObject({ REPORTS_BUCKET: { Ref: reports }, REPORTS_PREFIX: 'audits/' });
    expect(envOf(/^DrillHandler/)).toMatchObject({ REPORTS_BUCKET: { Ref: reports }, REPORTS_PREFIX: 'drills/' });
  });

  test('every alarm of the stack notifies the shared topic, on ALARM and on OK', () => {
    const { west, audit, drill, alarms, probe, notifications } = documentedComposition();
    for (const c of [audit.alarmTopic, drill.alarmTopic, alarms.topic, probe.topic, notifications.topic]) {
      expect(c).toBe(audit.alarmTopic);
    }
    const t = Template.fromStack(west);
    const topic = logicalIds(t, 'AWS::SNS::Topic')[0];
    expect(topic).toMatch(/^CdkS3DrRegionalAlarmTopic[0-9A-F]{8}$/);
    const alarmsWithActions = Object.values<any>(t.findResources('AWS::CloudWatch::Alarm'));
    expect(alarmsWithActions.length).toBeGreaterThanOrEqual(8);
    for (const a of alarmsWithActions) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topic }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: topic }]);
    }
  });

  test('a ReplicaBucket created after an audit uses the key the audit created: still one key', () => {
    const { west, east } = stacks();
    const replicaName = 'replica-bucket-name';
    const audit = new ConsistencyAudit(west, 'Audit', {
      sourceBucketName: 'source-bucket-name',
      sourceRegion: 'us-east-1',
      replicaBucketName: replicaName,
      replicaRegion: 'us-west-2',
    });
    const replica = new ReplicaBucket(west, 'Replica', { bucketName: replicaName });
    new ReplicatedBucket(east, 'Data', { destinations: [ReplicationDestination.toReplicaBucket(replica)] });
    const t = Template.fromStack(west);
    t.resourceCountIs('AWS::KMS::Key', 1);
    const key = logicalIds(t, 'AWS::KMS::Key')[0];
    expect(key).toMatch(/^CdkS3DrRegionalKey[0-9A-F]{8}$/);
    expect(replica.encryptionKey).toBe(audit.reportsBucket.encryptionKey);
    // The replica gets an alias of its own on the shared key, which the source names.
    expect(replica.replicaKeyArn).toBe(`arn:aws:kms:us-west-2:111111111111:${replica.keyAliasName}`);
    t.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: replica.keyAliasName,
      TargetKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
    });
  });

  test('explicit keys, buckets and alarm actions are still used as given, and create nothing shared', () => {
    const { west } = stacks();
    const key = new kms.Key(west, 'MyKey');
    const bucket = new s3.Bucket(west, 'MyReports', { encryptionKey: key });
    const topic = new sns.Topic(west, 'MyTopic');
    const pair = {
      sourceBucketName: 'source-bucket-name',
      sourceRegion: 'us-east-1',
      replicaBucketName: 'replica-bucket-name',
      replicaRegion: 'us-west-2',
    };
    const audit = new ConsistencyAudit(west, 'Audit', {
      ...pair,
      encryptionKey: key,
      reportsBucket: bucket,
      alarmActions: AlarmActionStrategy.topic(topic),
    });
    const drill = new RestoreDrill(west, 'Drill', { ...pair, encryptionKey: key, reportsBucket: bucket });
    expect(audit.reportsBucket).toBe(bucket);
    expect(audit.alarmTopic).toBe(topic);
    const t = Template.fromStack(west);
    expect(west.node.tryFindChild('CdkS3DrRegional')).toBeUndefined();
    t.resourceCountIs('AWS::KMS::Key', 1);
    // The given bucket, and the drill's scratch bucket with its access logs.
    t.resourceCountIs('AWS::S3::Bucket', 3);
    // The drill was given a key but no alarm actions: a topic of its own with that key.
    t.resourceCountIs('AWS::SNS::Topic', 2);
    expect(drill.alarmTopic).not.toBe(topic);
    t.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalIds(t, 'AWS::KMS::Key')[0], 'Arn'] },
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Discrepancies',
      AlarmActions: [{ Ref: logicalIds(t, 'AWS::SNS::Topic').find((id) => id.startsWith('MyTopic')) }],
    });
  });

  test('a key without a reports bucket gives the construct a reports bucket of its own, encrypted with it', () => {
    const { west, east } = stacks();
    const replica = new ReplicaBucket(west, 'Replica');
    const data = new ReplicatedBucket(east, 'Data', {
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    const key = new kms.Key(west, 'AuditKey');
    const audit = new ConsistencyAudit(west, 'Audit', { ...ReplicationPairs.of(data), encryptionKey: key });
    expect(audit.reportsBucket.encryptionKey).toBe(key);
    const t = Template.fromStack(west);
    expect(logicalIds(t, 'AWS::S3::Bucket').filter((id) => /^AuditReports[0-9A-F]{8}$/.test(id))).toHaveLength(1);
    expect(logicalIds(t, 'AWS::S3::Bucket').some((id) => id.startsWith('CdkS3DrRegional'))).toBe(false);
  });

  test('AlarmActionStrategy.none() leaves the audit and drill alarms without actions and creates no topic', () => {
    const { west, east } = stacks();
    const replica = new ReplicaBucket(west, 'Replica');
    const data = new ReplicatedBucket(east, 'Data', {
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    const audit = new ConsistencyAudit(west, 'Audit', {
      ...ReplicationPairs.of(data),
      alarmActions: AlarmActionStrategy.none(),
    });
    const drill = new RestoreDrill(west, 'Drill', {
      ...ReplicationPairs.of(data),
      alarmActions: AlarmActionStrategy.none(),
    });
    expect(audit.alarmTopic).toBeUndefined();
    expect(drill.alarmTopic).toBeUndefined();
    const t = Template.fromStack(west);
    t.resourceCountIs('AWS::SNS::Topic', 0);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    t.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent(), OKActions: Match.absent() });
  });

  test('warns when a construct asks for another removal policy than the shared resources have', () => {
    const { west, east } = stacks();
    const replica = new ReplicaBucket(west, 'Replica');
    const data = new ReplicatedBucket(east, 'Data', {
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    new ConsistencyAudit(west, 'Audit', { ...ReplicationPairs.of(data), removalPolicy: RemovalPolicy.DESTROY });
    Annotations.fromStack(west).hasWarning(
      '/West/Audit',
      Match.stringLikeRegexp(
        "the region's shared key keeps the removal policy retain .* not destroy: pass encryptionKey",
      ),
    );
  });

  test('the source stack: forwarding and replication events use the replicated bucket key', () => {
    const { west, east } = stacks();
    const replica = new ReplicaBucket(west, 'Replica');
    const data = new ReplicatedBucket(east, 'Data', {
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    const alarm = new cloudwatch.Alarm(east, 'Errors', {
      metric: new cloudwatch.Metric({ namespace: 'MyApp', metricName: 'Errors' }),
      threshold: 0,
      evaluationPeriods: 1,
    });
    new AlarmStateForwarding(east, 'Forward', { alarms: [alarm], targetRegion: 'us-west-2' });
    new ReplicationFailureEvents(east, 'Events', { replicatedBucket: data, targetRegion: 'us-west-2' });
    const t = Template.fromStack(east);
    t.resourceCountIs('AWS::KMS::Key', 1);
    expect(logicalIds(t, 'AWS::KMS::Key')[0]).toMatch(/^DataKey[0-9A-F]{8}$/);
  });
});
