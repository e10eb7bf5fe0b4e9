/**
 * Policy variables: `${aws:username}`, defaults `${aws:PrincipalTag/team, 'none'}`, and the escapes
 * `${*}`, `${?}`, `${$}`. Only recognised with Version 2012-10-17; otherwise `${...}` is text.
 * A variable whose key has no (single) value leaves the whole value unresolved: it matches nothing.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
import { escapeRegex, globSource } from './wildcard.js';

export type TemplatePart =
  | { t: 'text'; s: string } // may hold wildcards
  | { t: 'lit'; s: string } // an escape: literal `*`, `?` or `$`
  | { t: 'var'; key: string; raw: string; def?: string };

export type Template = TemplatePart[];

/** Looks a single-valued context key up (by its spelling and lower-cased), and records misses. */
export interface VariableEnv {
  single(key: string, lowerKey: string): string | undefined;
  missing(name: string): void;
}

const VAR_RE = /\$\{([^}]*)\}/g;
const DEFAULT_RE = /^([^,]+?)\s*,\s*'([^']*)'\s*$/;

/** Parse a value into a template, or undefined when it holds no variable or escape. */
export function parseTemplate(value: string): Template | undefined {
  if (!value.includes('${')) return undefined;
  const parts: Template = [];
  let last = 0;
  let any = false;
  for (const m of value.matchAll(VAR_RE)) {
    const inner = (m[1] as string).trim();
    const at = m.index as number;
    let part: TemplatePart | undefined;
    if (inner === '*' || inner === '?' || inner === '$') part = { t: 'lit', s: inner };
    else if (inner.length > 0) {
      const d = DEFAULT_RE.exec(inner);
      const key = (d ? (d[1] as string) : inner).trim();
      if (key.length > 0 && !/\s/.test(key)) {
        part = d ? { t: 'var', key: key.toLowerCase(), raw: key, def: d[2] as string } : { t: 'var', key: key.toLowerCase(), raw: key };
      }
    }
    if (!part) continue; // not a variable: stays text
    if (at > last) parts.push({ t: 'text', s: value.slice(last, at) });
    parts.push(part);
    last = at + m[0].length;
    any = true;
  }
  if (!any) return undefined;
  if (last < value.length) parts.push({ t: 'text', s: value.slice(last) });
  return parts;
}

export function templateVariables(t: Template): string[] {
  return t.flatMap((p) => (p.t === 'var' ? [p.raw] : []));
}

/** Resolve to plain text (wildcards in text parts stay as written). */
export function resolveText(t: Template, env: VariableEnv): string | undefined {
  let out = '';
  for (const p of t) {
    if (p.t === 'var') {
      const v = env.single(p.raw, p.key) ?? p.def;
      if (v === undefined) {
        env.missing(p.raw);
        return undefined;
      }
      out += v;
    } else out += p.s;
  }
  return out;
}

/**
 * Resolve to a regular-expression source for wildcard matching: wildcards in text parts are
 * wildcards; escapes and variable values are literal.
 */
export function resolveGlobSource(
  t: Template,
  env: VariableEnv,
  anyRun?: string,
  oneChar?: string,
): string | undefined {
  let out = '';
  for (const p of t) {
    if (p.t === 'text') out += globSource(p.s, anyRun, oneChar);
    else if (p.t === 'lit') out += escapeRegex(p.s);
    else {
      const v = env.single(p.raw, p.key) ?? p.def;
      if (v === undefined) {
        env.missing(p.raw);
        return undefined;
      }
      out += escapeRegex(v);
    }
  }
  return out;
}
