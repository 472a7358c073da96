import { embedsError, parseCopyObjectResult } from '../../../lambda/shared/raw-s3';

describe('CopyObject result documents', () => {
  test('reads the ETag with its entity-encoded quotes decoded', () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      '<LastModified>2026-11-21T10:00:00.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag></CopyObjectResult>';
    expect(parseCopyObjectResult(Buffer.from(body))).toEqual({
      etag: '"9b2cf535f27731c974343645a3985328"',
      lastModified: '2026-11-21T10:00:00.000Z',
    });
  });

  test('a document without the fields gives undefined fields, not a guess', () => {
    expect(parseCopyObjectResult('<CopyObjectResult/>')).toEqual({ etag: undefined, lastModified: undefined });
  });

  test('an error S3 embeds in a 200 answer is recognised, a result is not', () => {
    const error =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>';
    expect(embedsError(Buffer.from(error))).toBe(true);
    expect(embedsError(Buffer.from('<Error><Code>SlowDown</Code></Error>'))).toBe(true);
    expect(embedsError(Buffer.from('<?xml version="1.0"?><CopyObjectResult><ETag>x</ETag></CopyObjectResult>'))).toBe(
      false,
    );
  });
});
