/** Bad input to `cdk-s3-dr failback`: refused before any request, naming the option or key, the value and the fix. */
import { BadInputCase, runCli } from '../../../support/cli';

const config = {
  plan: 'pointer',
  mode: 'approval',
  source: { bucket: 'data', region: 'eu-west-1' },
  replica: { bucket: 'data-replica', region: 'eu-central-1' },
  parameterName: '/app/s3-active',
  alarmName: 'app-outage',
  probeName: 'app',
  reports: { bucket: 'reports', region: 'eu-central-1' },
};
const json = (over: Record<string, unknown>) => JSON.stringify({ ...config, ...over });

const failback: BadInputCase[] = [
  [
    'unknown key mdoe',
    ['--config', json({ mdoe: 'automatic' }), '--dry-run'],
    2,
    'mdoe is not a known key: did you mean "mode"?',
  ],
  [
    'unknown key in reports',
    ['--config', json({ reports: { bucket: 'reports', region: 'eu-central-1', prefx: 'x/' } })],
    2,
    'reports.prefx is not a known key: did you mean "reports.prefix"?',
  ],
  [
    '--dry-run with --apply',
    ['--config', json({}), '--dry-run', '--apply'],
    2,
    '--dry-run and --apply cannot be given together',
  ],
  ['--force is not a failback option', ['--config', json({}), '--force'], 2, "unknown option '--force'"],
  ['a positional argument', ['--config', json({}), 'now'], 2, "unexpected argument 'now'"],
  ['config that is not JSON', ['--config', '{nope'], 2, 'is not JSON'],
  ['config file that does not exist', ['--config', '/nonexistent/failover.json'], 2, 'cannot be read'],
  [
    'same region on both sides',
    ['--config', json({ replica: { bucket: 'data-replica', region: 'eu-west-1' } })],
    2,
    'failover needs two regions',
  ],
  [
    'request timeout not a number',
    ['--config', json({}), '--request-timeout', 'ten'],
    2,
    '--request-timeout "ten" must be a whole number of seconds',
  ],
];

describe('cdk-s3-dr failback: bad input', () => {
  test.each(failback)('%s', async (_name, argv, code, message) => {
    const r = await runCli(['failback', ...argv], {});
    if (typeof message === 'string') expect(r.err).toContain(message);
    else expect(r.err).toMatch(message);
    expect(r.code).toBe(code);
  });
});
