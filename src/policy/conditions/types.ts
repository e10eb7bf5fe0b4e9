import type { CtxValue } from '../context.js';

/** Per-evaluation environment handed to compiled conditions. */
export interface CondEnv {
  /** A context value by key (as spelled in the policy) and its lower-cased form. */
  get(key: string, lowerKey: string): CtxValue | undefined;
  /** Single-valued lookup (for policy variables). */
  single(key: string, lowerKey: string): string | undefined;
  /** Records a key or variable the request context lacked. */
  missing(name: string): void;
}

/** True when the request value `v` matches at least one of the clause's policy values. */
export type ValueTest = (v: string, env: CondEnv) => boolean;

/** Compiles the clause's policy values; returns an error text for values the operator cannot take. */
export type FamilyCompiler = (base: string, values: string[], variables: boolean) => ValueTest | { error: string };
