/**
 * String operators: StringEquals, StringEqualsIgnoreCase, StringLike (and their negations, handled
 * by the caller). Policy variables allowed.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
 */
import { parseTemplate, resolveGlobSource, resolveText, type Template } from '../variables.js';
import { anyOf, compileGlob } from '../wildcard.js';
import type { FamilyCompiler, ValueTest, CondEnv } from './types.js';

const lower = (s: string) => s.toLowerCase();

export const compileString: FamilyCompiler = (base, values, variables) => {
  const templates: Template[] = [];
  const plain: string[] = [];
  for (const v of values) {
    const t = variables ? parseTemplate(v) : undefined;
    if (t) templates.push(t);
    else plain.push(v);
  }
  let staticTest: (s: string) => boolean;
  let dynamicTest: (s: string, env: CondEnv, t: Template) => boolean;
  switch (base) {
    case 'StringEquals':
      {
        // Exact matching: `*` and `?` are ordinary characters here (only String*Like has wildcards).
        const set = new Set(plain);
        staticTest = (s) => set.has(s);
      }
      dynamicTest = (s, env, t) => resolveText(t, env) === s;
      break;
    case 'StringEqualsIgnoreCase': {
      const set = new Set(plain.map(lower));
      staticTest = (s) => set.has(lower(s));
      dynamicTest = (s, env, t) => {
        const r = resolveText(t, env);
        return r !== undefined && lower(r) === lower(s);
      };
      break;
    }
    case 'StringLike':
      staticTest = anyOf(plain, compileGlob);
      dynamicTest = (s, env, t) => {
        const src = resolveGlobSource(t, env);
        return src !== undefined && new RegExp(`^${src}$`).test(s);
      };
      break;
    default:
      return { error: `unknown string operator ${base}` };
  }
  if (plain.length === 0) staticTest = () => false;
  if (templates.length === 0) return staticTest;
  const test: ValueTest = (s, env) => {
    if (staticTest(s)) return true;
    for (const t of templates) if (dynamicTest(s, env, t)) return true;
    return false;
  };
  return test;
};
