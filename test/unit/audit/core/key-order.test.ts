import { compareKeys, firstAfter, sortKeys } from '../../../../lambda/audit/core';

const utf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('compareKeys', () => {
  test('orders a surrogate pair after a BMP character above U+E000, as UTF-8 bytes do', () => {
    const astral = 'k/\u{1F600}'; // UTF-16 D83D DE00, UTF-8 F0 9F 98 80
    const privateUse = 'k/\uE000'; // UTF-8 EE 80 80
    const fffd = 'k/\uFFFD';
    expect(astral < privateUse).toBe(true); // JavaScript's order is wrong for S3
    expect(compareKeys(astral, privateUse)).toBeGreaterThan(0);
    expect(compareKeys(privateUse, astral)).toBeLessThan(0);
    expect(compareKeys(fffd, astral)).toBeLessThan(0);
    expect(sortKeys([astral, fffd, privateUse, 'k/a'])).toEqual(['k/a', privateUse, fffd, astral]);
  });

  test('agrees with UTF-8 byte order on a mixed set', () => {
    const keys = [
      '',
      'a',
      'a/',
      'a/b',
      'ab',
      'Z',
      '~',
      '\u00e9',
      '\u07ff',
      '\u0800',
      '\uD7FF',
      '\uE000',
      '\uFFFF',
      '\u{10000}',
      '\u{10FFFF}',
      'a\u{1F600}b',
      'a\uFFFDb',
      '\u{1F600}',
      '\u{1F601}',
      '\u{20000}',
    ];
    for (const a of keys) for (const b of keys) expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(utf8(a, b)));
  });

  test('is zero only for equal keys and orders a prefix first', () => {
    expect(compareKeys('abc', 'abc')).toBe(0);
    expect(compareKeys('ab', 'abc')).toBeLessThan(0);
    expect(compareKeys('abc', 'ab')).toBeGreaterThan(0);
  });
});

test('firstAfter finds the first key after a start in S3 order, by binary search', () => {
  const keys = sortKeys(['a', 'b/1', 'b/2', '\uE000', '\u{1F600}']);
  expect(firstAfter(keys, undefined)).toBe(0);
  expect(firstAfter(keys, 'b/1')).toBe(2);
  expect(firstAfter(keys, 'b0')).toBe(3);
  // U+1F600 sorts after U+E000 in UTF-8 (before it in UTF-16).
  expect(keys[firstAfter(keys, '\uE000')]).toBe('\u{1F600}');
  expect(firstAfter(keys, '\u{1F600}')).toBe(5);
});
