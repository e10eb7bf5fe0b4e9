/**
 * The request pipeline (DESIGN.md): route → parse → authenticate → authorize → operation →
 * serialize. Each stage is a small function; this file only sequences them and maps errors.
 */
import type { Logger } from 'pino';
import type { AuditHold } from '../audit/event.js';
import type { AuditedCall, GatewayAudit } from '../audit/gateway-audit.js';
import type { Authorizer } from '../authz/authorizer.js';
import { AwsError } from '../domain/aws-error.js';
import type { Caller } from '../domain/caller.js';
import type { Clock } from '../domain/clock.js';
import type { Random } from '../domain/random.js';
import type { HttpRequest, HttpResponse } from '../http/server.js';
import type { ContextValue } from '../policy/index.js';
import {
  decodeJsonRequest,
  decodeQueryRequest,
  decodeRestJsonRequest,
  encodeError,
  encodeOutput,
  isRestJsonPath,
  isUnsignedOperation,
  mergeParams,
  parseQueryString,
  SERVICES,
  type Decoded,
  type ServiceName,
  type WireError,
} from '../protocol/index.js';
import type { Operation } from '../services/operation.js';
import { credentialRestriction } from '../services/sts/credential-restrictions.js';
import { missingAuthenticationToken, parseAuth, toJsonProtocolError, wrongService, type RawRequest } from '../sigv4/index.js';
import type { Store } from '../store/ports.js';
import type { SessionIssuer } from '../tokens/claims.js';
import { AuthenticationError, authenticate, sigv4AwsError, type AuthenticateDeps } from './authenticate.js';
import type { WebIdentityKeySource } from '../services/sts/web-identity-token.js';
import { GatewayOperationContext } from './request-context.js';
import { serverFault } from './server-fault.js';
import { resourceTagKeys } from '../domain/resource-tags.js';
import { storedResources } from './resource-paths.js';

export interface GatewayDeps {
  store: Store;
  clock: Clock;
  random: Random;
  operations: Map<string, Operation<any, any>>;
  authorizer: Authorizer;
  logger: Logger;
  /** Region reported when a request carries none (unsigned calls). */
  defaultRegion: string;
  resolveSessionToken?: AuthenticateDeps['resolveSessionToken'];
  sessions?: SessionIssuer;
  /** OpenID Connect issuers' signing keys (AssumeRoleWithWebIdentity). */
  webIdentityKeys?: WebIdentityKeySource;
  /** The audit trail (absent: auditing off). */
  audit?: GatewayAudit;
  /** --trust-guardrail (absent: off). */
  trustGuardrail?: 'error' | 'security';
}

function header(req: HttpRequest, name: string): string | undefined {
  for (const [k, v] of req.headers) if (k.toLowerCase() === name) return v;
  return undefined;
}

export class Gateway {
  constructor(private readonly deps: GatewayDeps) {}

  async handle(req: HttpRequest): Promise<HttpResponse> {
    if (req.path === '/_rolecall/health') {
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'ok' }) };
    }
    const requestId = this.deps.random.uuid();
    // The audit trail may batch this request's event with the others in flight.
    const hold = this.deps.audit?.hold();
    try {
      return await this.pipeline(req, requestId, hold);
    } finally {
      hold?.release();
    }
  }

  private async pipeline(req: HttpRequest, requestId: string, hold: AuditHold | undefined): Promise<HttpResponse> {
    const raw: RawRequest = { method: req.method, path: req.path, query: req.query, headers: req.headers, bodySha256Hex: req.bodySha256Hex };
    let service: ServiceName | undefined;
    // What the audit record needs, as far as the pipeline got.
    let decoded: Decoded | undefined;
    let caller: Caller | undefined;
    let region: string | undefined;
    let ctx: GatewayOperationContext | undefined;
    try {
      // 1. What the signature says (scope service, key id): no secrets yet.
      const parsed = parseAuth(raw);
      if (!parsed.ok) {
        service = this.guessService(req);
        throw sigv4AwsError(parsed.error);
      }
      const auth = parsed.auth;
      // 2. Route and parse against the service model.
      decoded = this.decode(req, auth?.service);
      service = decoded.service;
      // The credential scope must name this service (AWS: SignatureDoesNotMatch, "Credential
      // should be scoped to correct service"), checked before the key as AWS does. A signature
      // made for another service is none for this one: a presigned S3 URL, say, signs no body
      // and lives up to seven days.
      if (auth && service !== undefined && auth.service !== SERVICES[service].signingName) throw sigv4AwsError(wrongService(SERVICES[service].signingName));
      // 3. Authenticate (before reporting input errors, as AWS does).
      const now = this.deps.clock.now();
      if (auth) {
        caller = (await authenticate(raw, auth, { store: this.deps.store, now, resolveSessionToken: this.deps.resolveSessionToken })).caller;
      } else if (!(decoded.service !== undefined && decoded.operation !== undefined && isUnsignedOperation(SERVICES[decoded.service], decoded.operation))) {
        // An unsigned operation (AssumeRoleWithWebIdentity, AssumeRoleWithSAML) with bad input
        // gets its input error below, not a missing-signature one.
        throw sigv4AwsError(missingAuthenticationToken());
      }
      // What GetSessionToken / GetFederationToken credentials may never do (IAM calls fail
      // authentication; most STS calls are refused), before input errors and policies.
      if (caller) {
        const restricted = credentialRestriction(caller, decoded.service, decoded.operation);
        if (restricted) throw restricted;
      }
      if (!decoded.ok) throw decoded.error;
      const op = this.deps.operations.get(`${decoded.service}:${decoded.operation}`);
      if (!op) throw new AwsError('NotImplemented', `Rolecall does not implement ${decoded.service}:${decoded.operation} yet.`);
      region = auth?.region ?? this.deps.defaultRegion;
      ctx = new GatewayOperationContext(this.deps.store, this.deps.clock, this.deps.random, caller, requestId, region, this.deps.authorizer, {
        now,
        sourceIp: req.remoteAddress,
        userAgent: header(req, 'user-agent'),
      });
      if (this.deps.sessions) ctx.sessions = this.deps.sessions;
      if (this.deps.webIdentityKeys) ctx.webIdentityKeys = this.deps.webIdentityKeys;
      if (this.deps.audit) ctx.audit = this.deps.audit.trail;
      if (this.deps.trustGuardrail) ctx.trustGuardrail = this.deps.trustGuardrail;
      // 4. Authorize.
      if ((op.auth ?? 'signed') === 'signed') {
        if (!caller) throw sigv4AwsError(missingAuthenticationToken());
        let resources: string[];
        let opKeys: Record<string, ContextValue>;
        if (op.resolveAuthorization) {
          ({ resources, conditionKeys: opKeys } = await op.resolveAuthorization(decoded.input, ctx));
        } else {
          const stored = await storedResources(this.deps.store, await op.resources(decoded.input, ctx));
          resources = stored.arns;
          // The named entity's tags (a user's, say), then the operation's own keys.
          const keys = (await op.conditionKeys?.(decoded.input, ctx)) ?? {};
          opKeys = stored.tags.length ? { ...resourceTagKeys(stored.tags), ...keys } : keys;
        }
        const context = { ...ctx.requestContext, ...opKeys };
        await this.deps.authorizer.authorize({ caller, action: op.action ?? `${op.service}:${op.name}`, resources, context });
      }
      // 5. Run.
      const output = await op.run(decoded.input, ctx);
      return await this.audited({ requestId, req, decoded, caller: caller ?? ctx.unsignedCaller, region, output }, encodeOutput(decoded.service, decoded.operation, output ?? {}, requestId), hold);
    } catch (e) {
      const err = this.wireError(service, e, requestId);
      return this.audited({ requestId, req, decoded, caller: caller ?? ctx?.unsignedCaller, region, error: err }, encodeError(service, err, requestId), hold);
    }
  }

  /** 6. Audit: the answer leaves only once its event is stored (src/audit/gateway-audit.ts). */
  private audited(call: AuditedCall, response: HttpResponse, hold: AuditHold | undefined): Promise<HttpResponse> {
    return this.deps.audit ? this.deps.audit.answer(call, response, hold) : Promise.resolve(response);
  }

  private decode(req: HttpRequest, signingService: string | undefined): Decoded {
    // restJson1 (Access Analyzer) is routed by method and path; IAM and STS live at `/`.
    const rest = req.path !== '/' ? decodeRestJsonRequest(req.method, req.path, req.query, req.body.toString('utf8'), (n) => header(req, n)) : undefined;
    if (rest) return rest;
    const target = header(req, 'x-amz-target');
    if (target !== undefined) return decodeJsonRequest(target, req.body.toString('utf8'));
    const query = parseQueryString(req.query);
    const contentType = header(req, 'content-type') ?? '';
    const form = req.method === 'POST' && contentType.toLowerCase().startsWith('application/x-www-form-urlencoded') ? parseQueryString(req.body.toString('utf8')) : new Map<string, string>();
    return decodeQueryRequest(mergeParams(query, form), signingService);
  }

  /** For errors before routing: JSON services are recognisable by their target header or path. */
  private guessService(req: HttpRequest): ServiceName | undefined {
    return header(req, 'x-amz-target') !== undefined ? 'cloudtrail' : isRestJsonPath(req.path) ? 'accessanalyzer' : undefined;
  }

  private wireError(service: ServiceName | undefined, e: unknown, requestId: string): WireError {
    let err: WireError;
    if (e instanceof AuthenticationError && service !== undefined && SERVICES[service].protocol !== 'query') {
      // CloudTrail and Access Analyzer name authentication failures as JSON services do.
      err = { code: toJsonProtocolError(e.sigv4).code, message: e.message, status: e.status, sender: e.sender };
    } else if (e instanceof AwsError) err = { code: e.code, message: e.message, status: e.status, sender: e.sender };
    else if (typeof e === 'object' && e !== null && typeof (e as WireError).code === 'string' && !(e instanceof Error)) err = e as WireError;
    else err = serverFault(service, e, this.deps.logger, requestId, 'request');
    return err;
  }
}
