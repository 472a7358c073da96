import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import {
  BackfillReplicationStatus,
  BackfillReportScope,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationBackfill,
  ReplicationBackfillProps,
  ReplicationDestination,
} from '../../../lib';
import { InvalidPropsError } from '../../../lib/private/errors';
import { backfillPolicy } from '../../../lambda/backfill/core/policy';
import { parseBackfillConfig, parseBackfillEvent } from '../../../lambda/backfill/core/invocation';
import { parseBackfillOptions } from '../../../lambda/backfill/core/options';
import { testApp } from '../../support/app';
import { backfillComposition } from '../../support/compositions';
import { guardFindings } from '../../support/guard';
import {
  acknowledgements,
  allAcknowledgements,
  nagFindings,
  stripAcknowledgements,
  unusedAcknowledgements,
} from '../../support/nag';
import { synthesizeTo } from '../../support/synth';
import { GUARD_PLUGIN } from '../../../lib/private/guard';
import { rmSync } from 'node:fs';

const A = '111111111111';

function build(props: Partial<ReplicationBackfillProps> = {}, opts: { importedSource?: boolean } = {}) {
  const app = testApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const west = new Stack(app, 'West', { env: { account: A, region: 'us-west-2' } });
  const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
  const replica = new ReplicaBucket(west, 'Replica');
  const data = new ReplicatedBucket(east, 'Data', {
    bucketName: 'orders-src',
    destinations: [ReplicationDestination.toReplicaBucket(replica)],
  });
  const sourceBucket = opts.importedSource
    ? s3.Bucket.fromBucketAttributes(east, 'Imported', { bucketName: 'legacy-src', region: 'us-east-1' })
    : data.bucket;
  const backfill = new ReplicationBackfill(east, 'Backfill', { sourceBucket, ...props });
  return { app, east, west, data, backfill, template: () => Template.fromStack(east) };
}

/** The resolved statements of the one managed policy whose logical id contains `idPart`. */
function statements(t: Template, idPart: string): Array<Record<string, any>> {
  const found = Object.entries(t.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) => id.includes(idPart));
  expect(found).toHaveLength(1);
  return found[0][1].Properties.PolicyDocument.Statement;
}

const ref = (t: Template, type: string, idPart: string | RegExp): string => {
  const ids = Object.keys(t.findResources(type)).filter((id) =>
    typeof idPart === 'string' ? id.includes(idPart) : idPart.test(id),
  );
  expect(ids).toHaveLength(1);
  return ids[0];
};

describe('ReplicationBackfill', () => {
  test('the Batch Operations role trusts only Batch Operations jobs of this account and region', () => {
    const t = build().template();
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'batchoperations.s3.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': A },
              ArnLike: { 'aws:SourceArn': `arn:aws:s3:us-east-1:${A}:job/*` },
            },
          },
        ],
      },
    });
  });

  test('the Batch Operations policy: exact actions on the source, the reports prefix and the two keys through S3', () => {
    const t = build().template();
    const bucket = ref(t, 'AWS::S3::Bucket', 'DataBucket');
    const reports = ref(t, 'AWS::S3::Bucket', /^CdkS3DrRegionalReports[0-9A-F]{8}$/);
    const key = ref(t, 'AWS::KMS::Key', 'DataKey');
    const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
    const under = (id: string, suffix: string) => ({ 'Fn::Join': ['', [arn(id), suffix]] });
    const viaS3 = (id: string) => ({
      StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [arn(id), under(id, '/*')] },
    });
    expect(statements(t, 'BackfillBatchOperationsPolicy')).toEqual([
      { Sid: 'InitiateReplication', Effect: 'Allow', Action: 's3:InitiateReplication', Resource: under(bucket, '/*') },
      {
        Sid: 'GenerateManifest',
        Effect: 'Allow',
        Action: ['s3:GetReplicationConfiguration', 's3:PutInventoryConfiguration'],
        Resource: arn(bucket),
      },
      {
        Sid: 'ReadGeneratedManifest',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: under(reports, '/backfill/manifests/*'),
      },
      {
        Sid: 'WriteManifestAndReport',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: under(reports, '/backfill/*'),
      },
      {
        Sid: 'SourceKeyThroughS3',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: arn(key),
        Condition: viaS3(bucket),
      },
      {
        Sid: 'ReportsKeyThroughS3',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: arn(key),
        Condition: viaS3(reports),
      },
    ]);
  });

  test('the role has the statements (and actions) the command line prints for --dry-run', () => {
    const t = build({ prefix: 'logs/' }, { importedSource: true }).template();
    const construct = statements(t, 'BackfillBatchOperationsPolicy').filter((s) => !String(s.Sid).includes('Key'));
    const cli = backfillPolicy({
      partition: 'aws',
      source: { bucket: 'legacy-src', prefix: 'logs/' },
      report: { bucket: 'reports', prefix: 'backfill/' },
    }).Statement;
    expect(construct.map((s) => [s.Sid, [].concat(s.Action)])).toEqual(cli.map((s) => [s.Sid, s.Action]));
    // The imported source has a literal name: the grant is exactly the prefix.
    expect(construct[0].Resource).toBe('arn:aws:s3:::legacy-src/logs/*');
  });

  test('the function may create replication jobs only, follow them, and pass only the Batch Operations role', () => {
    const t = build().template();
    const role = ref(t, 'AWS::IAM::Role', 'BackfillBatchOperationsRole');
    expect(statements(t, 'BackfillJobControlPolicy')).toEqual([
      {
        Sid: 'CreateReplicationJobs',
        Effect: 'Allow',
        Action: 's3:CreateJob',
        Resource: '*',
        Condition: { StringEquals: { 's3:RequestJobOperation': 'S3ReplicateObject' } },
      },
      {
        Sid: 'FollowReplicationJobs',
        Effect: 'Allow',
        Action: ['s3:DescribeJob', 's3:UpdateJobStatus'],
        Resource: `arn:aws:s3:us-east-1:${A}:job/*`,
        Condition: { StringEquals: { 's3:ExistingJobOperation': 'S3ReplicateObject' } },
      },
      {
        Sid: 'PassTheBatchRole',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [role, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'batchoperations.s3.amazonaws.com' } },
      },
    ]);
  });

  test('no IAM or resource policy statement of the stack allows a wildcard action', () => {
    const t = build({ schedule: scheduler.ScheduleExpression.rate(Duration.days(7)) })
      .template()
      .toJSON();
    const allows = Object.values<any>(t.Resources)
      .flatMap((r) => [
        ...(r.Properties?.PolicyDocument?.Statement ?? []),
        ...(r.Properties?.AssumeRolePolicyDocument?.Statement ?? []),
      ])
      .filter((s: any) => s.Effect === 'Allow')
      .flatMap((s: any) => [].concat(s.Action));
    expect(allows.length).toBeGreaterThan(10);
    expect(allows.filter((a: string) => a.includes('*'))).toEqual([]);
  });

  test('the rule matches the S3 Batch Operations status changes after which a job does nothing more', () => {
    const t = build().template();
    const fn = ref(t, 'AWS::Lambda::Function', 'BackfillHandler');
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['AWS Service Event via CloudTrail'],
        detail: {
          eventSource: ['s3.amazonaws.com'],
          eventName: ['JobStatusChanged'],
          serviceEventDetails: { status: ['Complete', 'Failed', 'Cancelled'] },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
          DeadLetterConfig: Match.objectLike({}),
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 2 },
        }),
      ],
    });
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      SourceAccount: A,
      SourceArn: Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('BackfillOnJobFinished'), 'Arn'] }),
    });
  });

  test("the handler's configuration parses, and its events become the jobs the construct describes", () => {
    const { east, backfill } = build({
      prefix: 'logs/',
      replicationStatuses: [BackfillReplicationStatus.FAILED],
      priority: 42,
      reportScope: BackfillReportScope.FAILED_TASKS_ONLY,
    });
    const vars = Template.fromStack(east).findResources('AWS::Lambda::Function');
    const fn = Object.entries<any>(vars).find(([id]) => id.includes('BackfillHandler'))![1];
    // Resolve the tokens as CloudFormation would, with literal stand-ins.
    const raw = fn.Properties.Environment.Variables.BACKFILL_CONFIG['Fn::Join'][1]
      .map((p: unknown) =>
        typeof p === 'string'
          ? p
          : JSON.stringify(p).includes('Role')
            ? `arn:aws:iam::${A}:role/bf`
            : JSON.stringify(p).includes('Reports')
              ? 'reports-east'
              : 'orders-src',
      )
      .join('');
    const config = parseBackfillConfig(raw);
    expect(config).toEqual({
      name: backfill.node.path,
      account: A,
      region: 'us-east-1',
      source: 's3://orders-src/logs/',
      report: 's3://reports-east/backfill/',
      roleArn: `arn:aws:iam::${A}:role/bf`,
      statuses: 'FAILED',
      priority: 42,
      reportScope: 'failed',
      confirm: false,
      endpoint: undefined,
    });
    const request = parseBackfillEvent({ action: 'create' }, config);
    if (request.kind !== 'create') throw new Error(request.kind);
    const options = parseBackfillOptions(request.options, new Date('2026-12-05T00:00:00Z'));
    expect(options).toMatchObject({
      source: { bucket: 'orders-src', prefix: 'logs/' },
      report: { bucket: 'reports-east', prefix: 'backfill/' },
      statuses: ['FAILED'],
      priority: 42,
      reportScope: 'FailedTasksOnly',
      confirm: false,
    });
  });

  test('alarms on failed jobs and failed objects notify the region topic; no schedule unless asked', () => {
    const { template, backfill } = build();
    const t = template();
    t.resourceCountIs('AWS::Scheduler::Schedule', 0);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'BackfillJobFailed',
      Namespace: 'CdkS3Dr',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('CdkS3DrRegionalAlarmTopic') }],
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'BackfillTasksFailed',
      Dimensions: [{ Name: 'Bucket', Value: { Ref: Match.stringLikeRegexp('DataBucket') } }],
    });
    expect(
      Object.keys(t.findResources('AWS::CloudWatch::Alarm')).filter((id) => id.startsWith('Backfill')),
    ).toHaveLength(2);
    expect(backfill.alarmTopic).toBeDefined();
  });

  test('a schedule creates a new job per run, with the scheduled time as its run id', () => {
    const t = build({ schedule: scheduler.ScheduleExpression.rate(Duration.days(7)) }).template();
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(7 days)',
      Target: Match.objectLike({ Input: '{"action":"create","scheduledTime":"<aws.scheduler.scheduled-time>"}' }),
    });
  });

  test('outputs the role ARN and the command line that uses it', () => {
    const t = build().template();
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    const role = Object.entries(outputs).find(([id]) => id.startsWith('BackfillRoleArn'))![1];
    expect(role.Value).toEqual({ 'Fn::GetAtt': [ref(t, 'AWS::IAM::Role', 'BackfillBatchOperationsRole'), 'Arn'] });
    const command = JSON.stringify(Object.entries(outputs).find(([id]) => id.startsWith('BackfillCommand'))![1].Value);
    expect(command).toContain('npx cdk-s3-dr backfill --source s3://');
    expect(command).toContain('--source-region us-east-1 --account 111111111111 --role-arn ');
    expect(command).toContain('/backfill/ --statuses NONE,FAILED');
  });

  test("grantJobControl gives an operator the command line's permissions with this role; grantInvoke the function", () => {
    const { east, backfill } = build();
    const operator = new iam.Role(east, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    backfill.grantJobControl(operator);
    backfill.grantInvoke(operator);
    const t = Template.fromStack(east);
    const policy = Object.entries<any>(t.findResources('AWS::IAM::Policy')).find(([id]) =>
      id.startsWith('Operator'),
    )![1];
    const granted = policy.Properties.PolicyDocument.Statement.map((st: any) => [[].concat(st.Action), st.Condition]);
    expect(granted).toEqual([
      [['s3:CreateJob'], { StringEquals: { 's3:RequestJobOperation': 'S3ReplicateObject' } }],
      [['s3:DescribeJob', 's3:UpdateJobStatus'], { StringEquals: { 's3:ExistingJobOperation': 'S3ReplicateObject' } }],
      [['iam:PassRole'], { StringEquals: { 'iam:PassedToService': 'batchoperations.s3.amazonaws.com' } }],
      [['lambda:InvokeFunction'], undefined],
    ]);
  });

  test('warns when jobs start without confirmation, or replicate what is already replicated', () => {
    const { east } = build({
      requireConfirmation: false,
      replicationStatuses: [BackfillReplicationStatus.FAILED, BackfillReplicationStatus.COMPLETED],
    });
    const warnings = Annotations.fromStack(east)
      .findWarning('*', Match.anyValue())
      .map((w) => String(w.entry.data));
    expect(warnings.filter((w) => w.includes('requireConfirmation is false'))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('replicationStatuses includes COMPLETED'))).toHaveLength(1);
  });

  test('the default props warn about nothing', () => {
    const { east } = build();
    const warnings = Annotations.fromStack(east)
      .findWarning('*', Match.anyValue())
      .map((w) => String(w.entry.data));
    expect(warnings.filter((w) => w.includes('backfill') || w.includes('requireConfirmation'))).toEqual([]);
  });
});

describe('ReplicationBackfill bad props', () => {
  const fails = (props: Partial<ReplicationBackfillProps>, message: RegExp) => {
    expect(() => build(props)).toThrow(InvalidPropsError);
    expect(() => build(props)).toThrow(message);
  };

  test('fails when the source bucket is in another region', () => {
    const app = testApp();
    const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
    const other = s3.Bucket.fromBucketAttributes(east, 'Far', { bucketName: 'far-src', region: 'eu-west-1' });
    expect(() => new ReplicationBackfill(east, 'Backfill', { sourceBucket: other })).toThrow(
      /sourceBucket = "East\/Far": the source bucket is in eu-west-1 but this stack is in us-east-1; fix: use one in us-east-1, or create the construct in a stack of eu-west-1/,
    );
  });

  test('fails when the source bucket is in another account', () => {
    const app = testApp();
    const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
    const other = s3.Bucket.fromBucketAttributes(east, 'Theirs', {
      bucketName: 'their-src',
      account: '222222222222',
      region: 'us-east-1',
    });
    expect(() => new ReplicationBackfill(east, 'Backfill', { sourceBucket: other })).toThrow(
      /sourceBucket = "East\/Theirs": the source bucket is in account 222222222222 but this stack is in 111111111111; a Batch Replication job runs in the account that owns the bucket.*fix: create the construct in a stack of account 222222222222/,
    );
  });

  test('fails when the stack has no explicit region', () => {
    const app = testApp();
    const agnostic = new Stack(app, 'Agnostic');
    const bucket = s3.Bucket.fromBucketName(agnostic, 'Src', 'some-src');
    expect(() => new ReplicationBackfill(agnostic, 'Backfill', { sourceBucket: bucket })).toThrow(
      /env\.region \(stack\) = "\(unresolved\)": the stack has no explicit region/,
    );
  });

  test('fails when the source key is in another region', () => {
    const app = testApp();
    const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
    const bucket = s3.Bucket.fromBucketName(east, 'Src', 'some-src');
    const key = kms.Key.fromKeyArn(east, 'Key', `arn:aws:kms:eu-west-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    expect(() => new ReplicationBackfill(east, 'Backfill', { sourceBucket: bucket, sourceKey: key })).toThrow(
      /sourceKey = "East\/Key": the key is in eu-west-1 but this stack is in us-east-1/,
    );
  });

  test('fails when the prefix is a glob or starts with "/"', () => {
    fails({ prefix: '/logs/*' }, /prefix = "\/logs\/\*": a key prefix must not start with "\/"/);
  });

  test('fails when the reports prefix is the bucket root, has no trailing "/", or overlaps another report prefix', () => {
    fails(
      { reportsPrefix: '' },
      /reportsPrefix = "": a backfill must write under a prefix of its own.*fix: write "backfill\/"/,
    );
    fails(
      { reportsPrefix: 'backfill' },
      /reportsPrefix = "backfill": without a trailing "\/".*fix: write "backfill\/"/,
    );
    fails({ reportsPrefix: 'audits/backfill/' }, /overlaps the prefix "audits\/" the audit writes its reports under/);
  });

  test('fails when the reports bucket is the source bucket', () => {
    const app = testApp();
    const east = new Stack(app, 'East', { env: { account: A, region: 'us-east-1' } });
    const bucket = s3.Bucket.fromBucketName(east, 'Src', 'some-src');
    expect(
      () =>
        new ReplicationBackfill(east, 'Backfill', {
          sourceBucket: bucket,
          reportsBucket: s3.Bucket.fromBucketName(east, 'Same', 'some-src'),
        }),
    ).toThrow(/reportsBucket = "East\/Same": is the source bucket: the reports and manifests would be replicated/);
  });

  test('fails when the statuses are empty, repeated or unknown, naming each', () => {
    fails({ replicationStatuses: [] }, /replicationStatuses = \[\]: a job with no status selects no object/);
    fails(
      {
        replicationStatuses: [
          BackfillReplicationStatus.NONE,
          BackfillReplicationStatus.NONE,
          'PENDING' as BackfillReplicationStatus,
        ],
      },
      /replicationStatuses\[1\] = "NONE": repeats replicationStatuses\[0\][\s\S]*replicationStatuses\[2\] = "PENDING": not a replication status/,
    );
  });

  test('fails when the priority or the report scope is out of range, and collects every problem', () => {
    let error: InvalidPropsError | undefined;
    try {
      build({ priority: -1, reportScope: 'everything' as BackfillReportScope, prefix: 'a*' });
    } catch (e) {
      error = e as InvalidPropsError;
    }
    expect(error?.problems.map((p) => p.prop).sort()).toEqual(['prefix', 'priority', 'reportScope']);
    expect(error?.message).toMatch(/priority = -1: must be a whole number from 0 to 2,147,483,647/);
    expect(error?.message).toMatch(
      /reportScope = "everything": not a report scope; fix: use BackfillReportScope\.ALL_TASKS/,
    );
  });

  test('fails when the schedule expression is malformed', () => {
    fails({ schedule: scheduler.ScheduleExpression.expression('rate(0 days)') }, /schedule = "rate\(0 days\)"/);
  });
});

describe('cdk-nag on a backfill composition', () => {
  test('has zero findings in all four packs, and acknowledges only real ones', () => {
    const app = testApp({ context: { 'aws:cdk:bundling-stacks': [] } });
    backfillComposition(app);
    expect(nagFindings(app)).toEqual([]);
    const acks = acknowledgements(app);
    const own = acks.filter((a) => a.path.includes('/Backfill/'));
    expect(own.map((a) => a.id).sort()).toEqual(
      expect.arrayContaining([
        'AwsSolutions-IAM5[Resource::*]',
        `AwsSolutions-IAM5[Resource::arn:aws:s3:us-east-1:${A}:job/*]`,
      ]),
    );
    stripAcknowledgements(app);
    expect(unusedAcknowledgements(acks, nagFindings(app))).toEqual([]);
  });
});

describe('AWS Control Tower proactive controls (cfn-guard) on a backfill composition', () => {
  test('every finding on the backfill is acknowledged, and every acknowledgement covers a finding', () => {
    const synth = synthesizeTo(backfillComposition, 'cdk-s3-dr-guard-backfill-');
    try {
      const raw = guardFindings(synth).filter((f) => f.path.includes('/Backfill/'));
      const acks = allAcknowledgements(synth.app).filter(
        (a) => a.id.startsWith(`${GUARD_PLUGIN}::`) && a.path.includes('/Backfill/'),
      );
      expect(raw.length).toBeGreaterThan(0);
      const uncovered = raw.filter(
        (f) => !acks.some((a) => a.id === `${GUARD_PLUGIN}::${f.rule}` && a.path === f.path),
      );
      expect(uncovered).toEqual([]);
      const stray = acks.filter((a) => !raw.some((f) => a.id === `${GUARD_PLUGIN}::${f.rule}` && a.path === f.path));
      expect(stray).toEqual([]);
    } finally {
      rmSync(synth.outdir, { recursive: true, force: true });
    }
  }, 180_000);
});
