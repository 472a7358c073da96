/**
 * The one failure taxonomy of every command and handler, each with its own CLI exit code:
 *  - UsageError (2): the caller's event, options or URIs are wrong; nothing was done;
 *  - IncompleteError (3): the run could not complete because a service was unreachable or failing
 *    (refused or reset connections, timeouts, 5xx, throttling after retries) or a time budget was
 *    spent; `next` says what to do next, and a checkpoint may allow resuming;
 *  - AccessError (4): a service answered that the request is not allowed or cannot be served as
 *    configured (access denied, unknown or expired credentials, a bucket that does not exist or is
 *    in another region, a KMS key that refuses); the message names the principal when known, the
 *    action, the resource and what to fix;
 *  - OutputError (5): a local output (a report, the JSON Lines file, a checkpoint) could not be written;
 *  - anything else is a bug and surfaces as-is.
 * A run that completes and finds discrepancies or drill failures is not an error: exit 1.
 */
import { NETWORK_ERROR_CODES } from './network-errors';

export const EXIT_CODES = {
  ok: 0,
  findings: 1,
  usage: 2,
  incomplete: 3,
  access: 4,
  output: 5,
} as const;

export class UsageError extends Error {
  readonly exitCode = EXIT_CODES.usage;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export class IncompleteError extends Error {
  readonly exitCode = EXIT_CODES.incomplete;
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

export class AccessError extends Error {
  readonly exitCode = EXIT_CODES.access;
  constructor(
    message: string,
    /** What to change (a grant, the credentials, the region), in one sentence. */
    readonly next: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AccessError';
  }
}

export class OutputError extends Error {
  readonly exitCode = EXIT_CODES.output;
  constructor(
    message: string,
    readonly next: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OutputError';
  }
}

/** What the clients of this library attach to a failed request: the operation, resource and principal. */
export interface RequestContext {
  /** The SDK command name or the raw operation, e.g. ListObjectsV2Command. */
  readonly operation?: string;
  /** The service (s3, ssm, monitoring, kms). */
  readonly service?: string;
  /** The bucket, bucket/key, parameter or alarm the request was about. */
  readonly resource?: string;
  /** The access key id that signed the request. */
  readonly principal?: string;
}

const CONTEXT = Symbol.for('cdk-s3-dr.request-context');

/** Attaches what a failed request was (keeps what an inner layer attached first). */
export function annotateError(err: unknown, context: RequestContext): void {
  if (typeof err !== 'object' || err === null) return;
  const e = err as { [CONTEXT]?: RequestContext };
  e[CONTEXT] = { ...context, ...e[CONTEXT] };
}

export function requestContextOf(err: unknown): RequestContext | undefined {
  return typeof err === 'object' && err !== null ? (err as { [CONTEXT]?: RequestContext })[CONTEXT] : undefined;
}

/** The IAM action of an operation, for messages (S3, SSM, CloudWatch, S3 Control). */
const ACTIONS: Record<string, string> = {
  ListObjectsV2: 's3:ListBucket',
  ListObjects: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
  HeadBucket: 's3:ListBucket',
  HeadObject: 's3:GetObject (s3:GetObjectVersion for a version)',
  GetObject: 's3:GetObject (s3:GetObjectVersion for a version)',
  PutObject: 's3:PutObject',
  CopyObject: 's3:PutObject on the target and s3:GetObject(Version) on the copy source',
  DeleteObject: 's3:DeleteObject (s3:DeleteObjectVersion for a version)',
  DeleteObjects: 's3:DeleteObject and s3:DeleteObjectVersion',
  GetBucketVersioning: 's3:GetBucketVersioning',
  GetParameter: 'ssm:GetParameter',
  PutParameter: 'ssm:PutParameter',
  DescribeAlarms: 'cloudwatch:DescribeAlarms',
  GetMetricData: 'cloudwatch:GetMetricData',
  GetMultiRegionAccessPointRoutes: 's3:GetMultiRegionAccessPointRoutes',
  SubmitMultiRegionAccessPointRoutes: 's3:SubmitMultiRegionAccessPointRoutes',
  CreateJob: 's3:CreateJob (and iam:PassRole on the job role)',
  DescribeJob: 's3:DescribeJob',
  UpdateJobStatus: 's3:UpdateJobStatus',
};

export function actionOf(operation: string | undefined): string | undefined {
  if (!operation) return undefined;
  const op = operation.replace(/Command$/, '');
  return ACTIONS[op] ?? op;
}

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'Forbidden',
  'AllAccessDisabled',
  'AccountProblem',
  'UnauthorizedOperation',
  'KMS.AccessDeniedException',
  'KMS.DisabledException',
  'KMS.NotFoundException',
  'KMS.KMSInvalidStateException',
]);
const BAD_CREDENTIALS = new Set([
  'InvalidAccessKeyId',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'ExpiredToken',
  'ExpiredTokenException',
  'TokenRefreshRequired',
  'InvalidToken',
  'RequestExpired',
  'CredentialsProviderError',
]);
const WRONG_PLACE = new Set([
  'NoSuchBucket',
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
  'NoSuchMultiRegionAccessPoint',
]);
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimedOut',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ServiceUnavailable',
  'InternalError',
  'AbortError',
]);

export type FailureKind = 'access' | 'unavailable';

interface ServiceFailure {
  readonly kind: FailureKind;
  readonly code: string;
  readonly status?: number;
  readonly error: Error;
  readonly context?: RequestContext;
}

/**
 * The code a failure was answered with: the service's `Code` where the client kept it, else the
 * error's name; `CredentialsProviderError` for credentials that could not be loaded.
 */
export function errorCodeOf(err: unknown): string {
  const e = (err ?? {}) as { name?: string; Code?: string; message?: string };
  if (e.name === 'CredentialsProviderError' || /Could not load credentials from any providers/.test(e.message ?? ''))
    return 'CredentialsProviderError';
  return e.Code ?? e.name ?? '';
}

/**
 * The service failure inside `err` (itself or a cause), classified: 'access' for permissions and
 * configuration (403, bad or expired credentials, missing bucket, wrong region, KMS refusals),
 * 'unavailable' for unreachable or failing services. Undefined for anything else.
 */
export function serviceFailure(err: unknown): ServiceFailure | undefined {
  let context: RequestContext | undefined;
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const x = e as {
      name?: string;
      Code?: string;
      code?: string;
      message?: string;
      errors?: unknown[];
      cause?: unknown;
    };
    context = { ...requestContextOf(e), ...context };
    const code = errorCodeOf(x);
    const status = httpStatusOf(e);
    const ctx = Object.keys(context).length ? context : undefined;
    if (DENIED.has(code) || BAD_CREDENTIALS.has(code) || WRONG_PLACE.has(code) || code.startsWith('KMS.'))
      return { kind: 'access', code, status, error: e as Error, context: ctx };
    if (status === 403 || status === 401 || status === 301)
      return { kind: 'access', code: code || `Http${status}`, status, error: e as Error, context: ctx };
    if (
      UNAVAILABLE_NAMES.has(code) ||
      (x.code !== undefined && NETWORK_ERROR_CODES.has(x.code)) ||
      (status !== undefined && (status >= 500 || status === 429)) ||
      /socket hang up|timed out/i.test(x.message ?? '')
    )
      return { kind: 'unavailable', code: code || `Http${status}`, status, error: e as Error, context: ctx };
    if (Array.isArray(x.errors)) {
      for (const inner of x.errors) {
        const f = serviceFailure(inner);
        if (f) return f;
      }
    }
    e = x.cause;
  }
  return undefined;
}

/** What to fix for an access or configuration failure, in one sentence. */
function accessFix(code: string, action: string | undefined, resource: string | undefined, who: string): string {
  if (code === 'CredentialsProviderError')
    return 'no credentials were found: set AWS_PROFILE (shared config and credentials files, SSO), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is available';
  if (
    code === 'ExpiredToken' ||
    code === 'ExpiredTokenException' ||
    code === 'TokenRefreshRequired' ||
    code === 'RequestExpired'
  )
    return `the session credentials ${who} have expired: refresh them (aws sso login, or a new session) and run the command again`;
  if (code === 'SignatureDoesNotMatch' || code === 'InvalidSignatureException' || code === 'IncompleteSignature')
    return `the secret key does not match the access key ${who}: check the credentials (AWS_PROFILE or AWS_SECRET_ACCESS_KEY)`;
  if (BAD_CREDENTIALS.has(code))
    return `the access key ${who} is not known to this endpoint: check AWS_PROFILE or the keys, and the endpoint`;
  if (code === 'NoSuchBucket')
    return `the bucket${resource ? ` "${resource.split('/')[0]}"` : ''} does not exist at this endpoint and region: check its name, --*-region and --*-endpoint`;
  if (WRONG_PLACE.has(code) || code === 'Http301')
    return `the bucket${resource ? ` "${resource.split('/')[0]}"` : ''} is in another region: give its region with the matching --*-region option`;
  if (code.startsWith('KMS.'))
    return `the KMS key of the object or bucket refuses ${who}: grant kms:Decrypt (and kms:GenerateDataKey to write) in the key policy or an IAM policy`;
  const where = action?.startsWith('s3:') ? 'an IAM policy, the bucket policy or the KMS key policy' : 'an IAM policy';
  return `grant ${who} ${action ?? 'the action'}${resource ? ` on ${resource}` : ''} in ${where}, or use credentials that have it`;
}

/** A permissions or configuration failure as an AccessError naming principal, action, resource and fix. */
export function accessErrorFrom(f: ServiceFailure, what?: string): AccessError {
  const action = actionOf(f.context?.operation);
  const resource = f.context?.resource;
  const who = f.context?.principal ? `(access key ${f.context.principal})` : '(the caller)';
  const denied = [
    `${what ? `${what}: ` : ''}${f.code}${f.status ? ` (HTTP ${f.status})` : ''}`,
    action ? `for ${action}` : undefined,
    resource ? `on ${resource}` : undefined,
    f.context?.principal ? `as access key ${f.context.principal}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  const detail = describeError(f.error);
  return new AccessError(
    `permission or configuration problem: ${denied}${detail && !detail.startsWith(f.code + ':') ? ` (${detail})` : ''}`,
    accessFix(f.code, action, resource, who),
    { cause: f.error },
  );
}

const HTTP_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Short, printable description of any thrown value (as the service worded it; never `Http500: Http500`). */
export function describeError(err: unknown): string {
  if (err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err)) {
    const e = err as Error & { Code?: string; code?: string };
    const status = httpStatusOf(err);
    const bare =
      /^(Http\d{3}|UnknownError|Unknown)$/.test(e.name) &&
      (!e.message || e.message === e.name || e.message === 'UnknownError');
    if (bare && status) {
      return `HTTP ${status} ${HTTP_TEXT[status] ?? ''} from the server, with no error details`.replace('  ', ' ');
    }
    const code = e.Code ?? e.code;
    return code && !e.message.includes(code) ? `${e.name} (${code}): ${e.message}` : `${e.name}: ${e.message}`;
  }
  return String(err);
}

/** The HTTP status of a failed request, as the SDK and the raw S3 client record it. */
export function httpStatusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** The error's name: the code the service answered with (`NoSuchKey`), or '' for a value without one. */
export function errorNameOf(err: unknown): string {
  return (err as { name?: string } | undefined)?.name ?? '';
}

/** No such key: `NoSuchKey` for a GET, `NotFound` (a bare 404) for a HEAD. */
export function isNotFound(err: unknown): boolean {
  const name = errorNameOf(err);
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatusOf(err) === 404;
}

/** 412: a condition of the request (`If-Match`, `x-amz-copy-source-if-match`) did not hold. */
export function isPreconditionFailed(err: unknown): boolean {
  return errorNameOf(err) === 'PreconditionFailed' || httpStatusOf(err) === 412;
}
