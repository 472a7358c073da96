import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SSMClient } from '@aws-sdk/client-ssm';
import { addFailureContext, requestHandlerOptions } from '../shared/client-middleware';
import { defaultCredentials } from '../shared/credentials';
import { requestTimeoutMs } from '../shared/timeouts';

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
    credentials: opts.credentials ?? defaultCredentials(),
    requestHandler: requestHandlerOptions(requestTimeoutMs()),
  };
}

/** The library's failure context and timeout cap on a control-plane client. */
function withContext<C extends Parameters<typeof addFailureContext>[0]>(client: C, service: string): C {
  addFailureContext(client, service, requestTimeoutMs());
  return client;
}

export function createSsmClient(opts: ControlClientOptions): SSMClient {
  return withContext(new SSMClient({ ...common(opts), ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) }), 'ssm');
}

export function createCloudWatchClient(opts: ControlClientOptions): CloudWatchClient {
  return withContext(
    new CloudWatchClient({ ...common(opts), ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) }),
    'monitoring',
  );
}

/**
 * S3 Control prefixes the account id to the host name ({account}.s3-control...). A custom
 * endpoint is used verbatim instead (the account id still goes in the x-amz-account-id header).
 */
export function createS3ControlClient(opts: ControlClientOptions): S3ControlClient {
  const endpoint = opts.endpoint;
  return withContext(
    new S3ControlClient({
      ...common(opts),
      ...(endpoint ? { disableHostPrefix: true, endpointProvider: () => ({ url: new URL(endpoint) }) } : {}),
    }),
    's3',
  );
}
