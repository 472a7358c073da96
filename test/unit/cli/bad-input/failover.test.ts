/** Bad input to `cdk-s3-dr failover`: refused before any request, naming the option or key, the value and the fix. */
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
const record = 's3://reports/failover/decisions/2026-12-01T00:00:00.000Z.json';

const failover: BadInputCase[] = [
  [
    '--dry-run with --force',
    ['--config', json({}), '--dry-run', '--force'],
    2,
    '--dry-run and --force cannot be given together',
  ],
  [
    '--status with --force',
    ['--config', json({}), '--status', '--force'],
    2,
    '--status and --force cannot be given together',
  ],
  [
    '--approve with --force',
    ['--approve', record, '--force', '--region', 'eu-central-1'],
    2,
    '--approve and --force cannot be given together',
  ],
  [
    '--region without --approve',
    ['--config', json({}), '--dry-run', '--region', 'eu-west-1'],
    2,
    '--region "eu-west-1" is used only with --approve',
  ],
  [
    '--reports-endpoint without --approve',
    ['--config', json({}), '--reports-endpoint', 'http://127.0.0.1:1'],
    2,
    '--reports-endpoint "http://127.0.0.1:1" is used only with --approve',
  ],
  [
    '--approve with a region name that is not one',
    ['--approve', record, '--region', 'US East'],
    2,
    '--region "US East" is not a region name',
  ],
  [
    '--approve with a bad endpoint',
    ['--approve', record, '--region', 'eu-west-1', '--reports-endpoint', 'localhost:1'],
    2,
    '--reports-endpoint "localhost:1" is not an http(s) endpoint',
  ],
  [
    'unknown key mdoe',
    ['--config', json({ mdoe: 'automatic' }), '--dry-run'],
    2,
    'mdoe is not a known key: did you mean "mode"?',
  ],
  [
    'unknown key in source',
    ['--config', json({ source: { bucket: 'data', regoin: 'eu-west-1', region: 'eu-west-1' } }), '--dry-run'],
    2,
    'source.regoin is not a known key: did you mean "source.region"?',
  ],
  [
    'unknown key in confirm',
    ['--config', json({ confirm: { failling: 2 } }), '--dry-run'],
    2,
    'confirm.failling is not a known key: did you mean "confirm.failing"?',
  ],
  [
    'unknown key in endpoints',
    ['--config', json({ endpoints: { sms: 'http://127.0.0.1:1' } }), '--dry-run'],
    2,
    'endpoints.sms is not a known key: did you mean "endpoints.ssm"?',
  ],
  [
    'unknown key far from any',
    ['--config', json({ colour: 'blue' }), '--dry-run'],
    2,
    'colour is not a known key: the keys are plan, mode',
  ],
  ['--config empty', ['--config', '', '--dry-run'], 2, '--config is required'],
  ['--config a JSON array', ['--config', '[]', '--dry-run'], 2, /--config "\[\]"|must be a JSON object/],
  [
    'negative deadline',
    ['--config', json({}), '--dry-run', '--deadline', '-1'],
    2,
    '--deadline "-1" must be a whole number of seconds',
  ],
];

describe('cdk-s3-dr failover: bad input', () => {
  test.each(failover)('%s', async (_name, argv, code, message) => {
    const r = await runCli(['failover', ...argv], {});
    if (typeof message === 'string') expect(r.err).toContain(message);
    else expect(r.err).toMatch(message);
    expect(r.code).toBe(code);
  });
});
