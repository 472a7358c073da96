import { Lazy } from 'aws-cdk-lib';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { PropProblem } from '../../../lib/private/errors';
import {
  checkBucketArn,
  checkBucketName,
  checkOwnPrefix,
  checkPrefix,
  checkRegion,
  checkSchedule,
} from '../../../lib/private/validate';

/**
 * Every fix that proposes a value must itself pass the rule that proposed it: feed each
 * replacement back in and expect no problem.
 */
const rules: [string, (value: string) => PropProblem[], string[]][] = [
  [
    'bucket names',
    (v) => checkBucketName('bucketName', v),
    [
      'Orders_Data',
      'ab',
      '192.168.5.4',
      'orders..data',
      'xn--orders',
      'orders-s3alias',
      '-orders-',
      'a'.repeat(64),
      'my bucket',
      '..',
      'x',
      'orders.mrap',
    ],
  ],
  [
    'bucket ARNs',
    (v) => checkBucketArn('bucketArn', v),
    [
      'partner',
      'arn:aws:s3:::Partner_Replica',
      'arn:aws:s3:eu-west-1:111111111111:partner',
      'arn:aws:s3:::partner/data/*',
      'arn:aws:kms:eu-west-1:111111111111:key/x',
      'arn:amazon:s3:::partner',
      'arn:aws-cn:s3:::ab',
      'arn:aws:s3:::',
    ],
  ],
  ['regions', (v) => checkRegion('region', v), ['US East', 'EU West 1', 'Us-west-2', 'useast1', '']],
  ['replication prefixes', (v) => checkPrefix('prefix', v), ['/a', '/logs*', 'a?b', '//x/']],
  [
    'own prefixes',
    (v) => checkOwnPrefix('restorePrefix', v, 'cdk-s3-dr-drill/', 'a drill'),
    ['drills', '/', '', '/tmp*', 'audits', '*', '//', 'a/b'],
  ],
  [
    'schedules',
    (v) => checkSchedule('schedule', ScheduleExpression.expression(v)),
    [
      'rate(0 minutes)',
      'every day',
      'rate(1 minutes)',
      'rate(5 minute)',
      'rate(1.5 hours)',
      'rate()',
      'cron(0 12 * * *)',
      'cron(0 12 1 * MON *)',
      'cron(0 12 ? * ? *)',
      'cron(0 0 3 * * ? *)',
      'cron(a b c d e)',
      'cron(0 12 * * ? * x)',
    ],
  ],
];

describe.each(rules)('fixes proposed for %s pass the same rule', (_name, rule, bad) => {
  test.each(bad)('fails when given %j, and its proposed fix passes', (value) => {
    const problems = rule(value);
    expect(problems.length).toBeGreaterThan(0);
    const proposals = problems.filter((p) => p.replacement !== undefined);
    expect(proposals.length).toBeGreaterThan(0);
    for (const p of proposals) {
      expect(p.fix).toContain(String(p.replacement));
      expect({ replacement: p.replacement, problems: rule(String(p.replacement)) }).toEqual({
        replacement: p.replacement,
        problems: [],
      });
    }
  });
});

test('checks skip values known only at deploy time', () => {
  const token = Lazy.string({ produce: () => 'Not_Valid' });
  expect([
    ...checkBucketName('bucketName', token),
    ...checkBucketArn('bucketArn', token),
    ...checkRegion('region', token),
    ...checkOwnPrefix('restorePrefix', token, 'x/', 'a drill'),
    ...checkSchedule('schedule', ScheduleExpression.expression(token)),
  ]).toEqual([]);
});
