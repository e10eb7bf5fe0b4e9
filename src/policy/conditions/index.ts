/**
 * Condition operators: the operator table, `...IfExists`, `ForAnyValue:`/`ForAllValues:`, `Null`,
 * and how a clause meets a single, multivalued or absent context key.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
import type { ConditionClause } from '../types.js';
import { compileArn } from './arn.js';
import { compileBinary, compileBool } from './bool.js';
import { compileDate } from './date.js';
import { compileIp } from './ip.js';
import { compileNumeric } from './numeric.js';
import { compileString } from './string.js';
import type { CondEnv, FamilyCompiler, ValueTest } from './types.js';

export type { CondEnv } from './types.js';

interface OperatorInfo {
  family: FamilyCompiler;
  /** The positive operator this one is or negates. */
  base: string;
  negated: boolean;
  /** Whether policy variables are recognised in values. */
  variables: boolean;
}

const table = new Map<string, OperatorInfo>();
function def(family: FamilyCompiler, variables: boolean, base: string, negatedName?: string) {
  table.set(base, { family, base, negated: false, variables });
  if (negatedName) table.set(negatedName, { family, base, negated: true, variables });
}
def(compileString, true, 'StringEquals', 'StringNotEquals');
def(compileString, true, 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase');
def(compileString, true, 'StringLike', 'StringNotLike');
def(compileNumeric, false, 'NumericEquals', 'NumericNotEquals');
def(compileNumeric, false, 'NumericLessThan');
def(compileNumeric, false, 'NumericLessThanEquals');
def(compileNumeric, false, 'NumericGreaterThan');
def(compileNumeric, false, 'NumericGreaterThanEquals');
def(compileDate, false, 'DateEquals', 'DateNotEquals');
def(compileDate, false, 'DateLessThan');
def(compileDate, false, 'DateLessThanEquals');
def(compileDate, false, 'DateGreaterThan');
def(compileDate, false, 'DateGreaterThanEquals');
def(compileBool, false, 'Bool');
def(compileBinary, false, 'BinaryEquals');
def(compileIp, false, 'IpAddress', 'NotIpAddress');
def(compileArn, true, 'ArnEquals', 'ArnNotEquals');
def(compileArn, true, 'ArnLike', 'ArnNotLike');

export type SetQualifier = 'ForAnyValue' | 'ForAllValues' | undefined;

export interface ParsedOperator {
  qualifier: SetQualifier;
  /** Operator name without qualifier and IfExists, e.g. `StringNotLike` or `Null`. */
  name: string;
  ifExists: boolean;
  info?: OperatorInfo; // undefined for Null
}

/** Split `ForAnyValue:StringLikeIfExists` into its parts; undefined when it is no valid operator. */
export function parseOperator(op: string): ParsedOperator | undefined {
  let rest = op;
  let qualifier: SetQualifier;
  if (rest.startsWith('ForAnyValue:')) {
    qualifier = 'ForAnyValue';
    rest = rest.slice(12);
  } else if (rest.startsWith('ForAllValues:')) {
    qualifier = 'ForAllValues';
    rest = rest.slice(13);
  }
  if (rest === 'Null') return { qualifier, name: 'Null', ifExists: false };
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -8);
  }
  const info = table.get(rest);
  if (!info) return undefined;
  return { qualifier, name: rest, ifExists, info };
}

/** Variables in values are recognised only with Version 2012-10-17. */
export interface CompiledCondition {
  clause: ConditionClause;
  lowerKey: string;
  test: (env: CondEnv) => boolean;
}

export type CompileOutcome = { ok: true; cond: CompiledCondition } | { ok: false; error: 'operator' | 'value'; detail: string };

const isEmptySet = (v: string | string[]) => (Array.isArray(v) ? v.length === 0 : v === '');

export function compileCondition(clause: ConditionClause, variablesOn: boolean): CompileOutcome {
  const op = parseOperator(clause.operator);
  if (!op) return { ok: false, error: 'operator', detail: clause.operator };
  const lowerKey = clause.key.toLowerCase();
  const key = clause.key;

  if (!op.info) {
    // Null: "true" ⇒ the key is absent (or null); "false" ⇒ present and not null. Values OR-ed.
    let wantAbsent = false;
    let wantPresent = false;
    for (const v of clause.values) {
      const l = v.toLowerCase();
      if (l === 'true') wantAbsent = true;
      else if (l === 'false') wantPresent = true;
      else return { ok: false, error: 'value', detail: v };
    }
    return {
      ok: true,
      cond: {
        clause,
        lowerKey,
        test: (env) => {
          const v = env.get(key, lowerKey);
          const absent = v === undefined || (Array.isArray(v) && v.length === 0);
          return absent ? wantAbsent : wantPresent;
        },
      },
    };
  }

  const info = op.info;
  const compiled = info.family(info.base, clause.values, variablesOn && info.variables);
  if (typeof compiled !== 'function') return { ok: false, error: 'value', detail: compiled.error };
  const matches: ValueTest = compiled;
  const negated = info.negated;
  const ifExists = op.ifExists;
  // Per-value test: a positive operator needs a match with some policy value; a negated one with none (NOR).
  const test1 = negated ? (v: string, env: CondEnv) => !matches(v, env) : matches;

  let test: (env: CondEnv) => boolean;
  switch (op.qualifier) {
    case undefined:
      test = (env) => {
        const v = env.get(key, lowerKey);
        if (v === undefined) {
          env.missing(key);
          return ifExists || negated;
        }
        if (typeof v === 'string') return test1(v, env);
        // A multivalued key under a plain operator: any value matching a positive operator; a
        // negated operator holds only when no value matches.
        if (v.length === 0) return ifExists || negated;
        if (negated) {
          for (const x of v) if (matches(x, env)) return false;
          return true;
        }
        for (const x of v) if (matches(x, env)) return true;
        return false;
      };
      break;
    case 'ForAnyValue':
      test = (env) => {
        const v = env.get(key, lowerKey);
        if (v === undefined) {
          env.missing(key);
          return ifExists;
        }
        if (isEmptySet(v)) return false;
        if (typeof v === 'string') return test1(v, env);
        for (const x of v) if (test1(x, env)) return true;
        return false;
      };
      break;
    case 'ForAllValues':
      test = (env) => {
        const v = env.get(key, lowerKey);
        if (v === undefined) {
          env.missing(key);
          return true;
        }
        if (isEmptySet(v)) return true;
        if (typeof v === 'string') return test1(v, env);
        for (const x of v) if (!test1(x, env)) return false;
        return true;
      };
      break;
  }
  return { ok: true, cond: { clause, lowerKey, test } };
}

export const CONDITION_OPERATORS: readonly string[] = [...table.keys(), 'Null'];
