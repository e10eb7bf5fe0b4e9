/**
 * The decision point for other services (docs/authorize.md): `POST /_rolecall/authorize` and
 * `POST /_rolecall/verify-identity`, served beside the AWS APIs through the Endpoint hook.
 */
import type { PolicySource } from '../../authz/authorizer.js';
import type { AuditTrail } from '../../audit/event.js';
import type { Clock } from '../../domain/clock.js';
import type { Random } from '../../domain/random.js';
import { changeSignal } from '../../store/cached-store.js';
import type { Store } from '../../store/ports.js';
import type { Endpoint } from '../endpoint.js';
import type { AuditMode } from './audit-events.js';
import type { AuthDeps } from './authenticate-call.js';
import { AuthorizeEndpoint, type Logger } from './authorize-endpoint.js';
import { Decider } from './decider.js';
import { CredentialMemo } from './credential-memo.js';
import { DecisionCache, type DecisionCacheOptions } from './decision-cache.js';
import { VerifyIdentityEndpoint } from './verify-identity-endpoint.js';

export { AUDIT_MODES, type AuditMode } from './audit-events.js';
export { AUTHORIZE_PATH, AUTHORIZE_ACTION, REQUESTED_ACTION_KEY } from './authorize-endpoint.js';
export { VERIFY_IDENTITY_PATH } from './verify-identity-endpoint.js';

export interface DecisionPointDeps {
  store: Store;
  clock: Clock;
  random: Random;
  resolveSessionToken?: AuthDeps['resolveSessionToken'];
  policySource: PolicySource;
  /** Which decisions reach the audit trail (default `denials`). */
  auditMode?: AuditMode;
  audit?: AuditTrail;
  logger?: Logger;
  /** The decision cache and credential memo (on by default when the store is a cachedStore; `false` turns both off). */
  decisionCache?: boolean | DecisionCacheOptions;
}

export function decisionPointEndpoints(deps: DecisionPointDeps): Endpoint[] {
  const signal = changeSignal(deps.store);
  const cacheOpts = deps.decisionCache ?? true;
  const cache = signal && cacheOpts !== false ? new DecisionCache(signal, cacheOpts === true ? {} : cacheOpts) : undefined;
  const auth: AuthDeps = {
    store: deps.store,
    ...(deps.resolveSessionToken ? { resolveSessionToken: deps.resolveSessionToken } : {}),
    ...(signal && cacheOpts !== false ? { memo: new CredentialMemo(signal) } : {}),
  };
  const common = { ...auth, clock: deps.clock, random: deps.random, ...(deps.logger ? { logger: deps.logger } : {}) };
  return [
    new AuthorizeEndpoint({ ...common, decider: new Decider(deps.policySource, cache), auditMode: deps.auditMode ?? 'denials', ...(deps.audit ? { audit: deps.audit } : {}) }),
    new VerifyIdentityEndpoint(common),
  ];
}
