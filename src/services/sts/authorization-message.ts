/**
 * Encoded authorization messages: the details of an authorization decision, sealed so that only
 * a principal allowed sts:DecodeAuthorizationMessage (in the same account) can read them.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html
 *
 * AWS attaches such messages to some denials (EC2's "Encoded authorization failure message"); IAM
 * and STS denials carry a plain message. The decoded document follows the shape AWS returns:
 *
 *   {"allowed":false,"explicitDeny":true,
 *    "matchedStatements":{"items":[{"statementId":..,"effect":"DENY","principals":{"items":[{"value":..}]},
 *      "principalGroups":{"items":[]},"actions":{"items":[..]},"resources":{"items":[..]},"conditions":{"items":[..]}}]},
 *    "failures":{"items":[]},
 *    "context":{"principal":{"id":..,"name":..,"arn":..},"action":..,"resource":..,
 *               "conditions":{"items":[{"key":..,"values":{"items":[{"value":..}]}}]}}}
 */
import type { Caller } from '../../domain/caller.js';
import type { ContextValue, EvaluationResult } from '../../policy/index.js';
import type { SettingsRepo } from '../../store/ports.js';
import { messageSealer } from '../../tokens/message-sealer.js';

/** DecodeAuthorizationMessage accepts at most this many characters (encodedMessageType). */
export const MAX_ENCODED_MESSAGE_CHARS = 10_240;

export interface MatchedStatementDetail {
  /** The statement's Sid, empty when it has none. */
  statementId: string;
  effect: 'Allow' | 'Deny';
  /** The unique ids of the principals the statement applied to (the user's AIDA..., the role's AROA...). */
  principals: string[];
  actions: string[];
  resources: string[];
  /** The statement's conditions: each key with its values. */
  conditions: Array<{ key: string; values: string[] }>;
}

export interface AuthorizationMessageDetails {
  /** The account whose principals may decode the message (the denied principal's account). */
  accountId: string;
  allowed: boolean;
  explicitDeny: boolean;
  matchedStatements: MatchedStatementDetail[];
  failures?: string[];
  principal: { id: string; name?: string; arn: string };
  action: string;
  resource: string;
  /** The request context the decision saw. */
  conditions: Record<string, ContextValue>;
}

const items = <T>(list: T[]) => ({ items: list });
const values = (v: ContextValue) => items((Array.isArray(v) ? v : [v]).map((x) => ({ value: String(x) })));

/** The decoded JSON document, as DecodeAuthorizationMessage returns it. */
export function authorizationMessageDocument(d: AuthorizationMessageDetails): Record<string, unknown> {
  const principal: Record<string, string> = { id: d.principal.id };
  if (d.principal.name !== undefined) principal.name = d.principal.name;
  principal.arn = d.principal.arn;
  return {
    allowed: d.allowed,
    explicitDeny: d.explicitDeny,
    matchedStatements: items(
      d.matchedStatements.map((s) => ({
        statementId: s.statementId,
        effect: s.effect.toUpperCase(),
        principals: items(s.principals.map((value) => ({ value }))),
        principalGroups: items([]),
        actions: items(s.actions.map((value) => ({ value }))),
        resources: items(s.resources.map((value) => ({ value }))),
        conditions: items(s.conditions.map((c) => ({ key: c.key, values: values(c.values) }))),
      })),
    ),
    failures: items((d.failures ?? []).map((f) => ({ value: f }))),
    context: {
      principal,
      action: d.action,
      resource: d.resource,
      conditions: items(
        Object.keys(d.conditions)
          .sort()
          .map((key) => ({ key, values: values(d.conditions[key] as ContextValue) })),
      ),
    },
  };
}

/** Details of one decision of the engine, for a caller, action and resource. */
export function authorizationDetails(caller: Caller, action: string, resource: string, context: Record<string, ContextValue>, result: Pick<EvaluationResult, 'decision' | 'matched'>): AuthorizationMessageDetails {
  // AWS names IAM users; a role session's principal has its id (AROA...:session) and ARN only.
  const principal: AuthorizationMessageDetails['principal'] = { id: caller.userId, arn: caller.arn };
  if (caller.kind === 'user' && caller.userName !== undefined) principal.name = caller.userName;
  // The statements' principal: the identity whose policy it is (the role's id, not the session's).
  const owner = (caller.principal.type === 'AssumedRole' ? caller.principal.roleId : undefined) ?? caller.userId;
  return {
    accountId: caller.accountId,
    allowed: result.decision === 'allowed',
    explicitDeny: result.decision === 'explicitDeny',
    matchedStatements: result.matched.map((t) => ({
      statementId: t.sid ?? '',
      effect: t.effect,
      principals: [owner],
      actions: t.statement?.Action ?? [],
      resources: t.statement?.Resource ?? [],
      conditions: (t.statement?.Condition ?? []).map((c) => ({ key: c.key, values: c.values })),
    })),
    principal,
    action,
    resource,
    conditions: context,
  };
}

/**
 * Seals the decision details into an encoded message any node of this installation can decode
 * for a principal of `details.accountId`. When the full document would not fit the 10,240
 * characters DecodeAuthorizationMessage accepts, the condition values are left out, then the
 * matched statements (the decision, principal, action and resource always stay).
 */
export async function encodeAuthorizationMessage(settings: SettingsRepo, details: AuthorizationMessageDetails): Promise<string> {
  const sealer = messageSealer(settings);
  const attempts: AuthorizationMessageDetails[] = [details, { ...details, conditions: {} }, { ...details, conditions: {}, matchedStatements: [] }];
  for (const d of attempts) {
    const sealed = await sealer.seal(JSON.stringify(authorizationMessageDocument(d)), d.accountId);
    if (sealed.length <= MAX_ENCODED_MESSAGE_CHARS) return sealed;
  }
  throw new Error('authorization message: too large to encode even without conditions and statements');
}

/** The decoded JSON text, or undefined when `encoded` is not a message for `accountId`. */
export function decodeAuthorizationMessage(settings: SettingsRepo, encoded: string, accountId: string): Promise<string | undefined> {
  return messageSealer(settings).open(encoded, accountId);
}
