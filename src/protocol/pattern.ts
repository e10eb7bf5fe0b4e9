/**
 * The models' `pattern` traits are Java regular expressions that AWS applies with
 * `Matcher.matches()`: the whole value must match. JavaScript's `u` mode reads them the same way
 * (code points, `\p{L}`, `\uXXXX` taking exactly four digits, so STS's `\u10000-\u10FFFF`
 * is `\u1000`, `0-\u10FF`, `F`, `F` in both and rejects supplementary characters, as AWS does),
 * after two translations: identity escapes of non-syntax punctuation (STS `federatedIdType`
 * `\:`) are an error under `u`, and a leading `(?s)` (CloudTrail `QueryStatement`) is the `s` flag.
 */

const cache = new Map<string, RegExp>();

/** The model pattern as a JavaScript RegExp matching whole strings. */
export function compilePattern(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  let source = pattern;
  let flags = 'u';
  if (source.startsWith('(?s)')) {
    source = source.slice(4);
    flags += 's';
  }
  // `\X` with X a punctuation character that is not regex syntax means X itself in Java.
  source = source.replace(/\\(.)/gsu, (all, ch: string) => (/[^A-Za-z0-9^$\\.*+?()[\]{}|/-]/u.test(ch) ? ch : all));
  re = new RegExp(`^(?:${source})$`, flags);
  cache.set(pattern, re);
  return re;
}

/** Length as AWS counts it for `min`/`max` on strings: Unicode code points, not UTF-16 units. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
