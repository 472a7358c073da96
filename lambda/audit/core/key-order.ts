/**
 * S3 returns keys in UTF-8 binary order. JavaScript compares strings by UTF-16 code units,
 * which agrees with UTF-8 byte order except between a surrogate pair (a character above
 * U+FFFF, UTF-16 0xD800-0xDFFF) and a BMP character from U+E000 to U+FFFF: UTF-8 puts the
 * surrogate pair after, UTF-16 puts it before. Comparing code units with that range remapped
 * gives code point order, which is UTF-8 byte order.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) return remap(x) - remap(y);
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Surrogates (0xD800-0xDFFF) move above 0xE000-0xFFFF; the order inside each range is kept. */
function remap(c: number): number {
  return c >= 0xe000 ? c - 0x800 : c + 0x2000;
}

/** Sorts a copy of `keys` in S3 order. */
export function sortKeys(keys: Iterable<string>): string[] {
  return [...keys].sort(compareKeys);
}

/** Index of the first of `keys` (sorted in S3 order) after `after`; 0 when `after` is undefined. */
export function firstAfter(keys: readonly string[], after: string | undefined): number {
  if (after === undefined) return 0;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (compareKeys(keys[m], after) <= 0) lo = m + 1;
    else hi = m;
  }
  return lo;
}
