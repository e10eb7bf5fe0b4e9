/**
 * What the gateway calls once per request, after the operation ran or failed and before the
 * answer leaves: builds the call's event(s) and awaits their durable record.
 *
 * What is recorded (docs/audit.md):
 * - every request that authenticated, success or failure (AccessDenied, validation errors,
 *   NoSuchEntity...), and unsigned calls to operations that allow them;
 * - not requests that fail authentication (unsigned where a signature is required, unknown or
 *   inactive key, bad signature, expired or forged token): CloudTrail "logs all authenticated API
 *   requests (made with credentials) to IAM and AWS STS API operations", and such a request has
 *   no identity and no account to file it under.
 */
import type { Caller } from '../domain/caller.js';
import type { Clock } from '../domain/clock.js';
import type { Random } from '../domain/random.js';
import type { Store } from '../store/ports.js';
import { apiCallEvents, roleAccountOf, type ApiCall } from './api-call.js';
import type { AuditTrail } from './event.js';
import { auditEventId } from './ids.js';

export interface AuditedRequest {
  requestId: string;
  sourceIp: string;
  userAgent: string | undefined;
  service: ApiCall['service'] | undefined;
  operation: string | undefined;
  input: Record<string, unknown> | undefined;
  caller: Caller | undefined;
  region: string | undefined;
  output?: unknown;
  error?: { code: string; message?: string | undefined };
}

export interface GatewayAuditDeps {
  trail: AuditTrail;
  store: Store;
  clock: Clock;
  random: Random;
  defaultRegion: string;
}

export class GatewayAudit {
  constructor(private readonly deps: GatewayAuditDeps) {}

  /** The trail itself, for operations that record more (OperationContext.audit). */
  get trail(): AuditTrail {
    return this.deps.trail;
  }

  /** Records the request's event(s); resolves once stored; false when it is not an event. */
  async record(r: AuditedRequest): Promise<boolean> {
    if (r.service === undefined || r.operation === undefined) return false;
    // Unsigned operations (AssumeRoleWithWebIdentity, ...) are recorded; anything else that
    // reached here without a caller failed authentication.
    if (!r.caller && !(r.service === 'sts' && r.operation.startsWith('AssumeRoleWith'))) return false;
    const call: ApiCall = {
      service: r.service,
      operation: r.operation,
      caller: r.caller,
      region: r.region ?? this.deps.defaultRegion,
      sourceIp: r.sourceIp,
      userAgent: r.userAgent ?? '',
      requestId: r.requestId,
      time: this.deps.clock.now(),
    } as ApiCall;
    if (r.input !== undefined) call.input = r.input;
    if (r.error) call.error = r.error.message === undefined ? { code: r.error.code } : { code: r.error.code, message: r.error.message };
    else call.output = r.output;
    // An unsigned call is filed under the role's account: only one this server has (anyone can
    // send one, naming any account).
    if (!call.caller) {
      const target = roleAccountOf(call);
      if (target === undefined || !(await this.deps.store.accounts.get(target))) return false;
    }
    const crossAccount = await this.crossAccountTarget(call);
    const events = apiCallEvents(call, { newId: () => auditEventId(this.deps.random, call.time), ...(crossAccount ? { crossAccount } : {}) });
    if (events.length === 0) return false;
    await Promise.all(events.map((e) => this.deps.trail.record(e, { at: call.time })));
    return true;
  }

  /** The role's account of a cross-account AssumeRole, if it is an account of this server. */
  private async crossAccountTarget(call: ApiCall): Promise<string | undefined> {
    const target = roleAccountOf(call);
    if (target === undefined || !call.caller || target === call.caller.accountId) return undefined;
    return (await this.deps.store.accounts.get(target)) ? target : undefined;
  }
}
