/**
 * The network failures every S3 path treats the same way: the endpoint could not be reached or
 * dropped the connection, as opposed to an answer from S3. The raw request path retries them,
 * the error mapping calls them "unavailable", the drill stops verifying against a source that
 * fails with them.
 */

/** Node's error codes for a refused, reset, dropped or unresolvable connection. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'ENETUNREACH',
]);

/** True for a Node network error (by code) or a socket that hung up or timed out (by message). */
export function isNetworkError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  return (
    (e?.code !== undefined && NETWORK_ERROR_CODES.has(e.code)) || /socket hang up|timed out/.test(e?.message ?? '')
  );
}

/**
 * True for errors that mean the endpoint could not be reached (as opposed to an S3 answer): a
 * network error code, an SDK or abort timeout, a 502/503/504, anywhere in the cause chain or in
 * an aggregate's errors.
 */
export function isUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const x = e as {
      code?: string;
      name?: string;
      errors?: unknown[];
      cause?: unknown;
      $metadata?: { httpStatusCode?: number };
    };
    if (x.code && NETWORK_ERROR_CODES.has(x.code)) return true;
    if (x.name === 'TimeoutError' || x.name === 'AbortError' || x.name === 'RequestTimeout') return true;
    if (Array.isArray(x.errors) && x.errors.some((i) => isUnreachable(i))) return true;
    const status = x.$metadata?.httpStatusCode;
    if (status === 502 || status === 503 || status === 504) return true;
    e = x.cause;
  }
  return false;
}
