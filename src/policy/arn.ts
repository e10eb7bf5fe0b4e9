/**
 * ARN parsing and ARN-aware wildcard matching.
 * `arn:partition:service:region:account-id:resource`; wildcards match within one of the first five
 * colon-separated segments, and anywhere (including `/` and `:`) in the resource segment.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
 */
import { compileGlob, escapeRegex, globSource, hasWildcard, type Matcher } from './wildcard.js';
import { resolveGlobSource, type Template, type VariableEnv } from './variables.js';

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** Split an ARN into its six parts; the resource part keeps any further colons. */
export function parseArn(s: string): Arn | undefined {
  if (!s.startsWith('arn:')) return undefined;
  const parts: string[] = [];
  let from = 4;
  for (let i = 0; i < 4; i++) {
    const c = s.indexOf(':', from);
    if (c < 0) return undefined;
    parts.push(s.slice(from, c));
    from = c + 1;
  }
  return { partition: parts[0] as string, service: parts[1] as string, region: parts[2] as string, account: parts[3] as string, resource: s.slice(from) };
}

export function accountOfArn(s: string): string | undefined {
  if (!s.startsWith('arn:')) return undefined;
  let from = 4;
  for (let i = 0; i < 3; i++) {
    from = s.indexOf(':', from) + 1;
    if (from === 0) return undefined;
  }
  const end = s.indexOf(':', from);
  if (end - from !== 12) return undefined;
  for (let i = from; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return s.slice(from, end);
}

/** Regex source for an ARN pattern, segment-aware. Returns undefined when the pattern is not a six-part ARN. */
export function arnPatternSource(pattern: string): string | undefined {
  const a = parseArn(pattern);
  if (!a) return undefined;
  const seg = (p: string) => globSource(p, '[^:]*', '[^:]');
  return `arn:${seg(a.partition)}:${seg(a.service)}:${seg(a.region)}:${seg(a.account)}:${globSource(a.resource)}`;
}

/**
 * Matcher for a Resource element entry or an Arn* condition value.
 * A pattern that is not a six-part ARN is matched as a plain glob over the whole string
 * (IAM rejects such Resource entries on write; this keeps evaluation total).
 */
export function compileArnPattern(pattern: string): Matcher {
  if (pattern === '*') return () => true;
  if (!hasWildcard(pattern)) return (s) => s === pattern;
  const src = arnPatternSource(pattern);
  if (src === undefined) return compileGlob(pattern);
  const re = new RegExp(`^${src}$`);
  return (s) => re.test(s);
}

/** ArnLike/ArnEquals: the value must itself be a six-part ARN. */
export function compileArnCondition(pattern: string): Matcher {
  const m = compileArnPattern(pattern);
  return (s) => parseArn(s) !== undefined && m(s);
}

export { escapeRegex };

/**
 * Regex source for an ARN pattern holding policy variables: variable values are literal, wildcards
 * in the written text stay within their segment (the resource segment spans everything).
 */
export function resolveArnTemplateSource(
  t: Template,
  env: VariableEnv,
): string | undefined {
  const glob = resolveGlobSource(t, env, '\u0000', '\u0001');
  if (glob === undefined) return undefined;
  const colons: number[] = [];
  for (let i = 0; i < glob.length && colons.length < 5; i++) {
    if (glob[i] === '\\') i++;
    else if (glob[i] === ':') colons.push(i);
  }
  const any = (s: string) => s.replace(/\u0000/g, '[\\s\\S]*').replace(/\u0001/g, '[\\s\\S]');
  if (colons.length < 5 || !glob.startsWith('arn:')) return any(glob);
  const cut = colons[4] as number;
  return glob.slice(0, cut).replace(/\u0000/g, '[^:]*').replace(/\u0001/g, '[^:]') + any(glob.slice(cut));
}
