import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationDestination,
  ReplicationEventType,
  ReplicationFailureEvents,
  ReplicationFailureEventsProps,
  ReplicationFailureNotifications,
  ReplicationPairs,
  ReplicationProbe,
} from '../../../lib';
import { buildExampleApp } from '../../../bin/example';
import { testApp } from '../../support/app';
import { acknowledgements, nagFindings, stripAcknowledgements, unusedAcknowledgements } from '../../support/nag';

const A = '111111111111';
const FOUR = [
  's3:Replication:OperationFailedReplication',
  's3:Replication:OperationMissedThreshold',
  's3:Replication:OperationReplicatedAfterThreshold',
  's3:Replication:OperationNotTracked',
];

function twoRegions(opts: { bucketName?: string; probe?: boolean } = {}) {
  const app = testApp();
  const west = new Stack(app, 'West', { env: { account: A, region: 'us-west-2' } });
  const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
  const replica = new ReplicaBucket(west, 'Replica');
  const data = new ReplicatedBucket(east, 'Data', {
    bucketName: opts.bucketName,
    destinations: [ReplicationDestination.toReplicaBucket(replica)],
  });
  const probe = opts.probe
    ? new ReplicationProbe(west, 'Probe', { ...ReplicationPairs.of(data), encryptionKey: replica.encryptionKey })
    : undefined;
  return { app, west, east, replica, data, probe };
}

function withEvents(
  props: Partial<ReplicationFailureEventsProps> = {},
  opts: { bucketName?: string; probe?: boolean } = {},
) {
  const r = twoRegions(opts);
  const events = new ReplicationFailureEvents(r.east, 'Events', {
    replicatedBucket: r.data,
    targetRegion: 'us-west-2',
    ...props,
  });
  return { ...r, events };
}

const ref = (t: Template, type: string, idPart: string): string => {
  const ids = Object.keys(t.findResources(type)).filter((id) => id.includes(idPart));
  expect(ids).toHaveLength(1);
  return ids[0];
};

describe('ReplicationFailureEvents', () => {
  test('sets the four replication event types on the source bucket L1, to the queue, with no custom resource', () => {
    const { app, east, west } = withEvents();
    const t = Template.fromStack(east);
    const queue = ref(t, 'AWS::SQS::Queue', 'EventsQueue');
    t.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: {
        QueueConfigurations: FOUR.map((event) => ({ Event: event, Queue: { 'Fn::GetAtt': [queue, 'Arn'] } })),
      },
    });
    for (const stack of [east, west]) {
      const types = Object.values(Template.fromStack(stack).toJSON().Resources).map((r: any) => r.Type as string);
      expect(types.filter((ty) => ty.startsWith('Custom::') || ty === 'AWS::CloudFormation::CustomResource')).toEqual(
        [],
      );
    }
    expect(
      app.node.findAll().filter((c) => c.node.id === 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834'),
    ).toEqual([]);
  });

  test('only the event types asked for', () => {
    const { east } = withEvents({ eventTypes: [ReplicationEventType.OPERATION_FAILED_REPLICATION] });
    const bucket = Object.values(Template.fromStack(east).findResources('AWS::S3::Bucket')).find(
      (b: any) => b.Properties.NotificationConfiguration,
    ) as any;
    expect(bucket.Properties.NotificationConfiguration.QueueConfigurations.map((q: any) => q.Event)).toEqual([
      's3:Replication:OperationFailedReplication',
    ]);
  });

  test('keeps notification configurations already on the L1', () => {
    const r = twoRegions();
    const cfn = r.data.bucket.node.defaultChild as s3.CfnBucket;
    cfn.notificationConfiguration = {
      topicConfigurations: [{ event: 's3:ObjectCreated:*', topic: 'arn:aws:sns:us-east-1:111111111111:t' }],
    };
    new ReplicationFailureEvents(r.east, 'Events', { replicatedBucket: r.data, targetRegion: 'us-west-2' });
    Template.fromStack(r.east).hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: {
        TopicConfigurations: [{ Event: 's3:ObjectCreated:*' }],
        QueueConfigurations: Match.arrayWith([Match.objectLike({ Event: FOUR[0] })]),
      },
    });
  });

  test('queue and its dead-letter queue are KMS-encrypted with the bucket key, TLS-only, with a redrive policy', () => {
    const { east } = withEvents();
    const t = Template.fromStack(east);
    const key = ref(t, 'AWS::KMS::Key', 'DataKey');
    const dlq = ref(t, 'AWS::SQS::Queue', 'EventsDeadLetterQueue');
    t.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 10 },
    });
    t.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
      MessageRetentionPeriod: 1209600,
    });
    for (const q of Object.keys(t.findResources('AWS::SQS::Queue')).filter((id) => id.startsWith('Events'))) {
      t.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: q }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      expect(t.findResources('AWS::SQS::Queue')[q].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    }
    // S3 may use the key to send to the encrypted queue, from this account only.
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowS3EventNotificationsToEncryptedQueues',
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: '*',
            // The bucket's name is generated by CloudFormation here: any bucket of the account.
            Condition: { StringEquals: { 'aws:SourceAccount': A }, ArnLike: { 'aws:SourceArn': ['arn:aws:s3:::*'] } },
          },
        ]),
      },
    });
  });

  test('the queue policy lets S3 of this account send, names no bucket ARN token, and the bucket depends on it', () => {
    const { east } = withEvents();
    const t = Template.fromStack(east);
    const policyId = ref(t, 'AWS::SQS::QueuePolicy', 'EventsQueuePolicy');
    const statement = t
      .findResources('AWS::SQS::QueuePolicy')
      [policyId].Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'AllowS3ReplicationEventNotifications');
    // Not referenced from another region: no literal name, so any bucket of this account.
    expect(statement).toEqual({
      Sid: 'AllowS3ReplicationEventNotifications',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [ref(t, 'AWS::SQS::Queue', 'EventsQueue'), 'Arn'] },
      Condition: { StringEquals: { 'aws:SourceAccount': A }, ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::*' } },
    });
    const [bucket] = Object.values(t.findResources('AWS::S3::Bucket')).filter(
      (b: any) => b.Properties.NotificationConfiguration,
    ) as any[];
    expect(bucket.DependsOn).toContain(policyId);
  });

  test('the queue policy names the bucket literally when its name is known at synth time', () => {
    const given = withEvents({}, { bucketName: 'orders-source-east' });
    expect(JSON.stringify(Template.fromStack(given.east).findResources('AWS::SQS::QueuePolicy'))).toContain(
      '"aws:SourceArn":"arn:aws:s3:::orders-source-east"',
    );
    // The probe in the replica region refers to the bucket by its generated name: that name is used.
    const generated = withEvents({}, { probe: true });
    const t = Template.fromStack(generated.east);
    const [bucket] = Object.values(t.findResources('AWS::S3::Bucket')).filter(
      (b: any) => b.Properties.NotificationConfiguration,
    ) as any[];
    expect(typeof bucket.Properties.BucketName).toBe('string');
    expect(JSON.stringify(t.findResources('AWS::SQS::QueuePolicy'))).toContain(
      `"aws:SourceArn":"arn:aws:s3:::${bucket.Properties.BucketName}"`,
    );
  });

  test('the pipe reads the queue, is enriched by the decoder and puts on the default bus with the source and detail-type', () => {
    const { east } = withEvents();
    const t = Template.fromStack(east);
    const queue = ref(t, 'AWS::SQS::Queue', 'EventsQueue');
    const fn = ref(t, 'AWS::Lambda::Function', 'EventsDecoder');
    const bucket = Object.keys(t.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('DataBucket'))!;
    t.resourceCountIs('AWS::Pipes::Pipe', 1);
    t.hasResourceProperties('AWS::Pipes::Pipe', {
      Source: { 'Fn::GetAtt': [queue, 'Arn'] },
      Enrichment: { 'Fn::GetAtt': [fn, 'Arn'] },
      Target: 'arn:aws:events:us-east-1:111111111111:event-bus/default',
      TargetParameters: {
        EventBridgeEventBusParameters: {
          Source: 'cdk-s3-dr.replication',
          DetailType: 'cdk-s3-dr Replication Event',
          Resources: [{ 'Fn::GetAtt': [bucket, 'Arn'] }],
        },
      },
      RoleArn: { 'Fn::GetAtt': [ref(t, 'AWS::IAM::Role', 'EventsPipeRole'), 'Arn'] },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      ReservedConcurrentExecutions: 5,
    });
    const pipe = Object.values(t.findResources('AWS::Pipes::Pipe'))[0] as any;
    expect(pipe.DependsOn).toContain(ref(t, 'AWS::IAM::ManagedPolicy', 'EventsPipeRoleGrants'));
  });

  test("the pipe's role has exactly the queue, key, invoke and put-events actions, each on its one resource", () => {
    const { east } = withEvents();
    const t = Template.fromStack(east);
    const role = ref(t, 'AWS::IAM::Role', 'EventsPipeRole');
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'pipes.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': A } },
          },
        ],
      },
    });
    const policies = Object.values(t.findResources('AWS::IAM::ManagedPolicy')).filter((p: any) =>
      JSON.stringify(p.Properties.Roles).includes(role),
    ) as any[];
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'ReadReplicationEventQueue',
        Effect: 'Allow',
        Action: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
        Resource: { 'Fn::GetAtt': [ref(t, 'AWS::SQS::Queue', 'EventsQueue'), 'Arn'] },
      },
      {
        Sid: 'DecryptReplicationEvents',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [ref(t, 'AWS::KMS::Key', 'DataKey'), 'Arn'] },
      },
      {
        Sid: 'InvokeDecoder',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [ref(t, 'AWS::Lambda::Function', 'EventsDecoder'), 'Arn'] },
      },
      {
        Sid: 'PutDecodedEvents',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: 'arn:aws:events:us-east-1:111111111111:event-bus/default',
      },
    ]);
    t.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test("forwards this bucket's decoded events to the target region's default bus, with a role and an encrypted DLQ", () => {
    const { east } = withEvents();
    const t = Template.fromStack(east);
    const dlq = ref(t, 'AWS::SQS::Queue', 'EventsForwardingDeadLetterQueue');
    const role = ref(t, 'AWS::IAM::Role', 'EventsForwardingRole');
    const bucket = Object.keys(t.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('DataBucket'))!;
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['cdk-s3-dr.replication'],
        'detail-type': ['cdk-s3-dr Replication Event'],
        resources: [{ 'Fn::GetAtt': [bucket, 'Arn'] }],
      },
      Targets: [
        {
          Arn: 'arn:aws:events:us-west-2:111111111111:event-bus/default',
          RoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
          Id: Match.anyValue(),
        },
      ],
    });
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: role }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'events:PutEvents',
            Effect: 'Allow',
            Resource: 'arn:aws:events:us-west-2:111111111111:event-bus/default',
          },
        ],
      },
    });
    expect(t.findResources('AWS::SQS::Queue')[dlq].Properties.KmsMasterKeyId).toBeDefined();
  });

  test('uses a new key when the source bucket key is imported', () => {
    const app = testApp();
    const west = new Stack(app, 'West', { env: { account: A, region: 'us-west-2' } });
    const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
    const replica = new ReplicaBucket(west, 'Replica');
    const data = new ReplicatedBucket(east, 'Data', {
      encryptionKey: kms.Key.fromKeyArn(
        east,
        'Imported',
        'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ),
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
    });
    const events = new ReplicationFailureEvents(east, 'Events', { replicatedBucket: data, targetRegion: 'us-west-2' });
    expect(events.encryptionKey).not.toBe(data.encryptionKey);
    // The region's shared key: the source bucket's key is imported, so the stack has none yet.
    expect(events.encryptionKey.node.path).toBe('East/CdkS3DrRegional/Key');
  });

  test('warns when no rule has replication metrics (S3 then sends no replication events), and not otherwise', () => {
    const { events } = withEvents();
    expect(Annotations.fromStack(Stack.of(events)).findWarning('*', Match.anyValue())).toEqual([]);
    const app = testApp();
    const west = new Stack(app, 'West', { env: { account: A, region: 'us-west-2' } });
    const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
    const replica = new ReplicaBucket(west, 'Replica');
    const data = new ReplicatedBucket(east, 'Data', {
      destinations: [ReplicationDestination.toReplicaBucket(replica, { metrics: false })],
    });
    new ReplicationFailureEvents(east, 'Events', { replicatedBucket: data, targetRegion: 'us-west-2' });
    expect(
      Annotations.fromStack(east).findWarning('/East/Events', Match.stringLikeRegexp('replication metrics')),
    ).toHaveLength(1);
  });

  describe('validation', () => {
    test('fails when targetRegion is the source region', () => {
      expect(() => withEvents({ targetRegion: 'us-east-1' })).toThrow(
        /targetRegion = "us-east-1": is this stack's own region.*fix: use the replica region/,
      );
    });

    test('fails when targetRegion is not a region name', () => {
      expect(() => withEvents({ targetRegion: 'US West 2' })).toThrow(
        /targetRegion = "US West 2": not a region name; fix: use the replica region, for example us-west-2/,
      );
    });

    test('fails when eventTypes is empty', () => {
      expect(() => withEvents({ eventTypes: [] })).toThrow(
        /eventTypes = \[\]: no event type: S3 would send nothing; fix: leave it out for all four/,
      );
    });

    test('fails when an event type is not a replication event', () => {
      expect(() =>
        withEvents({
          eventTypes: [ReplicationEventType.OPERATION_NOT_TRACKED, 's3:ObjectCreated:*' as ReplicationEventType],
        }),
      ).toThrow(
        /eventTypes\[1\] = "s3:ObjectCreated:\*": not an S3 replication event type.*fix: use one of s3:Replication:OperationFailedReplication/,
      );
    });

    test('fails when the construct is not in the source bucket stack', () => {
      const r = twoRegions();
      expect(
        () => new ReplicationFailureEvents(r.west, 'Events', { replicatedBucket: r.data, targetRegion: 'us-east-2' }),
      ).toThrow(
        /replicatedBucket = "East\/Data": is in stack East: S3 sends replication events only to a queue in the bucket's own region; fix: create ReplicationFailureEvents in the source bucket's stack/,
      );
    });

    test('fails when the encryption key is imported', () => {
      const r = twoRegions();
      const key = kms.Key.fromKeyArn(
        r.east,
        'K',
        'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      );
      expect(
        () =>
          new ReplicationFailureEvents(r.east, 'Events', {
            replicatedBucket: r.data,
            targetRegion: 'us-west-2',
            encryptionKey: key,
          }),
      ).toThrow(/encryptionKey = "East\/K": is an imported key.*fix: pass a kms.Key of this app/);
    });

    test('lists every problem at once', () => {
      expect(() => withEvents({ targetRegion: 'us-east-1', eventTypes: [] })).toThrow(/East\/Events: 2 invalid props/);
    });
  });
});

describe('ReplicationFailureNotifications', () => {
  test("sends the readable line of every forwarded event to the region's encrypted topic, with an encrypted DLQ", () => {
    const { west } = twoRegions();
    new ReplicationFailureNotifications(west, 'Notify');
    const t = Template.fromStack(west);
    const topic = ref(t, 'AWS::SNS::Topic', 'CdkS3DrRegionalAlarmTopic');
    const dlq = ref(t, 'AWS::SQS::Queue', 'NotifyDeadLetterQueue');
    const key = ref(t, 'AWS::KMS::Key', 'ReplicaKey');
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['cdk-s3-dr.replication'], 'detail-type': ['cdk-s3-dr Replication Event'] },
      Targets: [
        Match.objectLike({
          Arn: { Ref: topic },
          InputTransformer: {
            InputPathsMap: { 'detail-message': '$.detail.message' },
            InputTemplate: '"<detail-message>"',
          },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        }),
      ],
    });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    t.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'AllowEventBridgeDeadLetters', Principal: { Service: 'events.amazonaws.com' } }),
        ]),
      },
    });
  });

  test("reuses the probe's topic and its key when given", () => {
    const { west, probe, replica } = twoRegions({ probe: true });
    const n = new ReplicationFailureNotifications(west, 'Notify', { topic: probe!.topic });
    expect(n.topic).toBe(probe!.topic);
    expect(n.encryptionKey).toBe(replica.encryptionKey);
    const t = Template.fromStack(west);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    const topic = Object.keys(t.findResources('AWS::SNS::Topic'))[0];
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['cdk-s3-dr.replication'] },
      Targets: [Match.objectLike({ Arn: { Ref: topic } })],
    });
  });

  test('fails when the encryption key is imported', () => {
    const { west } = twoRegions();
    const key = kms.Key.fromKeyArn(
      west,
      'K',
      'arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
    expect(() => new ReplicationFailureNotifications(west, 'Notify', { encryptionKey: key })).toThrow(
      /encryptionKey = "West\/K": is an imported key.*fix: pass a kms.Key of this app/,
    );
  });

  test("accepts a topic of another construct (not encrypted by this app), with the region's key", () => {
    const { west, replica } = twoRegions();
    const topic = sns.Topic.fromTopicArn(west, 'Ops', 'arn:aws:sns:us-west-2:111111111111:ops');
    const n = new ReplicationFailureNotifications(west, 'Notify', { topic });
    expect(n.encryptionKey).toBe(replica.encryptionKey);
    Template.fromStack(west).hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: 'arn:aws:sns:us-west-2:111111111111:ops' })],
    });
  });
});

describe('cdk-nag on a composition with replication failure events', () => {
  const build = () => {
    const r = withEvents({}, { probe: true });
    new ReplicationFailureNotifications(r.west, 'Notify', { topic: r.probe!.topic });
    return r.app;
  };

  test('has zero findings in all four packs', () => {
    expect(nagFindings(build())).toEqual([]);
  });

  test('acknowledges only real findings, each with a reason', () => {
    const app = build();
    const acks = acknowledgements(app);
    for (const a of acks) expect(a.reason.length).toBeGreaterThan(40);
    stripAcknowledgements(app);
    expect(unusedAcknowledgements(acks, nagFindings(app))).toEqual([]);
  });
});

describe('the example app', () => {
  test("sends the primary bucket's replication events to the probe's topic in the replica region", () => {
    const app = testApp();
    const ex = buildExampleApp(app);
    const { replicationEvents, replicationNotifications, probe } = ex.monitoring;
    expect(Stack.of(replicationEvents)).toBe(ex.primary);
    expect(Stack.of(replicationNotifications)).toBe(ex.replica);
    expect(replicationNotifications.topic).toBe(probe.topic);
    const primary = Template.fromStack(ex.primary);
    primary.resourceCountIs('AWS::Pipes::Pipe', 1);
    primary.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: 'arn:aws:events:us-west-2:111111111111:event-bus/default' })],
    });
    const replica = Template.fromStack(ex.replica);
    // No topic of its own: the probe's is shared.
    expect(replicationNotifications.node.findAll().filter((c) => c instanceof sns.Topic)).toEqual([]);
    const probeTopic = ex.replica.getLogicalId((probe.topic as sns.Topic).node.defaultChild as sns.CfnTopic);
    replica.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['cdk-s3-dr.replication'] },
      Targets: [Match.objectLike({ Arn: { Ref: probeTopic } })],
    });
  });
});
