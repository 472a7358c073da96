import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { versionEntries } from '../../../lambda/shared/listing';
import { isNetworkError, isUnreachable, NETWORK_ERROR_CODES } from '../../../lambda/shared/network-errors';

describe('lambda/shared', () => {
  test('imports nothing from a handler folder', () => {
    const dir = join(__dirname, '../../../lambda/shared');
    const upward = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        [...readFileSync(join(dir, f), 'utf8').matchAll(/from '(\.\.\/[^']+)'/g)].map((m) => `${f}: ${m[1]}`),
      );
    expect(upward).toEqual([]);
  });

  test('the SDK listing gives the raw path entries: ETags without quotes, times in ms, markers last', () => {
    const entries = versionEntries({
      $metadata: {},
      Versions: [{ Key: 'a', VersionId: 'v1', IsLatest: true, Size: 3, ETag: '"abc"', LastModified: new Date(5) }],
      DeleteMarkers: [{ Key: 'b', VersionId: 'm1', IsLatest: true, LastModified: new Date(7) }],
    });
    expect(entries).toEqual([
      { key: 'a', versionId: 'v1', isLatest: true, size: 3, etag: 'abc', lastModified: 5, isDeleteMarker: false },
      { key: 'b', versionId: 'm1', isLatest: true, size: 0, lastModified: 7, isDeleteMarker: true },
    ]);
  });

  test('network errors are recognised by code, by message, and through causes', () => {
    expect(NETWORK_ERROR_CODES.has('ECONNRESET')).toBe(true);
    expect(isNetworkError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isNetworkError(new Error('socket hang up'))).toBe(true);
    expect(isNetworkError(Object.assign(new Error('denied'), { name: 'AccessDenied' }))).toBe(false);
    const wrapped = new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'EHOSTUNREACH' }) });
    expect(isUnreachable(wrapped)).toBe(true);
    expect(isUnreachable({ $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isUnreachable({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } })).toBe(false);
  });
});
