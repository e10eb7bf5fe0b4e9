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
import type { Logger } from 'pino';
import type { Caller } from '../domain/caller.js';
import type { Clock } from '../domain/clock.js';
import type { Random } from '../domain/random.js';
import type { HttpRequest, HttpResponse } from '../http/server.js';
import { encodeError, type Decoded, type WireError } from '../protocol/index.js';
import type { Store } from '../store/ports.js';
import { serverFault } from '../gateway/server-fault.js';
import { apiCallEvents, roleAccountOf, type ApiCall } from './api-call.js';
import { NO_HOLD, type AuditHold, type AuditTrail } from './event.js';
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

/** How far the gateway's pipeline got with a request, and how it ended. */
export interface AuditedCall {
  requestId: string;
  req: HttpRequest;
  decoded: Decoded | undefined;
  caller: Caller | undefined;
  region: string | undefined;
  output?: unknown;
  error?: WireError;
}

export interface GatewayAuditDeps {
  trail: AuditTrail;
  store: Store;
  clock: Clock;
  random: Random;
  defaultRegion: string;
  logger: Logger;
}

function header(req: HttpRequest, name: string): string | undefined {
  for (const [k, v] of req.headers) if (k.toLowerCase() === name) return v;
  return undefined;
}

export class GatewayAudit {
  constructor(private readonly deps: GatewayAuditDeps) {}

  /**
   * The answer to send for a finished request: `response` once the request's event is durably
   * stored. If it cannot be stored the client gets InternalFailure (ServiceFailure for IAM)
   * instead: an answer the client received implies a record.
   */
  async answer(c: AuditedCall, response: HttpResponse, hold: AuditHold = NO_HOLD): Promise<HttpResponse> {
    try {
      await this.record(
        {
        requestId: c.requestId,
        sourceIp: c.req.remoteAddress,
        userAgent: header(c.req, 'user-agent'),
        service: c.decoded?.service,
        operation: c.decoded?.operation,
        input: c.decoded?.ok ? c.decoded.input : undefined,
        caller: c.caller,
        region: c.region,
        output: c.output,
        ...(c.error ? { error: { code: c.error.code, message: c.error.message } } : {}),
        },
        hold,
      );
      return response;
    } catch (e) {
      // An answer the client receives implies a record: without one, a server fault instead.
      const svc = c.decoded?.service;
      return encodeError(svc, serverFault(svc, e, this.deps.logger, c.requestId, 'audit record'), c.requestId);
    }
  }

  /** Announces a request that may record an event (AuditTrail.hold); pass it to answer(). */
  hold(): AuditHold {
    return this.deps.trail.hold?.() ?? NO_HOLD;
  }

  /** The trail itself, for operations that record more (OperationContext.audit). */
  get trail(): AuditTrail {
    return this.deps.trail;
  }

  /**
   * Records the request's event(s); resolves once stored; false when it is not an event. `hold`
   * is released as soon as the events are queued (or it is known there are none), before the
   * wait for their commit: the batch they go into waits for the holds still open.
   */
  async record(r: AuditedRequest, hold: AuditHold = NO_HOLD): Promise<boolean> {
    let stored: Promise<void>[];
    try {
      stored = await this.queue(r);
    } finally {
      hold.release();
    }
    await Promise.all(stored);
    return stored.length > 0;
  }

  /** Builds the request's event(s) and hands them to the trail; [] when it is not an event. */
  private async queue(r: AuditedRequest): Promise<Promise<void>[]> {
    if (r.service === undefined || r.operation === undefined) return [];
    // Unsigned operations (AssumeRoleWithWebIdentity, ...) are recorded; anything else that
    // reached here without a caller failed authentication.
    if (!r.caller && !(r.service === 'sts' && r.operation.startsWith('AssumeRoleWith'))) return [];
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
      if (target === undefined || !(await this.deps.store.accounts.get(target))) return [];
    }
    const crossAccount = await this.crossAccountTarget(call);
    const events = apiCallEvents(call, { newId: () => auditEventId(this.deps.random, call.time), ...(crossAccount ? { crossAccount } : {}) });
    return events.map((e) => this.deps.trail.record(e, { at: call.time }));
  }

  /** The role's account of a cross-account AssumeRole, if it is an account of this server. */
  private async crossAccountTarget(call: ApiCall): Promise<string | undefined> {
    const target = roleAccountOf(call);
    if (target === undefined || !call.caller || target === call.caller.accountId) return undefined;
    return (await this.deps.store.accounts.get(target)) ? target : undefined;
  }
}
