/**
 * Rolecall's policy engine: AWS IAM policy grammar, matching, conditions, variables and
 * evaluation, as pure functions. `import { parsePolicy, compilePolicy, evaluate } from 'rolecall/policy'`.
 */
export type * from './types.js';
export type { NamedPolicy, PolicySet } from './policy-set.js';
export { parsePolicy, policySize, type ParseOptions } from './parse.js';
export { compilePolicy, loadPolicy, isCompiled, type CompiledPolicy, type CompiledStatement } from './compile.js';
export { evaluate, type EvaluateOptions } from './evaluate.js';
export { principalFromArn, principalContext, classifyAwsPrincipal } from './principal.js';
export { parseArn, accountOfArn } from './arn.js';
export { serializePolicy } from './serialize.js';
export { CONDITION_OPERATORS, parseOperator } from './conditions/index.js';
export { MSG as POLICY_MESSAGES } from './diagnostics.js';
