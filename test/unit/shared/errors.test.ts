import {
  accessErrorFrom,
  annotateError,
  describeError,
  errorCodeOf,
  errorNameOf,
  httpStatusOf,
  IncompleteError,
  isNotFound,
  isPreconditionFailed,
  serviceFailure,
} from '../../../lambda/shared/errors';
import { nearestKey } from '../../../lambda/failover/core/config';

function sdkError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

describe('serviceFailure sorts every failure into access (exit 4) or unavailable (exit 3)', () => {
  test.each([
    ['AccessDenied', sdkError('AccessDenied', 403), 'access'],
    ['InvalidAccessKeyId', sdkError('InvalidAccessKeyId', 403), 'access'],
    ['SignatureDoesNotMatch', sdkError('SignatureDoesNotMatch', 403), 'access'],
    ['ExpiredToken', sdkError('ExpiredToken', 400), 'access'],
    ['KMS access denied', sdkError('KMS.AccessDeniedException', 403), 'access'],
    ['NoSuchBucket', sdkError('NoSuchBucket', 404), 'access'],
    ['PermanentRedirect (another region)', sdkError('PermanentRedirect', 301), 'access'],
    [
      'no credentials',
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      'access',
    ],
    ['HEAD 403 without a body', sdkError('Forbidden', 403), 'access'],
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      'unavailable',
    ],
    ['500 without a body', sdkError('Http500', 500, ''), 'unavailable'],
    ['SlowDown after retries', sdkError('SlowDown', 503), 'unavailable'],
    ['a timeout', sdkError('TimeoutError', 0, 'socket timed out'), 'unavailable'],
  ])('%s', (_name, err, kind) => {
    expect(serviceFailure(err)?.kind).toBe(kind);
    // Wrapped as a cause (as the audit and drill wrap them), the same kind.
    expect(serviceFailure(new IncompleteError('x', 'y', undefined, { cause: err }))?.kind).toBe(kind);
  });

  test('a bug is neither', () => {
    expect(serviceFailure(new TypeError('x is not a function'))).toBeUndefined();
  });
});

describe('messages', () => {
  test('a permission failure names the principal, the action and the resource, and the fix', () => {
    const err = sdkError('AccessDenied', 403, 'Access Denied');
    annotateError(err, { operation: 'ListObjectVersionsCommand', resource: 'orders', principal: 'AKIAEXAMPLE' });
    const a = accessErrorFrom(serviceFailure(err)!);
    expect(a.message).toBe(
      'permission or configuration problem: AccessDenied (HTTP 403) for s3:ListBucketVersions on orders as access key AKIAEXAMPLE',
    );
    expect(a.next).toMatch(
      /^grant \(access key AKIAEXAMPLE\) s3:ListBucketVersions on orders in an IAM policy, the bucket policy/,
    );
    expect(a.exitCode).toBe(4);
  });

  test('a 500 without a body is described in words, never "Http500: Http500"', () => {
    expect(describeError(sdkError('Http500', 500, 'Http500'))).toBe(
      'HTTP 500 Internal Server Error from the server, with no error details',
    );
  });

  test('the nearest known key of a typo, and none for a word far from every key', () => {
    expect(nearestKey('mdoe', ['plan', 'mode', 'source'])).toBe('mode');
    expect(nearestKey('cooldownMinuts', ['cooldownMinutes', 'periodSeconds'])).toBe('cooldownMinutes');
    expect(nearestKey('colour', ['plan', 'mode', 'source'])).toBeUndefined();
  });
});

describe('an error is told by its name or its HTTP status, whatever was thrown', () => {
  test('name and status are read from SDK errors, and are empty for anything else', () => {
    expect(errorNameOf(sdkError('NoSuchKey', 404))).toBe('NoSuchKey');
    expect(httpStatusOf(sdkError('NoSuchKey', 404))).toBe(404);
    for (const thrown of [undefined, null, 'a string', 42, new Error('plain')]) {
      expect(httpStatusOf(thrown)).toBeUndefined();
      expect(isNotFound(thrown)).toBe(false);
      expect(isPreconditionFailed(thrown)).toBe(false);
    }
    expect(errorNameOf(undefined)).toBe('');
    expect(errorNameOf(new Error('plain'))).toBe('Error');
  });

  test('not found: a GET (NoSuchKey), a HEAD (NotFound), or a bare 404; not a denial', () => {
    expect(isNotFound(sdkError('NoSuchKey', 404))).toBe(true);
    expect(isNotFound(sdkError('NotFound', 404))).toBe(true);
    expect(isNotFound(sdkError('Http404', 404))).toBe(true);
    expect(isNotFound(sdkError('AccessDenied', 403))).toBe(false);
  });

  test("the code: the service's Code where the client kept it, else the name; '' for a bare value", () => {
    expect(errorCodeOf(Object.assign(sdkError('NotFoundException', 404), { Code: 'NoSuchJob' }))).toBe('NoSuchJob');
    expect(errorCodeOf(sdkError('NotFoundException', 404))).toBe('NotFoundException');
    expect(
      errorCodeOf(Object.assign(new Error('Could not load credentials from any providers'), { name: 'Error' })),
    ).toBe('CredentialsProviderError');
    expect(errorCodeOf(undefined)).toBe('');
    expect(errorCodeOf(null)).toBe('');
  });

  test('a precondition that did not hold: PreconditionFailed, or a bare 412', () => {
    expect(isPreconditionFailed(sdkError('PreconditionFailed', 412))).toBe(true);
    expect(isPreconditionFailed(sdkError('Http412', 412))).toBe(true);
    expect(isPreconditionFailed(sdkError('NoSuchKey', 404))).toBe(false);
  });
});
