import { Duration, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { Template } from 'aws-cdk-lib/assertions';
import { buildExampleApp } from '../../../bin/example';
import { ConsistencyAudit, RestoreDrill, RestoreDrillProps } from '../../../lib';
import { REPORTS_PREFIXES } from '../../../lib/private/validate';
import { testApp } from '../../support/app';
import { BadPropsCase, problemsOf, runTable, synth } from './table';

const A = '111111111111';
const PAIR = {
  sourceBucketName: 'orders',
  sourceRegion: 'us-east-1',
  replicaBucketName: 'orders-replica',
  replicaRegion: 'us-west-2',
};

/** A drill in us-west-2 with overrides; the app is synthesized, as `cdk synth` would. */
function drill(over: Partial<RestoreDrillProps> | ((west: Stack) => Partial<RestoreDrillProps>) = {}) {
  return () => {
    const app = testApp({ context: { 'aws:cdk:bundling-stacks': [] } });
    const west = new Stack(app, 'West', { env: { account: A, region: 'us-west-2' } });
    new RestoreDrill(west, 'Drill', { ...PAIR, ...(typeof over === 'function' ? over(west) : over) });
    synth(app);
    return west;
  };
}

const schedule = (e: string) => drill({ schedule: ScheduleExpression.expression(e) });

const cases: BadPropsCase[] = [
  {
    name: 'the restore prefix has no trailing slash (the Delete grant would cover "drills*")',
    build: drill({ restorePrefix: 'drills' }),
    prop: 'restorePrefix',
    message: 'the grant on "drills*" also covers keys such as "drills-other/"; fix: write "drills/"',
  },
  {
    name: 'the restore prefix is "/"',
    build: drill({ restorePrefix: '/' }),
    prop: 'restorePrefix',
    message: 'write "cdk-s3-dr-drill/"',
  },
  {
    name: 'the restore prefix is a glob',
    build: drill({ restorePrefix: 'drill/*' }),
    prop: 'restorePrefix',
    message: 'write "drill/"',
  },
  {
    name: 'the restore prefix starts with "/"',
    build: drill({ restorePrefix: '/scratch' }),
    prop: 'restorePrefix',
    message: 'write "scratch/"',
  },
  {
    name: "the restore bucket is the drill's reports bucket and the prefix is its reports prefix",
    build: drill((w) => {
      const shared = s3.Bucket.fromBucketName(w, 'Shared', 'team-reports');
      return { restoreBucket: shared, reportsBucket: shared, restorePrefix: 'drills/' };
    }),
    prop: 'restorePrefix',
    message: 'overlaps its reports prefix "drills/"',
  },
  {
    name: "the restore bucket is an audit's reports bucket and the prefix is audits/",
    build: drill((w) => {
      const audit = new ConsistencyAudit(w, 'Audit', PAIR);
      return { restoreBucket: audit.reportsBucket, restorePrefix: 'audits/' };
    }),
    prop: 'restorePrefix',
    message:
      'the restore bucket is the reports bucket of West/Audit and "audits/" overlaps its reports prefix "audits/"',
  },
  {
    name: 'the restore prefix is a parent of the reports prefixes of the same bucket',
    build: drill((w) => {
      const shared = s3.Bucket.fromBucketName(w, 'Shared', 'team-reports');
      return {
        restoreBucket: shared,
        reportsBucket: s3.Bucket.fromBucketName(w, 'Same', 'team-reports'),
        restorePrefix: 'failover/',
      };
    }),
    prop: 'restorePrefix',
    message: 'overlaps its reports prefix "failover/decisions/"',
  },
  {
    name: 'the restore bucket is in another region',
    build: drill((w) => ({
      restoreBucket: s3.Bucket.fromBucketAttributes(w, 'R', { bucketName: 'scratch', region: 'us-east-1' }),
    })),
    prop: 'restoreBucket',
    message: 'the restore bucket is in us-east-1 but this stack is in us-west-2',
  },
  {
    name: 'the reports bucket is in another region',
    build: drill((w) => ({
      reportsBucket: s3.Bucket.fromBucketAttributes(w, 'R', { bucketName: 'reports', region: 'eu-west-1' }),
    })),
    prop: 'reportsBucket',
    message: 'the reports bucket is in eu-west-1',
  },
  {
    name: 'the schedule is rate(0 minutes)',
    build: schedule('rate(0 minutes)'),
    prop: 'schedule',
    message: 'a rate must be at least 1',
  },
  {
    name: 'the schedule is "every day"',
    build: schedule('every day'),
    prop: 'schedule',
    message: 'not a schedule expression',
  },
  {
    name: 'the schedule is rate(1 minutes)',
    build: schedule('rate(1 minutes)'),
    prop: 'schedule',
    message: 'ScheduleExpression.expression("rate(1 minute)")',
  },
  {
    name: 'the schedule is rate(5 minute)',
    build: schedule('rate(5 minute)'),
    prop: 'schedule',
    message: 'ScheduleExpression.expression("rate(5 minutes)")',
  },
  {
    name: 'the schedule is rate(1.5 hours)',
    build: schedule('rate(1.5 hours)'),
    prop: 'schedule',
    message: 'a positive whole number',
  },
  {
    name: 'the schedule is rate(1 week)',
    build: schedule('rate(1 week)'),
    prop: 'schedule',
    message: 'minute(s), hour(s) or day(s)',
  },
  {
    name: 'the schedule is a five-field cron',
    build: schedule('cron(0 12 * * *)'),
    prop: 'schedule',
    message: 'ScheduleExpression.expression("cron(0 12 * * ? *)")',
  },
  {
    name: 'the cron sets both day fields',
    build: schedule('cron(0 12 1 * MON *)'),
    prop: 'schedule',
    message: 'exactly one of day-of-month and day-of-week must be "?"',
  },
  {
    name: 'rtoTarget is 0',
    build: drill({ rtoTarget: Duration.seconds(0) }),
    prop: 'rtoTarget',
    message: 'must be at least 1 second',
  },
  {
    name: 'the stack has no env',
    build: () => new RestoreDrill(new Stack(testApp(), 'Agnostic'), 'Drill', PAIR),
    prop: 'env.region (stack)',
    message: 'give the stack an explicit env',
  },
  {
    name: 'the source bucket name is invalid',
    build: drill({ sourceBucketName: 'Orders' }),
    prop: 'sourceBucketName',
    message: 'write "orders"',
  },
  {
    name: 'the source region is not a region code',
    build: drill({ sourceRegion: 'US East 1' }),
    prop: 'sourceRegion',
    message: 'write "us-east-1"',
  },
  {
    name: 'the replica key ARN is an alias name, not an ARN',
    build: drill({ replicaKeyArn: 'alias/orders' }),
    prop: 'replicaKeyArn',
    message: 'not a KMS key or alias ARN',
  },
];

describe('RestoreDrill bad props', () => {
  runTable(cases);

  test('the fix proposed for restorePrefix "/" passes validation when fed back in', () => {
    const { problems } = problemsOf(drill({ restorePrefix: '/' }));
    const fix = problems?.find((p) => p.prop === 'restorePrefix')?.replacement;
    expect(fix).toBe('cdk-s3-dr-drill/');
    expect(drill({ restorePrefix: fix as string })).not.toThrow();
  });

  test('a restore prefix of its own in a shared reports bucket passes', () => {
    const build = drill((w) => {
      const shared = s3.Bucket.fromBucketName(w, 'Shared', 'team-reports');
      return { restoreBucket: shared, reportsBucket: shared, restorePrefix: 'restore-drill/' };
    });
    expect(build).not.toThrow();
  });

  test('the reports prefixes the check protects are the ones the audit, the drill and the controller write', () => {
    const app = testApp({ context: { 'aws:cdk:bundling-stacks': [] } });
    const ex = buildExampleApp(app);
    const env = Object.values(Template.fromStack(ex.replica).findResources('AWS::Lambda::Function')).map(
      (f: any) => f.Properties.Environment?.Variables ?? {},
    );
    const written = env.flatMap((v: any) => [
      ...(v.REPORTS_PREFIX ? [v.REPORTS_PREFIX] : []),
      ...(v.FAILOVER_CONFIG ? [/\\?"prefix\\?":\\?"([^"\\]+)/.exec(JSON.stringify(v.FAILOVER_CONFIG))![1]] : []),
    ]);
    expect(written.sort()).toEqual(Object.values(REPORTS_PREFIXES).sort());
  });
});
