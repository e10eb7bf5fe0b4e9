/**
 * The request context as the engine reads it. Condition key names (and the tag-key part of
 * `aws:*Tag/` keys) are case-insensitive: a key is first looked up as the policy spells it, and
 * only when that misses, in a lower-cased index built on first need. Values are strings, or a list
 * of strings for a multivalued key.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
 */
import type { ContextValue } from './types.js';

export type CtxValue = string | string[];

function normalize(v: unknown): CtxValue | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
      return String(v);
    case 'object':
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return v.filter((x) => x !== null && x !== undefined).map(String);
        return v as string[];
      }
      return undefined;
    default:
      return undefined;
  }
}

export class RequestContext {
  private lower: Map<string, unknown> | undefined;
  /**
   * `resourceAccount`: the account that owns the request's resource, the value of
   * `aws:ResourceAccount` unless the context sets that key itself ("always included in the
   * request context for most service actions":
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceaccount).
   */
  constructor(
    private readonly raw: Readonly<Record<string, ContextValue | undefined>> | undefined,
    private readonly resourceAccount?: string,
  ) {}

  /** The value of a key, by its spelling in the policy and its lower-cased form. */
  get(key: string, lowerKey: string): CtxValue | undefined {
    const v = this.given(key, lowerKey);
    if (v === undefined && lowerKey === 'aws:resourceaccount') return this.resourceAccount;
    return v;
  }

  private given(key: string, lowerKey: string): CtxValue | undefined {
    const raw = this.raw;
    if (raw === undefined) return undefined;
    const direct = normalize(raw[key]);
    if (direct !== undefined && Object.prototype.hasOwnProperty.call(raw, key)) return direct;
    let idx = this.lower;
    if (idx === undefined) {
      idx = new Map();
      for (const k in raw) if (Object.prototype.hasOwnProperty.call(raw, k)) {
        const lk = k.toLowerCase();
        if (!idx.has(lk) && raw[k] !== undefined && raw[k] !== null) idx.set(lk, raw[k]);
      }
      this.lower = idx;
    }
    return normalize(idx.get(lowerKey));
  }

  /** Single-valued lookup for policy variables: multivalued keys cannot be variables. */
  single(key: string, lowerKey: string): string | undefined {
    const v = this.get(key, lowerKey);
    return typeof v === 'string' ? v : undefined;
  }
}
