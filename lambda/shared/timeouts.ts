/**
 * How long a request may wait for an answer, shared by every client of the library (the SDK
 * clients and the raw signed requests): one setting per process, set by the command line from
 * `--request-timeout` and by the handlers from their environment (REQUEST_TIMEOUT_ENV), read by
 * the client factories when they build a client.
 *
 * A request that gets no answer within the timeout is tried at most TIMEOUT_ATTEMPTS times (other
 * transient failures keep the client's full attempt count), so a silent endpoint, one that accepts
 * connections and never answers, fails one operation in about TIMEOUT_ATTEMPTS x the timeout.
 */

/** Seconds one HTTP attempt may wait for its answer (and to connect). */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 10;
export const MAX_REQUEST_TIMEOUT_SECONDS = 900;
/** Attempts of one request that time out, first included. */
export const TIMEOUT_ATTEMPTS = 3;
/** The handlers' environment key for the request timeout, whole seconds. */
export const REQUEST_TIMEOUT_ENV = 'CDK_S3_DR_REQUEST_TIMEOUT_SECONDS';

let current = DEFAULT_REQUEST_TIMEOUT_SECONDS * 1000;

/** Sets the request timeout of clients built from now on. */
export function setRequestTimeoutMs(ms: number): void {
  current = ms;
}

export function requestTimeoutMs(): number {
  return current;
}

/** The request timeout a handler's environment asks for, in ms (undefined when unset); throws on a bad value. */
export function requestTimeoutFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env[REQUEST_TIMEOUT_ENV];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_REQUEST_TIMEOUT_SECONDS) {
    throw new Error(
      `${REQUEST_TIMEOUT_ENV} "${raw}" must be a whole number of seconds from 1 to ${MAX_REQUEST_TIMEOUT_SECONDS}`,
    );
  }
  return n * 1000;
}

/** Applies a handler's environment (call once at module load). */
export function applyTimeoutEnv(env: NodeJS.ProcessEnv = process.env): void {
  const ms = requestTimeoutFromEnv(env);
  if (ms !== undefined) setRequestTimeoutMs(ms);
}

/** The error an operation ends with once its attempts timed out TIMEOUT_ATTEMPTS times (not retried further). */
export class RequestTimedOutError extends Error {
  readonly $metadata = {};
  constructor(ms: number, attempts: number, detail?: string) {
    super(
      `no answer within ${ms / 1000} s, ${attempts} attempt${attempts === 1 ? '' : 's'}${detail ? ` (${detail})` : ''}`,
    );
    this.name = 'RequestTimedOut';
  }
}
