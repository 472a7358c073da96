import { S3Client } from '@aws-sdk/client-s3';

/** Where one side (source, replica, restore target) lives. */
export interface S3Side {
  /** AWS region, for signing and for the regional endpoint. */
  readonly region: string;
  /** A custom endpoint (an S3-compatible server); path-style addressing is then used. */
  readonly endpoint?: string;
}

/** Counts HTTP attempts (including retries) and logical operations made through clients. */
export class RequestStats {
  /** HTTP requests sent, retries included. */
  requests = 0;
  /** Logical SDK operations (one per command sent). */
  operations = 0;
  /** Requests per operation name, retries included (ListObjectsV2: 20, ...). */
  readonly byOperation: Record<string, number> = {};
  get retries(): number {
    return this.requests - this.operations;
  }
}

export interface S3ClientOptions extends S3Side {
  /** Attempts per operation, first included. @default 10 */
  readonly maxAttempts?: number;
  /** Shared counters; pass the same instance to every client of one run. */
  readonly stats?: RequestStats;
}

/**
 * The one place that knows how to build an S3 client for this library:
 *  - standard retry mode (exponential backoff with jitter, retries 503 SlowDown, throttles,
 *    timeouts and dropped connections), 10 attempts by default;
 *  - checksums only when an operation requires them, so S3-compatible servers that do not
 *    accept aws-chunked trailing checksums work (real S3 accepts both);
 *  - path-style addressing for custom endpoints;
 *  - request counting for reports (requests made, retries).
 */
const settings = new WeakMap<S3Client, S3ClientOptions>();

/** The options a client was made with by `createS3Client` (for the raw listing path). */
export function clientSettings(client: S3Client): S3ClientOptions | undefined {
  return settings.get(client);
}

export function createS3Client(opts: S3ClientOptions): S3Client {
  const client = new S3Client({
    region: opts.region,
    endpoint: opts.endpoint,
    forcePathStyle: opts.endpoint !== undefined,
    maxAttempts: opts.maxAttempts ?? 10,
    retryMode: 'standard',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  settings.set(client, opts);
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
