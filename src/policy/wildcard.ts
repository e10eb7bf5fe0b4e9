/**
 * `*` / `?` wildcard matching, compiled once per pattern into the cheapest test that is exact:
 * equality, prefix, suffix, or an anchored regular expression.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
 */

export type Matcher = (s: string) => boolean;

const always: Matcher = () => true;
const REGEX_SPECIAL = /[.+^${}()|[\]\\*?]/g;

export function escapeRegex(s: string): string {
  return s.replace(REGEX_SPECIAL, '\\$&');
}

export function hasWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

/** Regex source for a glob: `*` → any run, `?` → one char; `anyRun`/`oneChar` say which chars they may span. */
export function globSource(pattern: string, anyRun = '[\\s\\S]*', oneChar = '[\\s\\S]'): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '*') out += anyRun;
    else if (ch === '?') out += oneChar;
    else out += escapeRegex(ch);
  }
  return out;
}

/** Compile a glob over the whole string. `*` and `?` span every character, as in StringLike. */
export function compileGlob(pattern: string): Matcher {
  if (pattern === '*') return always;
  if (!hasWildcard(pattern)) return (s) => s === pattern;
  const star = pattern.indexOf('*');
  if (!pattern.includes('?') && star === pattern.length - 1 && pattern.indexOf('*') === pattern.lastIndexOf('*')) {
    const prefix = pattern.slice(0, -1);
    return (s) => s.startsWith(prefix);
  }
  if (!pattern.includes('?') && star === 0 && pattern.lastIndexOf('*') === 0) {
    const suffix = pattern.slice(1);
    return (s) => s.endsWith(suffix);
  }
  const re = new RegExp(`^${globSource(pattern)}$`);
  return (s) => re.test(s);
}

/** Combine several matchers into one OR, folding exact values into a Set lookup. */
export function anyOf(patterns: readonly string[], compile: (p: string) => Matcher = compileGlob): Matcher {
  if (patterns.includes('*')) return always;
  const exact = new Set<string>();
  const others: Matcher[] = [];
  for (const p of patterns) {
    if (hasWildcard(p)) others.push(compile(p));
    else exact.add(p);
  }
  if (others.length === 0) {
    if (exact.size === 1) {
      const only = exact.values().next().value as string;
      return (s) => s === only;
    }
    return (s) => exact.has(s);
  }
  if (exact.size === 0 && others.length === 1) return others[0] as Matcher;
  return (s) => {
    if (exact.has(s)) return true;
    for (let i = 0; i < others.length; i++) if ((others[i] as Matcher)(s)) return true;
    return false;
  };
}
