/**
 * Policy model back to a JSON document (the canonical form: lists stay lists, condition values
 * are strings). parsePolicy(serializePolicy(p)) describes the same policy as p.
 */
import type { Policy, PrincipalBlock, Statement } from './types.js';

function principal(b: PrincipalBlock): unknown {
  if (b.kind === 'any') return '*';
  const out: Record<string, string[]> = {};
  for (const k of ['AWS', 'Service', 'Federated', 'CanonicalUser'] as const) if (b[k]) out[k] = b[k] as string[];
  return out;
}

function statement(s: Statement): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (s.Sid !== undefined) o.Sid = s.Sid;
  o.Effect = s.Effect;
  if (s.Principal) o.Principal = principal(s.Principal);
  if (s.NotPrincipal) o.NotPrincipal = principal(s.NotPrincipal);
  if (s.Action) o.Action = s.Action;
  if (s.NotAction) o.NotAction = s.NotAction;
  if (s.Resource) o.Resource = s.Resource;
  if (s.NotResource) o.NotResource = s.NotResource;
  if (s.Condition && s.Condition.length) {
    const c: Record<string, Record<string, string[]>> = {};
    for (const cl of s.Condition) (c[cl.operator] ??= {})[cl.key] = cl.values;
    o.Condition = c;
  }
  return o;
}

export function serializePolicy(p: Policy): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (p.Version) o.Version = p.Version;
  if (p.Id !== undefined) o.Id = p.Id;
  o.Statement = p.Statement.map(statement);
  return o;
}
