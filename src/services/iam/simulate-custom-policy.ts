/**
 * IAM SimulateCustomPolicy, computed by the policy engine. Pure: the CLI runs it offline and the
 * IAM API will serve it unchanged.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html
 */
import { AwsError } from '../../domain/aws-error.js';
import {
  accountOfArn,
  evaluate,
  parsePolicy,
  principalFromArn,
  type ContextValue,
  type NamedPolicy,
  type Policy,
  type PolicySet,
  type PolicyType,
  type RequestPrincipal,
  type StatementTrace,
} from '../../policy/index.js';

export interface ContextEntry {
  ContextKeyName?: string;
  ContextKeyValues?: string[];
  ContextKeyType?: string;
}

export interface SimulateCustomPolicyInput {
  PolicyInputList: string[];
  PermissionsBoundaryPolicyInputList?: string[];
  ActionNames: string[];
  ResourceArns?: string[];
  ResourcePolicy?: string;
  ResourceOwner?: string;
  CallerArn?: string;
  ContextEntries?: ContextEntry[];
  ResourceHandlingOption?: string;
  MaxItems?: number;
  Marker?: string;
}

export interface SimPosition { Line: number; Column: number }
export interface SimStatement {
  SourcePolicyId: string;
  SourcePolicyType?: string;
  StartPosition?: SimPosition;
  EndPosition?: SimPosition;
}
export interface ResourceSpecificResult {
  EvalResourceName: string;
  EvalResourceDecision: string;
  MatchedStatements: SimStatement[];
  MissingContextValues: string[];
  EvalDecisionDetails?: Record<string, string>;
  PermissionsBoundaryDecisionDetail?: { AllowedByPermissionsBoundary: boolean };
}
export interface EvaluationResult {
  EvalActionName: string;
  EvalResourceName: string;
  EvalDecision: string;
  MatchedStatements: SimStatement[];
  MissingContextValues: string[];
  EvalDecisionDetails?: Record<string, string>;
  PermissionsBoundaryDecisionDetail?: { AllowedByPermissionsBoundary: boolean };
  ResourceSpecificResults?: ResourceSpecificResult[];
}
export interface SimulatePolicyResponse {
  EvaluationResults: EvaluationResult[];
  IsTruncated: boolean;
  Marker?: string;
}

const CONTEXT_TYPES = new Set(['string', 'stringList', 'numeric', 'numericList', 'boolean', 'booleanList', 'ip', 'ipList', 'binary', 'binaryList', 'date', 'dateList']);

/** Parses one simulated policy, or throws MalformedPolicyDocument naming it (`PolicyInputList.2`...). */
export function loadSimulationPolicy(doc: string, type: PolicyType, id: string, sourceType?: string): NamedPolicy {
  const r = parsePolicy(doc, { type });
  if (!r.ok) {
    const e = r.errors[0]!;
    const where = e.position ? ` (${id}, line ${e.position.Line}, column ${e.position.Column}${e.path ? `, ${e.path}` : ''})` : ` (${id})`;
    throw new AwsError('MalformedPolicyDocument', `${e.message}${where}`);
  }
  const np: NamedPolicy = { id, policy: r.policy as Policy };
  if (sourceType) np.sourceType = sourceType;
  return np;
}

function contextFrom(entries: ContextEntry[] | undefined): Record<string, ContextValue> {
  const ctx: Record<string, ContextValue> = {};
  for (const [i, e] of (entries ?? []).entries()) {
    if (!e.ContextKeyName) throw new AwsError('InvalidInput', `ContextEntries.member.${i + 1}.ContextKeyName is required.`);
    const type = e.ContextKeyType ?? 'string';
    if (!CONTEXT_TYPES.has(type)) throw new AwsError('InvalidInput', `Invalid ContextKeyType ${type} for context key ${e.ContextKeyName}.`);
    const values = e.ContextKeyValues ?? [];
    // The console ignores a key left empty; the API treats it the same way.
    if (values.length === 0) continue;
    ctx[e.ContextKeyName] = type.endsWith('List') ? values : (values[0] as string);
  }
  return ctx;
}

/**
 * IAM's statement positions, matched to the documented simulate-custom-policy example (a one-line
 * policy whose statement `{` is at column 37 reports Column 38, its `}` at 166 reports 167): IAM
 * reports one column past each brace.
 */
function statementOf(t: StatementTrace): SimStatement {
  const s: SimStatement = { SourcePolicyId: t.policyId };
  if (t.sourceType) s.SourcePolicyType = t.sourceType;
  if (t.span) {
    s.StartPosition = { Line: t.span.start.Line, Column: t.span.start.Column + 1 };
    s.EndPosition = { Line: t.span.end.Line, Column: t.span.end.Column };
  }
  return s;
}

/** The request checks SimulateCustomPolicy and SimulatePrincipalPolicy share. */
export function checkSimulationRequest(input: Pick<SimulateCustomPolicyInput, 'ActionNames' | 'PermissionsBoundaryPolicyInputList'>): void {
  if (!Array.isArray(input.ActionNames) || input.ActionNames.length === 0) throw new AwsError('InvalidInput', 'ActionNames is required.');
  for (const a of input.ActionNames) {
    if (a.includes('*') || a.includes('?') || !/^[A-Za-z0-9-]+:[A-Za-z0-9-]+$/.test(a)) throw new AwsError('InvalidInput', `Invalid action name: ${a}. Action names must have the form service:ActionName, without wildcards.`);
  }
  if ((input.PermissionsBoundaryPolicyInputList ?? []).length > 1) throw new AwsError('InvalidInput', 'Only one permissions boundary policy can be simulated.');
}

export function simulateCustomPolicy(input: SimulateCustomPolicyInput): SimulatePolicyResponse {
  if (!Array.isArray(input.PolicyInputList)) throw new AwsError('InvalidInput', 'PolicyInputList is required.');
  checkSimulationRequest(input);
  const boundaries = input.PermissionsBoundaryPolicyInputList ?? [];
  if (input.ResourcePolicy !== undefined && !input.CallerArn) throw new AwsError('InvalidInput', 'CallerArn is required when ResourcePolicy is provided.');

  let principal: RequestPrincipal;
  if (input.CallerArn) {
    const p = principalFromArn(input.CallerArn);
    if (!p || p.type !== 'User') throw new AwsError('InvalidInput', `Invalid CallerArn ${input.CallerArn}: the caller must be an IAM user.`);
    principal = p;
  } else {
    const acct = (input.ResourceOwner && accountOfArn(input.ResourceOwner)) ?? '123456789012';
    principal = { type: 'User', account: acct, arn: `arn:aws:iam::${acct}:user/simulated-caller` };
  }
  let ownerAccount = principal.account;
  if (input.ResourceOwner) {
    const acct = accountOfArn(input.ResourceOwner);
    if (!acct || !/^arn:[^:]+:iam::\d{12}:root$/.test(input.ResourceOwner)) throw new AwsError('InvalidInput', `Invalid ResourceOwner ${input.ResourceOwner}: use arn:aws:iam::ACCOUNT-ID:root.`);
    ownerAccount = acct;
  }

  const set: PolicySet = { identity: input.PolicyInputList.map((d, i) => loadSimulationPolicy(d, 'identity', `PolicyInputList.${i + 1}`)) };
  if (boundaries[0] !== undefined) set.boundary = loadSimulationPolicy(boundaries[0], 'boundary', 'PermissionsBoundaryPolicyInputList.1');
  if (input.ResourcePolicy !== undefined) set.resource = loadSimulationPolicy(input.ResourcePolicy, 'resource', 'ResourcePolicy', 'resource');
  const run: SimulationRun = { set, principal };
  if (ownerAccount) run.ownerAccount = ownerAccount;
  return runSimulation(run, input);
}

/** What one simulation evaluates: the policies, the simulated caller, the resources' owner. */
export interface SimulationRun {
  set: PolicySet;
  principal: RequestPrincipal;
  ownerAccount?: string;
}

/** Evaluates every action against every resource and pages the results (MaxItems / Marker). */
export function runSimulation(
  { set, principal, ownerAccount }: SimulationRun,
  input: Pick<SimulateCustomPolicyInput, 'ActionNames' | 'ResourceArns' | 'ContextEntries' | 'MaxItems' | 'Marker'>,
): SimulatePolicyResponse {
  const context = contextFrom(input.ContextEntries);
  const resources = input.ResourceArns && input.ResourceArns.length ? input.ResourceArns : undefined;

  const results: EvaluationResult[] = [];
  for (const action of input.ActionNames) {
    for (const resource of resources ?? ['*']) {
      const req: Parameters<typeof evaluate>[0] = { principal, action, resource, context };
      if (ownerAccount) req.resourceAccount = ownerAccount;
      const r = evaluate(req, set, { explain: true });
      const matched = r.matched.map(statementOf);
      const missing = r.missingContextKeys ?? [];
      const res: EvaluationResult = {
        EvalActionName: action,
        EvalResourceName: resource,
        EvalDecision: r.decision,
        MatchedStatements: matched,
        MissingContextValues: resources ? [] : missing,
      };
      const crossAccount = r.details?.crossAccount === true;
      let details: Record<string, string> | undefined;
      if (crossAccount && set.resource) {
        details = { 'IAM Policy': r.details?.identity ?? 'implicitDeny', 'Resource Policy': r.details?.resource ?? 'implicitDeny' };
      }
      const boundary = set.boundary ? { AllowedByPermissionsBoundary: r.details?.boundary === 'allowed' } : undefined;
      if (details) res.EvalDecisionDetails = details;
      if (boundary) res.PermissionsBoundaryDecisionDetail = boundary;
      if (resources) {
        const rs: ResourceSpecificResult = { EvalResourceName: resource, EvalResourceDecision: r.decision, MatchedStatements: matched, MissingContextValues: missing };
        if (details) rs.EvalDecisionDetails = details;
        if (boundary) rs.PermissionsBoundaryDecisionDetail = boundary;
        res.ResourceSpecificResults = [rs];
      }
      results.push(res);
    }
  }

  const maxItems = input.MaxItems ?? 100;
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000) throw new AwsError('ValidationError', `1 validation error detected: Value '${maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`);
  const start = input.Marker ? Number.parseInt(input.Marker, 10) : 0;
  if (!Number.isInteger(start) || start < 0 || start > results.length) throw new AwsError('InvalidInput', 'Invalid Marker.');
  const page = results.slice(start, start + maxItems);
  const out: SimulatePolicyResponse = { EvaluationResults: page, IsTruncated: start + maxItems < results.length };
  if (out.IsTruncated) out.Marker = String(start + maxItems);
  return out;
}
