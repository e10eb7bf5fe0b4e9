/**
 * `POST /_rolecall/authorize`: the decision point for other services (docs/authorize.md).
 *
 *   1. authenticate the service's own call (SigV4, signing name `rolecall`);
 *   2. read the JSON body: the forwarded request and what it asks for;
 *   3. check the service may ask: its policies must allow `rolecall:Authorize` (resource `*`,
 *      context key `rolecall:RequestedAction` lists the actions asked about);
 *   4. authenticate the forwarded request as the AWS APIs would (errors are AWS's);
 *   5. decide every (action, resource) with the principal's policies, the service's resource
 *      policy and context, through the decision cache;
 *   6. audit, then answer 200 with the principal, the decisions and the matched statements.
 * Errors about the service's call (1-3) are non-200 answers; errors about the forwarded request
 * (4) are a 200 answer with `authenticated: false` and AWS's code, for the service to relay.
 */
import { accessDeniedMessage } from '../../authz/access-denied.js';
import type { AuditTrail } from '../../audit/event.js';
import type { AuthorizeAnswer, DecisionJson, DecisionName } from '../../client/authorize/types.js';
import { AwsError } from '../../domain/aws-error.js';
import type { Caller } from '../../domain/caller.js';
import type { Clock } from '../../domain/clock.js';
import type { Random } from '../../domain/random.js';
import type { HttpRequest, HttpResponse } from '../../http/server.js';
import { accountOfArn, type ContextValue, type EvaluationResult } from '../../policy/index.js';
import { authorizationDetails, encodeAuthorizationMessage } from '../../services/sts/authorization-message.js';
import { credentialRestriction } from '../../services/sts/credential-restrictions.js';
import type { Endpoint } from '../endpoint.js';
import { decisionEvents, recordAll, shouldAudit, type AuditMode, type DecisionRecord } from './audit-events.js';
import { authenticateRaw, claimedKeyId, rawOf, ROLECALL_SIGNING_NAME, type AuthDeps } from './authenticate-call.js';
import { fullContext, requestContext, requestKeyText, serviceContext } from './context.js';
import { contextText } from './decision-cache.js';
import { resourcePolicy, type Decided, type Decider, type DecisionQuery, type ResourcePolicy } from './decider.js';
import { forwardedRequest, type Forwarded } from './forwarded-request.js';
import { errorJson, errorResponse, header, isRecord, jsonResponse, readJsonObject, validation } from './http-json.js';
import { principalView } from './principal-view.js';

export const AUTHORIZE_PATH = '/_rolecall/authorize';
export const AUTHORIZE_ACTION = 'rolecall:Authorize';
export const REQUESTED_ACTION_KEY = 'rolecall:RequestedAction';
/** At most this many (action, resource) decisions per call. */
export const MAX_DECISIONS = 100;

const ACTION = /^[A-Za-z0-9-]{1,64}:[A-Za-z0-9_-]{1,128}$/;
const ACCOUNT = /^\d{12}$/;

export interface Logger {
  error(obj: object, msg: string): void;
}

export interface AuthorizeEndpointDeps extends AuthDeps {
  clock: Clock;
  random: Random;
  decider: Decider;
  auditMode: AuditMode;
  audit?: AuditTrail;
  logger?: Logger;
}

interface Target {
  action: string;
  resources: string[];
  context: Record<string, ContextValue>;
  resourcePolicy?: ResourcePolicy;
  resourceAccount?: string;
}

interface AuthorizeInput {
  forwarded: Forwarded;
  targets: Target[];
  signingName?: string;
  allowUnsignedPayload: boolean;
}

function parseTarget(v: unknown, where: string): Target {
  if (!isRecord(v)) throw validation(`${where} must be an object with action and resources.`);
  const action = v.action;
  if (typeof action !== 'string' || !ACTION.test(action)) throw validation(`${where}.action must be an action name such as s3:GetObject.`);
  let resources: unknown = v.resources ?? (v.resource !== undefined ? [v.resource] : undefined);
  if (resources === undefined) resources = ['*'];
  if (!Array.isArray(resources) || resources.length === 0) throw validation(`${where}.resources must be a non-empty list of ARNs.`);
  for (const r of resources) {
    if (typeof r !== 'string' || r.length > 2048 || (r !== '*' && !r.startsWith('arn:'))) throw validation(`${where}.resources: '${String(r).slice(0, 80)}' is not an ARN.`);
  }
  const t: Target = { action, resources: resources as string[], context: serviceContext(v.context, `${where}.`) };
  const rp = resourcePolicy(v.resourcePolicy, `${where}.`);
  if (rp) t.resourcePolicy = rp;
  if (v.resourceAccount !== undefined && v.resourceAccount !== null) {
    if (typeof v.resourceAccount !== 'string' || !ACCOUNT.test(v.resourceAccount)) throw validation(`${where}.resourceAccount must be a 12-digit account id.`);
    t.resourceAccount = v.resourceAccount;
  }
  return t;
}

export function parseAuthorizeInput(body: Record<string, unknown>): AuthorizeInput {
  const forwarded = forwardedRequest(body.request);
  let list: unknown[];
  if (body.authorizations !== undefined) {
    if (!Array.isArray(body.authorizations) || body.authorizations.length === 0) throw validation('authorizations must be a non-empty list.');
    list = body.authorizations;
  } else if (body.action !== undefined) {
    // Shorthand: one target at the top level.
    list = [{ action: body.action, resources: body.resources, resource: body.resource, context: body.context, resourcePolicy: body.resourcePolicy, resourceAccount: body.resourceAccount }];
  } else {
    throw validation('authorizations is required: a list of {action, resources, context?, resourcePolicy?, resourceAccount?}.');
  }
  const targets = list.map((t, i) => parseTarget(t, `authorizations[${i}]`));
  const total = targets.reduce((n, t) => n + t.resources.length, 0);
  if (total > MAX_DECISIONS) throw validation(`At most ${MAX_DECISIONS} (action, resource) decisions per call; this one asks for ${total}.`);
  const input: AuthorizeInput = { forwarded, targets, allowUnsignedPayload: body.allowUnsignedPayload === true };
  if (body.allowUnsignedPayload !== undefined && typeof body.allowUnsignedPayload !== 'boolean') throw validation('allowUnsignedPayload must be true or false.');
  if (body.signingName !== undefined && body.signingName !== null) {
    if (typeof body.signingName !== 'string' || !/^[a-z0-9-]{1,64}$/.test(body.signingName)) throw validation('signingName must be a SigV4 signing name such as s3.');
    input.signingName = body.signingName;
  }
  return input;
}

const overall = (ds: DecisionJson[]): DecisionName =>
  ds.every((d) => d.decision === 'allowed') ? 'allowed' : ds.some((d) => d.decision === 'explicitDeny') ? 'explicitDeny' : 'implicitDeny';

function matched(r: EvaluationResult): DecisionJson['matchedStatements'] {
  return r.matched.map((t) => ({
    policyId: t.policyId,
    policyType: t.sourceType ?? t.policyKind,
    policyKind: t.policyKind,
    ...(t.sid !== undefined ? { sid: t.sid } : {}),
    statementIndex: t.index,
    effect: t.effect,
  }));
}

export class AuthorizeEndpoint implements Endpoint {
  readonly name = 'authorize';

  constructor(private readonly deps: AuthorizeEndpointDeps) {}

  matches(req: HttpRequest): boolean {
    return req.path === AUTHORIZE_PATH;
  }

  async handle(req: HttpRequest): Promise<HttpResponse> {
    const requestId = this.deps.random.uuid();
    try {
      if (req.method !== 'POST') throw validation(`${AUTHORIZE_PATH} takes POST.`);
      const now = this.deps.clock.now();
      const service = await authenticateRaw(rawOf(req), this.deps, now, { signingName: ROLECALL_SIGNING_NAME });
      const input = parseAuthorizeInput(readJsonObject(req));
      await this.checkServiceMayAsk(service.caller, service.auth.region, req, input, now, requestId);
      const answer = await this.decideForwarded(input, service.caller, now, requestId);
      return jsonResponse(200, answer, requestId);
    } catch (e) {
      if (e instanceof AwsError) return errorResponse(e, requestId);
      this.deps.logger?.error({ err: e, requestId }, 'authorize: internal error');
      return errorResponse(new AwsError('InternalFailure', 'We encountered an internal error. Please try again.'), requestId);
    }
  }

  /** rolecall:Authorize for the service's credential, decided (and cached) like any request. */
  private async checkServiceMayAsk(service: Caller, region: string, req: HttpRequest, input: AuthorizeInput, now: Date, requestId: string): Promise<void> {
    const actions = [...new Set(input.targets.map((t) => t.action))];
    const facts = { raw: rawOf(req), region, sourceIp: req.remoteAddress, secureTransport: false, now };
    const serviceKeys = { [REQUESTED_ACTION_KEY]: actions };
    const r = await this.deps.decider.decide(service, {
      action: AUTHORIZE_ACTION,
      resource: '*',
      resourceAccount: service.accountId,
      contextKey: requestKeyText(facts) + '\u0004' + contextText(serviceKeys),
      context: () => fullContext(requestContext(facts), serviceKeys, service, now),
    });
    if (r.decision === 'allowed') return;
    const message = accessDeniedMessage(service.arn, AUTHORIZE_ACTION, '*', r);
    if (this.auditing(false)) {
      const ua = header(req, 'user-agent') ?? '';
      await this.audit({ requestId, now, region, sourceIp: req.remoteAddress, userAgent: ua, caller: service, decisions: [], asked: [{ action: AUTHORIZE_ACTION, resources: ['*'], resourceAccount: service.accountId, context: serviceKeys }], error: { code: 'AccessDenied', message } });
    }
    throw new AwsError('AccessDenied', message);
  }

  private async decideForwarded(input: AuthorizeInput, service: Caller, now: Date, requestId: string): Promise<AuthorizeAnswer> {
    const raw = input.forwarded.raw;
    const sourceIp = input.forwarded.sourceIp ?? '';
    const userAgent = header(raw, 'user-agent') ?? '';
    const resourceAccountOf = (t: Target, resource: string) => t.resourceAccount ?? accountOfArn(resource) ?? service.accountId;
    const asked = input.targets.map((t) => ({ action: t.action, resources: t.resources, resourceAccount: resourceAccountOf(t, t.resources[0] as string), context: t.context }));

    let caller: Caller | undefined;
    let region = '';
    try {
      const a = await authenticateRaw(raw, this.deps, now, { ...(input.signingName ? { signingName: input.signingName } : {}), allowUnsignedPayload: input.allowUnsignedPayload });
      caller = a.caller;
      region = a.auth.region;
      this.checkCredentialRestrictions(caller, input.targets);
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      // A credential restriction (AccessDenied) comes after authentication: the principal is known.
      const known = caller !== undefined && e.code === 'AccessDenied' ? caller : undefined;
      const answer: AuthorizeAnswer = { requestId, authenticated: known !== undefined, allowed: false, decision: 'implicitDeny', decisions: [], error: errorJson(e) };
      if (known) answer.principal = principalView(known);
      const keyId = claimedKeyId(raw);
      if (this.auditing(false)) await this.audit({ requestId, now, region, sourceIp, userAgent, decisions: [], asked, error: { code: e.code, message: e.message }, ...(known ? { caller: known } : {}), ...(keyId ? { accessKeyId: keyId } : {}) });
      return answer;
    }
    const principal: Caller = caller;

    const facts = { raw, region, sourceIp, secureTransport: input.forwarded.secureTransport ?? false, now };
    const factsKey = requestKeyText(facts);
    let reqKeys: Record<string, ContextValue> | undefined;
    const queries: DecisionQuery[] = [];
    for (const t of input.targets) {
      // Built only when a decision is evaluated or a denial explained (a cache hit needs neither).
      let full: Record<string, ContextValue> | undefined;
      const context = () => (full ??= fullContext((reqKeys ??= requestContext(facts)), t.context, principal, now));
      const contextKey = factsKey + '\u0004' + contextText(t.context);
      for (const resource of t.resources) {
        const q: DecisionQuery = { action: t.action, resource, resourceAccount: resourceAccountOf(t, resource), contextKey, context };
        if (t.resourcePolicy) q.resourcePolicy = t.resourcePolicy;
        queries.push(q);
      }
    }
    const results = await this.deps.decider.decideAll(caller, queries);
    const decisions: DecisionJson[] = [];
    for (let i = 0; i < queries.length; i++) {
      const q = queries[i] as DecisionQuery;
      const { result: r, cached } = results[i] as Decided;
      const d: DecisionJson = { action: q.action, resource: q.resource, decision: r.decision, matchedStatements: matched(r), cached };
      if (r.decision !== 'allowed') {
        if (r.deniedBy) d.deniedBy = r.deniedBy;
        d.message = accessDeniedMessage(caller.arn, q.action, q.resource, r);
        d.encodedMessage = await encodeAuthorizationMessage(this.deps.store.settings, authorizationDetails(caller, q.action, q.resource, q.context(), r));
      }
      decisions.push(d);
    }
    const decision = overall(decisions);
    const answer: AuthorizeAnswer = { requestId, authenticated: true, allowed: decision === 'allowed', decision, principal: principalView(caller), decisions };
    if (this.auditing(answer.allowed)) await this.audit({ requestId, now, region, sourceIp, userAgent, caller, decisions, asked });
    return answer;
  }

  /**
   * GetSessionToken / GetFederationToken credentials may not call IAM (nor most of STS), whatever
   * the policies say: a service that decides IAM or STS actions gets AWS's answer for them.
   */
  private checkCredentialRestrictions(caller: Caller, targets: Target[]): void {
    for (const t of targets) {
      const [prefix, name] = t.action.split(':') as [string, string];
      const p = prefix.toLowerCase();
      if (p !== 'iam' && p !== 'sts') continue;
      const e = credentialRestriction(caller, p, name);
      if (e) throw e;
    }
  }

  private auditing(allowed: boolean): boolean {
    return this.deps.audit !== undefined && shouldAudit(this.deps.auditMode, allowed);
  }

  private async audit(record: DecisionRecord): Promise<void> {
    // INVARIANT: a decision is answered only once its audit record is durable (fail closed).
    if (this.deps.audit) await recordAll(this.deps.audit, decisionEvents(record, this.deps.random));
  }
}
