/**
 * Numeric operators: integer or decimal comparison. No policy variables.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
 */
import type { FamilyCompiler } from './types.js';

const NUMBER_RE = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

export function toNumber(s: string): number | undefined {
  return NUMBER_RE.test(s) ? Number(s) : undefined;
}

const CMP: Record<string, (a: number, b: number) => boolean> = {
  NumericEquals: (a, b) => a === b,
  NumericLessThan: (a, b) => a < b,
  NumericLessThanEquals: (a, b) => a <= b,
  NumericGreaterThan: (a, b) => a > b,
  NumericGreaterThanEquals: (a, b) => a >= b,
};

export const compileNumeric: FamilyCompiler = (base, values) => {
  const cmp = CMP[base];
  if (!cmp) return { error: `unknown numeric operator ${base}` };
  const nums: number[] = [];
  for (const v of values) {
    const n = toNumber(v);
    if (n === undefined) return { error: v };
    nums.push(n);
  }
  return (s) => {
    const x = toNumber(s);
    if (x === undefined) return false;
    for (const n of nums) if (cmp(x, n)) return true;
    return false;
  };
};
