import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../../lambda/cli/main';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the command line in-process, as the executable does, capturing its output. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false, env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** One bad-input case: what is typed, the exit code expected and a fragment of the message. */
export type BadInputCase = readonly [name: string, argv: string[], code: number, message: RegExp | string];

/** The built executable (assets/cli), run in a child process as a user runs it. */
export const BUILT_CLI = join(__dirname, '..', '..', 'assets', 'cli', 'cdk-s3-dr.js');

/** Runs the built CLI asynchronously (servers in this process keep answering); never throws on a non-zero exit. */
export function runBuiltCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<CliRun & { ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [BUILT_CLI, ...argv], { env, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, out: String(stdout), err: String(stderr), ms: Date.now() - started });
    });
  });
}

/** A child environment with no AWS settings of the caller's (credentials, profile, region). */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}
