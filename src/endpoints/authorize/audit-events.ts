/**
 * CloudTrail-style records of the decision point's decisions (ROLECALL_AUTHORIZE_AUDIT:
 * `denials` (default), `all` or `off`). One event per authorize call, named after the first
 * action it decides, in the event source of that action's service (`s3:GetObject` ->
 * s3.amazonaws.com / GetObject), with the principal as userIdentity, the resources, the decision
 * of each (action, resource) and the statements that made it. A denial carries AccessDenied and
 * AWS's message; a request that failed SigV4 carries that error and an identity of type Unknown.
 * When the resource account differs from the principal's, the resource owner gets a copy with
 * the same sharedEventID, as CloudTrail does for cross-account calls.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 *
 * INVARIANT: no secret reaches an event: the forwarded request's Authorization header, session
 * token and body are never copied; only ids, ARNs, the decision and the service's context keys.
 */
import type { AuditTrail, CloudTrailEvent, UserIdentity } from '../../audit/event.js';
import { userIdentityOf } from '../../audit/identity.js';
import type { Caller } from '../../domain/caller.js';
import type { Random } from '../../domain/random.js';
import type { DecisionJson } from '../../client/authorize/types.js';
import type { ContextValue } from '../../policy/index.js';
import { isoSeconds } from '../../domain/clock.js';

export type AuditMode = 'denials' | 'all' | 'off';
export const AUDIT_MODES: readonly AuditMode[] = ['denials', 'all', 'off'];


/** The caller as CloudTrail's userIdentity: the audit trail's own mapping. */
export function userIdentity(caller: Caller): UserIdentity {
  return userIdentityOf(caller);
}

/** `s3:GetObject` -> ['s3.amazonaws.com', 'GetObject']. */
function sourceAndName(action: string): [string, string] {
  const i = action.indexOf(':');
  return i < 0 ? ['unknown', action] : [`${action.slice(0, i).toLowerCase()}.amazonaws.com`, action.slice(i + 1)];
}

const READ_ONLY = /^(Get|List|Describe|Head|Lookup|Search|Select|Check|View)/;

export interface DecisionRecord {
  requestId: string;
  now: Date;
  region: string;
  sourceIp: string;
  userAgent: string;
  /** The principal, when the forwarded request authenticated. */
  caller?: Caller;
  /** The access key id the request claimed (failed authentication). */
  accessKeyId?: string;
  decisions: DecisionJson[];
  /** What was asked (also for a request that failed authentication). */
  asked: Array<{ action: string; resources: string[]; resourceAccount: string; context: Record<string, ContextValue> }>;
  error?: { code: string; message: string };
}

export function shouldAudit(mode: AuditMode, allowed: boolean): boolean {
  return mode === 'all' || (mode === 'denials' && !allowed);
}

export function decisionEvents(r: DecisionRecord, random: Random): CloudTrailEvent[] {
  const first = r.asked[0];
  const [eventSource, eventName] = sourceAndName(first?.action ?? 'rolecall:Authorize');
  const denial = r.decisions.find((d) => d.decision !== 'allowed');
  const principalAccount = r.caller?.accountId ?? '';
  const resources: NonNullable<CloudTrailEvent['resources']> = [];
  for (const a of r.asked) for (const arn of a.resources) if (!resources.some((x) => x.ARN === arn)) resources.push({ ARN: arn, accountId: a.resourceAccount });
  const event: CloudTrailEvent = {
    eventVersion: '1.09',
    userIdentity: r.caller ? userIdentity(r.caller) : { type: 'Unknown', ...(r.accessKeyId ? { accessKeyId: r.accessKeyId } : {}) },
    eventTime: isoSeconds(r.now),
    eventSource,
    eventName,
    awsRegion: r.region,
    sourceIPAddress: r.sourceIp,
    userAgent: r.userAgent,
    requestParameters: { authorizations: r.asked.map((a) => ({ action: a.action, resources: a.resources, ...(Object.keys(a.context).length ? { context: a.context } : {}) })) },
    responseElements: r.decisions.length
      ? { decisions: r.decisions.map((d) => ({ action: d.action, resource: d.resource, decision: d.decision, matchedStatements: d.matchedStatements.map((s) => ({ policyId: s.policyId, policyType: s.policyType, statementIndex: s.statementIndex, effect: s.effect, ...(s.sid ? { sid: s.sid } : {}) })) })) }
      : null,
    requestID: r.requestId,
    eventID: random.uuid(),
    readOnly: READ_ONLY.test(eventName),
    resources,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: principalAccount || (first?.resourceAccount ?? ''),
    eventCategory: 'Management',
  };
  if (r.error) {
    event.errorCode = r.error.code;
    event.errorMessage = r.error.message;
  } else if (denial) {
    event.errorCode = 'AccessDenied';
    if (denial.message) event.errorMessage = denial.message;
  }
  const owners = new Set(r.asked.map((a) => a.resourceAccount).filter((a) => a && a !== event.recipientAccountId));
  if (owners.size === 0) return [event];
  event.sharedEventID = random.uuid();
  return [event, ...[...owners].map((acct) => ({ ...event, eventID: random.uuid(), recipientAccountId: acct }))];
}

/** Records the events; resolves once they are durable. */
export async function recordAll(trail: AuditTrail, events: CloudTrailEvent[]): Promise<void> {
  await Promise.all(events.map((e) => trail.record(e)));
}
