/**
 * The OperationContext of one request through the gateway. Its global condition keys
 * (`requestContext`) are built on first use: operations that authorize nothing (GetCallerIdentity)
 * never pay for them.
 *
 * A class, not an object literal with a getter: a literal's getter is a new accessor pair and
 * closure on every request, and V8 keeps such a request's objects alive through young-generation
 * collections (the closure holds the request's scope). In process, GetCallerIdentity promoted
 * ~470 bytes per request to the old generation that way (~43 as a class), each scavenge took
 * ~4 ms instead of ~1.2, and the pipeline served ~40% fewer requests (docs/benchmarks.md).
 */
import type { AuditTrail } from '../audit/event.js';
import { callerContext, type Authorizer } from '../authz/authorizer.js';
import type { Caller } from '../domain/caller.js';
import type { Clock } from '../domain/clock.js';
import type { Random } from '../domain/random.js';
import type { ContextValue } from '../policy/index.js';
import type { OperationContext } from '../services/operation.js';
import type { Store } from '../store/ports.js';
import type { SessionIssuer } from '../tokens/claims.js';
import type { WebIdentityKeySource } from '../services/sts/web-identity-token.js';
import { requestKeys } from './request-keys.js';

/** What the request's condition keys are built from, beyond the region and caller. */
export interface RequestOrigin {
  now: Date;
  sourceIp: string;
  userAgent: string | undefined;
}

export class GatewayOperationContext implements OperationContext {
  sessions?: SessionIssuer;
  webIdentityKeys?: WebIdentityKeySource;
  audit?: AuditTrail;
  trustGuardrail?: 'error' | 'security';
  unsignedCaller?: Caller;
  #keys: Record<string, ContextValue> | undefined;
  readonly #origin: RequestOrigin;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly random: Random,
    readonly caller: Caller | undefined,
    readonly requestId: string,
    readonly region: string,
    readonly authorizer: Authorizer,
    origin: RequestOrigin,
  ) {
    this.#origin = origin;
  }

  get requestContext(): Record<string, ContextValue> {
    if (this.#keys) return this.#keys;
    const o = this.#origin;
    const keys = requestKeys({ now: o.now, sourceIp: o.sourceIp, userAgent: o.userAgent, secure: false, region: this.region });
    if (this.caller) Object.assign(keys, callerContext(this.caller, o.now));
    this.#keys = keys;
    return keys;
  }
}
