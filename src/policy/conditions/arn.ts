/**
 * ArnEquals / ArnLike (identical): each of the six colon-separated ARN parts matched separately,
 * with `*` and `?`. Policy variables allowed.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
 */
import { compileArnCondition, parseArn, resolveArnTemplateSource } from '../arn.js';
import { parseTemplate, type Template } from '../variables.js';
import { anyOf } from '../wildcard.js';
import type { FamilyCompiler } from './types.js';

export const compileArn: FamilyCompiler = (base, values, variables) => {
  if (base !== 'ArnEquals' && base !== 'ArnLike') return { error: base };
  const templates: Template[] = [];
  const plain: string[] = [];
  for (const v of values) {
    const t = variables ? parseTemplate(v) : undefined;
    if (t) templates.push(t);
    else plain.push(v);
  }
  const staticTest = plain.length ? anyOf(plain, compileArnCondition) : () => false;
  if (!templates.length) return (s) => parseArn(s) !== undefined && staticTest(s);
  return (s, env) => {
    if (parseArn(s) === undefined) return false;
    if (staticTest(s)) return true;
    for (const t of templates) {
      const src = resolveArnTemplateSource(t, env);
      if (src !== undefined && new RegExp(`^${src}$`).test(s)) return true;
    }
    return false;
  };
};
