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
