/**
 * The request context as the engine reads it: key names lower-cased once (condition keys and
 * the tag-key part of `aws:*Tag/` keys are case-insensitive), values as strings, a list for a
 * multivalued key.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
 */
import type { ContextValue } from './types.js';

export type CtxValue = string | string[];
export type Ctx = Record<string, CtxValue | undefined>;

export function prepareContext(context: Record<string, ContextValue | undefined> | undefined): Ctx {
  const out: Ctx = Object.create(null) as Ctx;
  if (!context) return out;
  for (const key in context) {
    const v = context[key];
    if (v === undefined || v === null) continue;
    const lk = key.toLowerCase();
    if (out[lk] !== undefined) continue; // first spelling wins
    out[lk] = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v : String(v);
  }
  return out;
}

/** Single-valued lookup for policy variables: multivalued keys cannot be variables. */
export function singleValue(ctx: Ctx, lowerKey: string): string | undefined {
  const v = ctx[lowerKey];
  return typeof v === 'string' ? v : undefined;
}
