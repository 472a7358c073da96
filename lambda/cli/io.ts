/** What a subcommand may use of the outside world: injectable so tests run the CLI in-process. */
export interface CliIO {
  /** Results and reports (stdout). */
  out(line: string): void;
  /** Progress and diagnostics (stderr). */
  err(line: string): void;
  /** True when stderr is a terminal: draw a progress bar instead of plain lines. */
  readonly isTTY: boolean;
  /** Environment variables (AWS credentials are read by the SDK itself). */
  readonly env: NodeJS.ProcessEnv;
}

export const processIO: CliIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  isTTY: Boolean(process.stderr.isTTY),
  env: process.env,
};

/**
 * Progress for long runs: on a terminal a single redrawn bar line; otherwise (CI, pipes, logs)
 * one plain line at most every `intervalMs`.
 */
export class Progress {
  private last = 0;
  constructor(
    private readonly io: CliIO,
    private readonly intervalMs = 1000,
  ) {}

  update(text: string, fraction?: number, now = Date.now()): void {
    if (this.io.isTTY) {
      if (now - this.last < 100) return;
      this.last = now;
      const width = 24;
      const bar =
        fraction === undefined
          ? ''
          : '[' + '#'.repeat(Math.round(Math.min(1, fraction) * width)).padEnd(width, '.') + '] ';
      process.stderr.write('\r\x1b[2K' + bar + text);
    } else {
      if (now - this.last < this.intervalMs) return;
      this.last = now;
      this.io.err(text);
    }
  }

  done(): void {
    if (this.io.isTTY && this.last !== 0) process.stderr.write('\r\x1b[2K');
  }
}
