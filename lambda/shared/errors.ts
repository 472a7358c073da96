/**
 * The three ways a run can end badly, each with its own CLI exit code:
 *  - UsageError (2): the caller's event, options or URIs are wrong; nothing was done;
 *  - IncompleteError (3): the run could not complete (a region down, a time budget spent);
 *    `next` says what to do next, and a checkpoint may allow resuming;
 *  - anything else is a bug and surfaces as-is.
 * A run that completes and finds discrepancies or drill failures is not an error: exit 1.
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export class IncompleteError extends Error {
  readonly exitCode = 3;
  constructor(
    message: string,
    /** What the operator should do next, in one sentence. */
    readonly next: string,
    /** Opaque resume state, when the run saved one. */
    readonly checkpoint?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IncompleteError';
  }
}

/** Short, printable description of any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { Code?: string; code?: string }).Code ?? (err as { code?: string }).code;
    return code && !err.message.includes(code)
      ? `${err.name} (${code}): ${err.message}`
      : `${err.name}: ${err.message}`;
  }
  return String(err);
}
