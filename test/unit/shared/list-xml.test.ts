import {
  decodeUrlKey,
  decodeXmlText,
  parseListObjectsV2,
  parseListObjectVersions,
  peekListObjectsV2,
  listObjectsV2Entries,
} from '../../../lambda/shared/list-xml';

const v2 = (contents: string, tail = '<IsTruncated>false</IsTruncated>') =>
  `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType>${tail}${contents}</ListBucketResult>`;
const obj = (key: string, etag = '&quot;0cc175b9c0f1b6a831c399e269772661&quot;', size = 1) =>
  `<Contents><Key>${key}</Key><LastModified>2026-11-20T12:00:00.000Z</LastModified><ETag>${etag}</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;

describe('listing XML parser', () => {
  test('reads ListObjectsV2 entries, the truncation flag and the continuation token', () => {
    const page = parseListObjectsV2(
      v2(
        obj('a%2Fb', undefined, 5) + obj('c', '&quot;abc-2&quot;', 7),
        '<IsTruncated>true</IsTruncated><NextContinuationToken>tok+/=&amp;x</NextContinuationToken><KeyCount>2</KeyCount>',
      ),
    );
    expect(page.isTruncated).toBe(true);
    expect(page.nextContinuationToken).toBe('tok+/=&x');
    expect(page.entries).toEqual([
      {
        key: 'a/b',
        size: 5,
        etag: '0cc175b9c0f1b6a831c399e269772661',
        lastModified: Date.parse('2026-11-20T12:00:00.000Z'),
        versionId: undefined,
        isLatest: undefined,
        isDeleteMarker: false,
      },
      {
        key: 'c',
        size: 7,
        etag: 'abc-2',
        lastModified: Date.parse('2026-11-20T12:00:00.000Z'),
        versionId: undefined,
        isLatest: undefined,
        isDeleteMarker: false,
      },
    ]);
  });

  test('finds the page fields wherever the server puts them (after the entries)', () => {
    const xml = v2(obj('k'), '').replace(
      '</ListBucketResult>',
      '<IsTruncated>true</IsTruncated><NextContinuationToken>t2</NextContinuationToken></ListBucketResult>',
    );
    const page = parseListObjectsV2(xml);
    expect(page).toMatchObject({ isTruncated: true, nextContinuationToken: 't2' });
  });

  test('peeks at what the next request needs (truncation, token, last key) without the entries', () => {
    const body = v2(
      obj('a') + obj('z%2Flast+key'),
      '<IsTruncated>true</IsTruncated><NextContinuationToken>t&amp;3</NextContinuationToken>',
    );
    expect(peekListObjectsV2(body)).toEqual({ isTruncated: true, nextContinuationToken: 't&3', lastKey: 'z/last key' });
    const page = parseListObjectsV2(body);
    expect(page.entries[page.entries.length - 1].key).toBe(peekListObjectsV2(body).lastKey);
    expect(peekListObjectsV2(v2(''))).toEqual({
      isTruncated: false,
      nextContinuationToken: undefined,
      lastKey: undefined,
    });
    expect(() => peekListObjectsV2('<Error><Code>SlowDown</Code></Error>')).toThrow(/not a ListBucketResult/);
  });

  test('parses the bytes received exactly as their text, multi-byte UTF-8 included', () => {
    const text = v2(
      obj('caf\u00e9/\u4e2d\u{1F600}') + obj('%F0%9F%98%80') + obj('z'),
      '<IsTruncated>true</IsTruncated><NextContinuationToken>\u00e9t&amp;</NextContinuationToken>',
    );
    const bytes = Buffer.from(text, 'utf8');
    expect(bytes.length).toBeGreaterThan(text.length); // offsets differ: bytes are searched as bytes
    expect(parseListObjectsV2(bytes)).toEqual(parseListObjectsV2(text));
    expect(parseListObjectsV2(bytes).entries.map((e) => e.key)).toEqual([
      'caf\u00e9/\u4e2d\u{1F600}',
      '\u{1F600}',
      'z',
    ]);
    expect(peekListObjectsV2(bytes)).toEqual(peekListObjectsV2(text));
    expect(peekListObjectsV2(bytes).nextContinuationToken).toBe('\u00e9t&');
    expect(listObjectsV2Entries(bytes)).toEqual(parseListObjectsV2(text).entries);
  });

  test('decodes URL-encoded keys: spaces as "+", literal "+" as %2B, unicode, and XML entities', () => {
    expect(decodeUrlKey('a+b%2Bc')).toBe('a b+c');
    expect(decodeUrlKey('%F0%9F%98%80%2F%EE%80%80')).toBe('\u{1F600}/\uE000');
    expect(decodeUrlKey('x%26y')).toBe('x&y');
    expect(decodeXmlText('&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos; &#65;&#x42;')).toBe(`<a> & "b" 'c' AB`);
    const page = parseListObjectsV2(v2(obj('sp+ace%2Bplus')));
    expect(page.entries[0].key).toBe('sp ace+plus');
  });

  test('an entry without VersionId does not look into later entries for one', () => {
    const xml = `<ListVersionsResult><IsTruncated>false</IsTruncated><Version><Key>a</Key><VersionId>v1</VersionId><IsLatest>true</IsLatest><LastModified>2026-11-20T12:00:00.000Z</LastModified><ETag>&quot;e&quot;</ETag><Size>3</Size></Version></ListVersionsResult>`;
    expect(parseListObjectVersions(xml).entries[0].versionId).toBe('v1');
    const v2page = parseListObjectsV2(v2(obj('a') + obj('b')));
    expect(v2page.entries.map((e) => e.versionId)).toEqual([undefined, undefined]);
  });

  test('reads ListObjectVersions in document order, delete markers included, with decoded markers', () => {
    const xml =
      `<ListVersionsResult><Name>b</Name><KeyMarker></KeyMarker><NextKeyMarker>k%2B2</NextKeyMarker><NextVersionIdMarker>v&amp;3</NextVersionIdMarker><IsTruncated>true</IsTruncated><EncodingType>url</EncodingType>` +
      `<DeleteMarker><Key>k1</Key><VersionId>d1</VersionId><IsLatest>true</IsLatest><LastModified>2026-11-20T12:00:02.000Z</LastModified></DeleteMarker>` +
      `<Version><Key>k1</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest><LastModified>2026-11-20T12:00:01.000Z</LastModified><ETag>&quot;e1&quot;</ETag><Size>4</Size></Version>` +
      `</ListVersionsResult>`;
    const page = parseListObjectVersions(xml);
    // The next page starts after the last entry returned (its key and version id).
    expect(page).toMatchObject({ isTruncated: true, nextKeyMarker: 'k1', nextVersionIdMarker: 'v1' });
    expect(page.entries.map((e) => [e.key, e.versionId, e.isDeleteMarker, e.isLatest, e.etag, e.size])).toEqual([
      ['k1', 'd1', true, true, undefined, 0],
      ['k1', 'v1', false, false, 'e1', 4],
    ]);
  });

  test('a truncated page without entries falls back to the markers the server sent', () => {
    const xml = `<ListVersionsResult><NextKeyMarker>k9</NextKeyMarker><NextVersionIdMarker>v&amp;9</NextVersionIdMarker><IsTruncated>true</IsTruncated></ListVersionsResult>`;
    expect(parseListObjectVersions(xml)).toMatchObject({
      entries: [],
      nextKeyMarker: 'k9',
      nextVersionIdMarker: 'v&9',
    });
  });

  test('reads the CommonPrefixes of a listing by delimiter, decoded, and none without one', () => {
    const page = parseListObjectsV2(
      v2(
        obj('a') +
          '<CommonPrefixes><Prefix>b%2F</Prefix></CommonPrefixes><CommonPrefixes><Prefix>caf%C3%A9%2F</Prefix></CommonPrefixes>',
        '<IsTruncated>true</IsTruncated><Delimiter>%2F</Delimiter>',
      ),
    );
    expect(page.entries.map((e) => e.key)).toEqual(['a']);
    expect(page.commonPrefixes).toEqual(['b/', 'caf\u00e9/']);
    expect(parseListObjectsV2(v2(obj('a'))).commonPrefixes).toEqual([]);
  });

  test('rejects a body that is not a listing', () => {
    expect(() => parseListObjectsV2('<Error><Code>AccessDenied</Code></Error>')).toThrow(/not a ListBucketResult/);
    expect(() => parseListObjectVersions('<ListBucketResult/>')).toThrow(/not a ListVersionsResult/);
  });
});
