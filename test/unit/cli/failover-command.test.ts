import { failbackCommand } from '../../../lambda/cli/failback-command';
import { failoverCommand } from '../../../lambda/cli/failover-command';
import { CliIO } from '../../../lambda/cli/io';
import { UsageError } from '../../../lambda/shared/errors';

function io(): CliIO & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l), isTTY: false, env: {} };
}

describe('failover and failback commands: usage', () => {
  test('help', async () => {
    const o = io();
    expect(await failoverCommand(['--help'], o)).toBe(0);
    expect(o.lines.join('\n')).toMatch(/--approve URI/);
    expect(await failbackCommand(['--help'], o)).toBe(0);
  });
  test('fails without --config, naming the fix', async () => {
    await expect(failoverCommand(['--dry-run'], io())).rejects.toThrow(/--config is required/);
    await expect(failbackCommand([], io())).rejects.toThrow(UsageError);
  });
  test('fails on a config that is not JSON or not valid', async () => {
    await expect(failoverCommand(['--config', '{nope'], io())).rejects.toThrow(/is not JSON/);
    await expect(failoverCommand(['--config', '{"plan":"dns"}'], io())).rejects.toThrow(/plan "dns" is unknown/);
    await expect(failoverCommand(['--config', '/nonexistent/config.json'], io())).rejects.toThrow(/cannot be read/);
  });
  test('fails on an unknown option and on a bad approve URI', async () => {
    await expect(failoverCommand(['--frobnicate'], io())).rejects.toThrow(/unknown option/);
    await expect(failoverCommand(['--approve', 'https://x'], io())).rejects.toThrow(/not a decision record URI/);
    await expect(failoverCommand(['--approve', 's3://b/failover/decisions/t.json'], io())).rejects.toThrow(
      /--region is required/,
    );
    await expect(failoverCommand(['--approve', 's3://b/k.json', '--config', '{}'], io())).rejects.toThrow(
      /drop --config/,
    );
  });
});
