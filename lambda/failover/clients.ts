import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SSMClient } from '@aws-sdk/client-ssm';

/** Static credentials (tests, the CLI with explicit keys). */
export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Options shared by the control-plane clients of the failover controller. */
export interface ControlClientOptions {
  readonly region: string;
  /** A custom endpoint (tests). */
  readonly endpoint?: string;
  /** Explicit credentials; by default the SDK's provider chain. */
  readonly credentials?: StaticCredentials;
  /** Attempts per operation, first included. @default 3: a region that does not answer should not hold up the next. */
  readonly maxAttempts?: number;
}

function common(opts: ControlClientOptions) {
  return {
    region: opts.region,
    maxAttempts: opts.maxAttempts ?? 3,
    retryMode: 'standard' as const,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  };
}

export function createSsmClient(opts: ControlClientOptions): SSMClient {
  return new SSMClient({ ...common(opts), ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });
}

export function createCloudWatchClient(opts: ControlClientOptions): CloudWatchClient {
  return new CloudWatchClient({ ...common(opts), ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });
}

/**
 * S3 Control prefixes the account id to the host name ({account}.s3-control...). A custom
 * endpoint is used verbatim instead (the account id still goes in the x-amz-account-id header).
 */
export function createS3ControlClient(opts: ControlClientOptions): S3ControlClient {
  const endpoint = opts.endpoint;
  return new S3ControlClient({
    ...common(opts),
    ...(endpoint ? { disableHostPrefix: true, endpointProvider: () => ({ url: new URL(endpoint) }) } : {}),
  });
}
