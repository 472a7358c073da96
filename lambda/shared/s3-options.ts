import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * What a client for one side is made of, kept apart from the SDK client itself so that code
 * which only needs the settings (the raw signed requests of the audit) does not load the SDK.
 */

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
  /** @default - the SDK's default credential chain */
  readonly credentials?: AwsCredentialIdentityProvider;
  /** Milliseconds one attempt may wait for an answer. @default - the process setting (shared/timeouts.ts) */
  readonly requestTimeoutMs?: number;
}

const settings = new WeakMap<S3Client, S3ClientOptions>();

/** Records the options a client was made with (by `createS3Client`). */
export function registerClientSettings(client: S3Client, options: S3ClientOptions): void {
  settings.set(client, options);
}

/** The options a client was made with by `createS3Client` (for the raw request path). */
export function clientSettings(client: S3Client): S3ClientOptions | undefined {
  return settings.get(client);
}
