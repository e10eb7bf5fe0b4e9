/**
 * Bool: compares with "true" / "false" (case-insensitive). Binary: BinaryEquals compares bytes of
 * base-64 values.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals
 *
 * Policy variables in Bool: the operators page allows them, the variables page does not. We follow
 * the variables page (values are literal), so a Bool value is only ever "true" or "false".
 */
import type { FamilyCompiler } from './types.js';

export const compileBool: FamilyCompiler = (base, values) => {
  if (base !== 'Bool') return { error: base };
  let t = false;
  let f = false;
  for (const v of values) {
    const l = v.toLowerCase();
    if (l === 'true') t = true;
    else if (l === 'false') f = true;
    else return { error: v };
  }
  return (s) => {
    if (s.length === 4 && t) return s.toLowerCase() === 'true';
    if (s.length === 5 && f) return s.toLowerCase() === 'false';
    return false;
  };
};

const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Canonical bytes of a base-64 text (as a binary string), or undefined when it is not base 64. */
export function base64Bytes(s: string): string | undefined {
  const t = s.replace(/\s+/g, '');
  if (!B64_RE.test(t) || t.length % 4 === 1) return undefined;
  try {
    return atob(t);
  } catch {
    return undefined;
  }
}

export const compileBinary: FamilyCompiler = (base, values) => {
  if (base !== 'BinaryEquals') return { error: base };
  const bytes = new Set<string>();
  for (const v of values) {
    const b = base64Bytes(v);
    if (b === undefined) return { error: v };
    bytes.add(b);
  }
  return (s) => {
    const b = base64Bytes(s);
    return b !== undefined && bytes.has(b);
  };
};
