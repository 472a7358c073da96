import { S3Client } from '@aws-sdk/client-s3';
import { addFailureContext, requestHandlerOptions } from './client-middleware';
import { defaultCredentials } from './credentials';
import { registerClientSettings, S3ClientOptions } from './s3-options';
import { requestTimeoutMs } from './timeouts';

export { clientSettings, RequestStats } from './s3-options';
export type { S3ClientOptions, S3Side } from './s3-options';

/**
 * The SDK's own log lines: none, as with its default logger, which still prints one warning on
 * the console when a request with a streamed body fails. A conditional PutObject refused with 412
 * is an expected outcome of a repair, and every failure is reported by the code that made the
 * request.
 */
const SILENT = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The one place that knows how to build an S3 client for this library:
 *  - standard retry mode (exponential backoff with jitter, retries 503 SlowDown, throttles,
 *    timeouts and dropped connections), 10 attempts by default;
 *  - checksums only when an operation requires them, so S3-compatible servers that do not
 *    accept aws-chunked trailing checksums work (real S3 accepts both);
 *  - path-style addressing for custom endpoints;
 *  - credentials from the library's one default chain (shared/credentials.ts) unless given;
 *  - a per-attempt timeout (shared/timeouts.ts), attempts that time out capped, and failures that
 *    carry their operation, resource and access key (shared/errors.ts classifies them);
 *  - request counting for reports (requests made, retries).
 */
export function createS3Client(opts: S3ClientOptions): S3Client {
  const timeoutMs = opts.requestTimeoutMs ?? requestTimeoutMs();
  const withDefaults: S3ClientOptions = {
    ...opts,
    credentials: opts.credentials ?? defaultCredentials(),
    requestTimeoutMs: timeoutMs,
  };
  const client = new S3Client({
    region: opts.region,
    endpoint: opts.endpoint,
    forcePathStyle: opts.endpoint !== undefined,
    maxAttempts: opts.maxAttempts ?? 10,
    retryMode: 'standard',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    credentials: withDefaults.credentials,
    requestHandler: requestHandlerOptions(timeoutMs),
    logger: SILENT,
  });
  addFailureContext(client, 's3', timeoutMs);
  registerClientSettings(client, withDefaults);
  const stats = opts.stats;
  if (stats) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        stats.operations++;
        const name = context.commandName ?? 'unknown';
        stats.byOperation[name] ??= 0;
        return next(args);
      },
      { step: 'initialize', name: 'cdkS3DrCountOperations' },
    );
    // The deserialize step sits below the retry middleware: it runs once per HTTP attempt.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        stats.requests++;
        const name = context.commandName ?? 'unknown';
        stats.byOperation[name] = (stats.byOperation[name] ?? 0) + 1;
        return next(args);
      },
      { step: 'deserialize', name: 'cdkS3DrCountRequests' },
    );
  }
  return client;
}
