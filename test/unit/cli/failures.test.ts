/**
 * The failure taxonomy of the built command line against loopback endpoints that misbehave on
 * purpose, and the credential sources a loopback server can stand in for (container metadata,
 * credential_process, web identity through a loopback STS). Each command runs as a child process.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runBuiltCli } from '../../support/cli';
import { LoopbackServer, startLoopback } from '../../support/loopback-s3';

jest.setTimeout(120_000);

const dir = mkdtempSync(join(tmpdir(), 'cli-failures-'));
const keys = {
  AWS_ACCESS_KEY_ID: 'AKIDLOOPBACK0000001',
  AWS_SECRET_ACCESS_KEY: 'loopbackSecret',
  AWS_REGION: 'eu-west-1',
};

function commands(endpoint: string): [string, string[]][] {
  const config = JSON.stringify({
    plan: 'pointer',
    mode: 'automatic',
    source: { bucket: 'data-src', region: 'eu-west-1', endpoint },
    replica: { bucket: 'data-rep', region: 'eu-central-1', endpoint },
    parameterName: '/app/active',
    alarmName: 'app-outage',
    probeName: 'app',
    reports: { bucket: 'reports-b', region: 'eu-central-1', endpoint },
    endpoints: { ssm: endpoint, cloudWatch: endpoint },
  });
  const sides = [
    '--source',
    's3://data-src',
    '--replica',
    's3://data-rep',
    '--source-endpoint',
    endpoint,
    '--replica-endpoint',
    endpoint,
  ];
  return [
    ['audit', ['audit', ...sides, '--report', join(dir, `audit-${Math.random()}.json`)]],
    ['drill', ['drill', ...sides, '--restore-to', 's3://scratch-b', '--restore-endpoint', endpoint]],
    ['repair', ['repair', ...sides, '--apply', '--report', join(dir, `repair-${Math.random()}.json`)]],
    ['failover', ['failover', '--config', config, '--dry-run']],
    ['failback', ['failback', '--config', config, '--dry-run']],
  ];
}

describe('a silent endpoint (accepts connections, never answers)', () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startLoopback('silent');
  });
  afterAll(() => server.close());

  test('every command fails with exit 3 and says no answer came, within its request timeout', async () => {
    const runs = await Promise.all(
      commands(server.endpoint).map(
        async ([name, argv]) => [name, await runBuiltCli([...argv, '--request-timeout', '1'], cleanEnv(keys))] as const,
      ),
    );
    for (const [name, r] of runs) {
      expect({ name, code: r.code }).toEqual({ name, code: 3 });
      expect(r.err).toContain(`cdk-s3-dr ${name}:`);
      expect(r.err).toMatch(/RequestTimedOut: no answer within 1 s, 3 attempts/);
      expect(r.err).toMatch(/^next: /m);
      process.stderr.write(
        `silent endpoint, --request-timeout 1: ${name} failed after ${(r.ms / 1000).toFixed(1)} s\n`,
      );
    }
  });

  test('--deadline ends a run that would wait longer, with exit 3', async () => {
    const [, argv] = commands(server.endpoint)[0];
    const r = await runBuiltCli([...argv, '--request-timeout', '30', '--deadline', '2'], cleanEnv(keys));
    expect(r.code).toBe(3);
    expect(r.err).toContain('the deadline of 2 s passed (--deadline)');
  });
});

describe('an endpoint that fails (HTTP 500 with no body) is an outage: exit 3, never "Http500: Http500"', () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startLoopback('http500');
  });
  afterAll(() => server.close());

  test.each(['audit', 'drill', 'repair'])('%s', async (name) => {
    const argv = commands(server.endpoint).find(([n]) => n === name)![1];
    const r = await runBuiltCli([...argv, '--max-attempts', '2'], cleanEnv(keys));
    expect(r.code).toBe(3);
    expect(r.err).toContain('HTTP 500 Internal Server Error from the server, with no error details');
    expect(r.err).not.toContain('Http500: Http500');
    expect(r.err).not.toMatch(/resume .*permission|access denied/i);
  });
});

describe('a 403 AccessDenied is a permission problem: exit 4 naming principal, action and resource', () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startLoopback('denied');
  });
  afterAll(() => server.close());

  test.each([
    ['audit', /AccessDenied \(HTTP 403\) for s3:ListBucket on data-(src|rep) as access key AKIDLOOPBACK0000001/],
    ['drill', /AccessDenied \(HTTP 403\) for s3:GetBucketVersioning on scratch-b as access key AKIDLOOPBACK0000001/],
    ['repair', /AccessDenied \(HTTP 403\) for s3:ListBucket on data-(src|rep) as access key AKIDLOOPBACK0000001/],
    [
      'failover',
      /alarm app-outage could not be read: AccessDeniedException \(HTTP 403\) for cloudwatch:DescribeAlarms on app-outage as access key AKIDLOOPBACK0000001/,
    ],
    [
      'failback',
      /pointer \/app\/active in eu-[a-z]+-1 could not be read: AccessDeniedException \(HTTP 403\) for ssm:GetParameter on \/app\/active as access key AKIDLOOPBACK0000001/,
    ],
  ])('%s', async (name, message) => {
    const argv = commands(server.endpoint).find(([n]) => n === name)![1];
    const r = await runBuiltCli(argv, cleanEnv(keys));
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/^next: grant \(access key AKIDLOOPBACK0000001\) /m);
    expect(r.err).not.toMatch(/reachable/);
    expect(r.code).toBe(4);
  });

  test('the audit saves no checkpoint for a permission problem (waiting does not fix it)', async () => {
    const report = join(dir, 'denied.json');
    const r = await runBuiltCli(
      [
        'audit',
        '--source',
        's3://data-src',
        '--replica',
        's3://data-rep',
        '--source-endpoint',
        server.endpoint,
        '--replica-endpoint',
        server.endpoint,
        '--report',
        report,
      ],
      cleanEnv(keys),
    );
    expect(r.code).toBe(4);
    expect(r.err).not.toContain('checkpoint saved');
  });
});

describe('credential sources a loopback server stands in for (audit against a loopback S3 that records signatures)', () => {
  const creds = {
    accessKeyId: 'AKIDFROMSOURCE000001',
    secretAccessKey: 'sourceSecret',
    sessionToken: 'session-token-1',
  };
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startLoopback('ok', creds);
  });
  afterAll(() => server.close());

  const audit = () => [
    'audit',
    '--source',
    's3://data-src',
    '--replica',
    's3://data-rep',
    '--source-endpoint',
    server.endpoint,
    '--replica-endpoint',
    server.endpoint,
    '--report',
    join(dir, `creds-${Math.random()}.json`),
  ];
  const signedWith = (from: number) =>
    server.requests
      .slice(from)
      .filter((r) => r.url.startsWith('/data-'))
      .map((r) => [/Credential=([^/]+)\//.exec(r.authorization ?? '')?.[1], r.sessionToken]);

  test('container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI on loopback)', async () => {
    const from = server.requests.length;
    const r = await runBuiltCli(
      audit(),
      cleanEnv({
        AWS_REGION: 'eu-west-1',
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.endpoint}/container-credentials`,
      }),
    );
    expect(r.err).not.toMatch(/permission|could not complete/);
    expect(r.code).toBe(0);
    expect(server.requests.slice(from).some((q) => q.url === '/container-credentials')).toBe(true);
    expect(signedWith(from)).toEqual([
      [creds.accessKeyId, creds.sessionToken],
      [creds.accessKeyId, creds.sessionToken],
    ]);
  });

  test('credential_process in a profile', async () => {
    const script = join(dir, 'creds.js');
    writeFileSync(
      script,
      `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: '${creds.accessKeyId}', SecretAccessKey: '${creds.secretAccessKey}', SessionToken: '${creds.sessionToken}' }));\n`,
    );
    const config = join(dir, 'config-process');
    writeFileSync(config, `[profile proc]\ncredential_process = ${process.execPath} ${script}\nregion = eu-west-1\n`);
    const from = server.requests.length;
    const r = await runBuiltCli(
      audit(),
      cleanEnv({ AWS_PROFILE: 'proc', AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') }),
    );
    expect(r.err).not.toMatch(/permission|could not complete/);
    expect(r.code).toBe(0);
    expect(signedWith(from)).toEqual([
      [creds.accessKeyId, creds.sessionToken],
      [creds.accessKeyId, creds.sessionToken],
    ]);
  });

  test('web identity, with STS on loopback (AWS_ENDPOINT_URL_STS)', async () => {
    const token = join(dir, 'web-identity-token');
    writeFileSync(token, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0.');
    const from = server.requests.length;
    const r = await runBuiltCli(
      audit(),
      cleanEnv({
        AWS_REGION: 'eu-west-1',
        AWS_WEB_IDENTITY_TOKEN_FILE: token,
        AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/test',
        AWS_ROLE_SESSION_NAME: 'cdk-s3-dr-test',
        AWS_ENDPOINT_URL_STS: server.endpoint,
      }),
    );
    expect(r.err).not.toMatch(/permission|could not complete/);
    expect(r.code).toBe(0);
    expect(server.requests.slice(from).some((q) => q.body.includes('Action=AssumeRoleWithWebIdentity'))).toBe(true);
    expect(signedWith(from)).toEqual([
      [creds.accessKeyId, creds.sessionToken],
      [creds.accessKeyId, creds.sessionToken],
    ]);
  });

  test('a report that cannot be written after the audit: exit 5, not a stack trace and not 1', async () => {
    const r = await runBuiltCli([...audit().slice(0, -1), '/dev/full'], cleanEnv(keys));
    expect(r.err).toMatch(/could not write --report "\/dev\/full" \(ENOSPC\): the audit completed/);
    expect(r.err).toMatch(/^next: free space or fix the permissions/m);
    expect(r.err).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(5);
  });

  test('no credentials anywhere: exit 4 saying where credentials come from', async () => {
    const r = await runBuiltCli(
      audit(),
      cleanEnv({
        AWS_REGION: 'eu-west-1',
        AWS_CONFIG_FILE: join(dir, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      }),
    );
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/next: no credentials were found: set AWS_PROFILE/);
  });
});
