/**
 * Candidate values for condition keys, built from the policies' own constants plus outsider
 * values: the raw material of the witness search. A constant with wildcards yields the strings it
 * matches with each wildcard filled in several ways (empty, a word, an outsider account id); a
 * numeric or date constant yields itself and its neighbours; an IP range yields an address inside
 * it; every key also gets "absent" and a value no policy mentions. Whether a candidate passes is
 * never decided here: the engine decides.
 */
import { parseOperator, type ContextValue, type Policy } from '../policy/index.js';
import { toEpochMs } from '../policy/conditions/date.js';
import { alwaysPresent, isMultiValued, keyType } from './keys.js';

/** Ordered candidate values of one key; `undefined` means "absent from the request context". */
export type Domain = Array<ContextValue | undefined>;

export type Family = 'string' | 'arn' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'null';

function familyOf(opName: string): Family {
  if (opName.startsWith('String')) return 'string';
  if (opName.startsWith('Arn')) return 'arn';
  if (opName.startsWith('Numeric')) return 'numeric';
  if (opName.startsWith('Date')) return 'date';
  if (opName === 'Bool') return 'bool';
  if (opName === 'BinaryEquals') return 'binary';
  if (opName.endsWith('IpAddress')) return 'ip';
  return 'null';
}

export const OUTSIDER_STRING = 'rolecall-outsider';
export const OUTSIDER_ORG = 'o-rolecalloutsider';
/** Stands for "the same value" where a condition compares one key with another through a policy variable. */
export const SHARED_VARIABLE_VALUE = 'rolecall-shared-value';
const OUTSIDER_IPV4 = '203.0.113.9';
const OUTSIDER_IPV6 = '2001:db8::9';
const MAX_DOMAIN = 40;

const VAR_RE = /\$\{([^}]*)\}/g;

/** Keys referenced as policy variables in a value (`${aws:username}` → `aws:username`), lower-cased. */
export function variableKeys(value: string): string[] {
  const out: string[] = [];
  for (const m of value.matchAll(VAR_RE)) {
    const inner = (m[1] as string).trim();
    if (inner === '*' || inner === '?' || inner === '$' || inner === '') continue;
    const key = inner.replace(/\s*,\s*'[^']*'\s*$/, '').trim();
    if (key && !/\s/.test(key)) out.push(key.toLowerCase());
  }
  return out;
}

/** A 12-digit account id matching an account-segment pattern (`1111*`, `11112222333?`), filled with `digit`. */
export function fillAccount(pattern: string, digit: string): string | undefined {
  if (!/^[0-9*?]*$/.test(pattern)) return undefined;
  const fixed = pattern.replace(/\*/g, '').length;
  const room = 12 - fixed;
  if (room < 0 || (room > 0 && !pattern.includes('*'))) return undefined;
  let first = true;
  const out = pattern.replace(/[*?]/g, (c) => {
    if (c === '?') return digit;
    if (first) {
      first = false;
      return digit.repeat(room);
    }
    return '';
  });
  return out.length === 12 ? out : undefined;
}

/** Six ARN segments out of a pattern, stretching a trailing `*` over missing segments (StringLike `arn:aws:iam::*`). */
function arnSegments(pattern: string): string[] | undefined {
  if (!pattern.startsWith('arn:')) return undefined;
  let segs = pattern.split(':');
  if (segs.length < 6) {
    let k = -1;
    for (let i = segs.length - 1; i >= 0; i--) if ((segs[i] as string).includes('*')) {
      k = i;
      break;
    }
    if (k < 0) return undefined;
    const stretched = [...segs.slice(0, k), (segs[k] as string).replace('*', '*' + ':*'.repeat(6 - segs.length)), ...segs.slice(k + 1)].join(':');
    segs = stretched.split(':');
    if (segs.length < 6) return undefined;
  }
  return [...segs.slice(0, 5), segs.slice(5).join(':')];
}

/**
 * Concrete ARNs a wildcard ARN pattern matches, with the account segment filled with the
 * outsider's digits (and kept when written out). `names` fill wildcards of the resource part.
 */
export function instantiateArn(pattern: string, outsider: string, names: string[] = ['rolecall-x', '']): string[] {
  const segs = arnSegments(pattern);
  if (!segs) return [];
  const [, partition, service, region, account, resource] = segs as [string, string, string, string, string, string];
  const q = (s: string, star: string) => s.replace(/\*/g, star).replace(/\?/g, 'x');
  const partitions = [q(partition, 'aws')];
  const services = /[*?]/.test(service) ? ['iam', 'sts'] : [service];
  const regions = /[*?]/.test(region) ? ['', 'us-east-1'] : [region];
  const accounts = new Set<string>();
  if (/[*?]/.test(account)) {
    for (const d of [outsider.charAt(0), '8']) {
      const a = fillAccount(account, d);
      if (a) accounts.add(a);
    }
    if (account === '*') accounts.add(outsider);
  } else accounts.add(account);
  const resources = new Set<string>();
  for (const n of names) resources.add(resource.replace(/\*/g, n).replace(/\?/g, 'x'));
  const out: string[] = [];
  for (const p of partitions) for (const s of services) for (const r of regions) for (const a of accounts) for (const res of resources) out.push(`arn:${p}:${s}:${r}:${a}:${res}`);
  return out;
}

/** Strings a String*Like pattern matches: wildcards as nothing, as a word, as the outsider account. */
function instantiateString(pattern: string, outsider: string): string[] {
  const out = new Set<string>();
  for (const star of ['', 'x', outsider, OUTSIDER_STRING]) out.add(pattern.replace(/\*/g, star).replace(/\?/g, 'x'));
  const digits = pattern.replace(/\*/g, outsider.charAt(0)).replace(/\?/g, outsider.charAt(0));
  out.add(digits);
  const acct = fillAccount(pattern, outsider.charAt(0));
  if (acct) out.add(acct);
  return [...out];
}

function neighboursNumeric(v: string): string[] {
  const n = Number(v);
  if (!Number.isFinite(n)) return [];
  return [String(n), String(n - 1), String(n + 1)];
}

function neighboursDate(v: string): string[] {
  const ms = toEpochMs(v);
  if (ms === undefined) return [];
  const iso = (t: number) => new Date(t).toISOString().replace(/\.000Z$/, 'Z');
  return [iso(ms), iso(ms - 1000), iso(ms + 1000)];
}

function ipInside(v: string): string[] {
  const addr = v.split('/')[0] ?? v;
  return [addr];
}

interface KeyFacts {
  name: string;
  lower: string;
  values: Map<string, Family>;
  multi: boolean;
}

/** The keys the policies read and the constants they compare them with. */
export class Universe {
  readonly keys = new Map<string, KeyFacts>();
  private readonly cache = new Map<string, Domain>();

  constructor(readonly outsider: string) {}

  /** Record every condition clause of a policy (and the keys its variables read). */
  add(policy: Policy): this {
    const variablesOn = policy.Version === '2012-10-17';
    for (const st of policy.Statement) {
      for (const c of st.Condition ?? []) {
        const op = parseOperator(c.operator);
        if (!op) continue;
        const facts = this.facts(c.key);
        if (op.qualifier) facts.multi = true;
        const family = familyOf(op.name);
        for (const v of c.values) {
          const refs = variablesOn ? variableKeys(v) : [];
          if (refs.length) {
            for (const r of refs) this.facts(r).values.set(SHARED_VARIABLE_VALUE, 'string');
            facts.values.set(v.replace(VAR_RE, SHARED_VARIABLE_VALUE), family);
          } else if (family !== 'null') facts.values.set(v, family);
        }
      }
    }
    this.cache.clear();
    return this;
  }

  /** The canonical spelling of a key as the policies write it. */
  spelling(lower: string): string {
    return this.keys.get(lower)?.name ?? lower;
  }

  private facts(key: string): KeyFacts {
    const lower = key.toLowerCase();
    let f = this.keys.get(lower);
    if (!f) {
      f = { name: key, lower, values: new Map(), multi: isMultiValued(lower) };
      this.keys.set(lower, f);
    }
    return f;
  }

  /** Ordered candidates for a key: absent first (unless it is always present), then constants, then outsiders. */
  domain(lower: string): Domain {
    const hit = this.cache.get(lower);
    if (hit) return hit;
    const f = this.keys.get(lower);
    const type = keyType(lower);
    const singles = new Set<string>();
    const add = (s: string | undefined) => {
      if (s !== undefined && singles.size < MAX_DOMAIN) singles.add(s);
    };
    if (type === 'bool') {
      add('true');
      add('false');
    }
    for (const [v, family] of f?.values ?? []) {
      switch (family) {
        case 'numeric':
          neighboursNumeric(v).forEach(add);
          break;
        case 'date':
          neighboursDate(v).forEach(add);
          break;
        case 'ip':
          ipInside(v).forEach(add);
          break;
        case 'bool':
          add(v.toLowerCase());
          break;
        case 'arn':
        case 'string':
          if (!/[*?]/.test(v)) add(v);
          else {
            if (v.startsWith('arn:')) instantiateArn(v, this.outsider).forEach(add);
            instantiateString(v, this.outsider).forEach(add);
          }
          break;
        default:
          add(v);
      }
    }
    // Values no policy mentions.
    switch (type) {
      case 'account':
        add(this.outsider);
        break;
      case 'arn':
        add(`arn:aws:iam::${this.outsider}:role/${OUTSIDER_STRING}`);
        break;
      case 'ip':
        add(OUTSIDER_IPV4);
        add(OUTSIDER_IPV6);
        break;
      case 'numeric':
        add('0');
        break;
      case 'date':
        add('2030-01-01T00:00:00Z');
        break;
      case 'bool':
        break;
      default:
        add(OUTSIDER_STRING);
    }
    const out: Domain = [];
    if (!alwaysPresent(lower)) out.push(undefined);
    if (f?.multi) {
      out.push([]);
      const list = [...singles];
      for (const s of list.slice(0, 12)) out.push([s]);
      if (list.length > 1) out.push([list[0] as string, OUTSIDER_STRING]);
    } else out.push(...singles);
    this.cache.set(lower, out);
    return out;
  }
}
