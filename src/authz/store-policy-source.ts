/**
 * The caller's policies, read from the store for each request. Parsing is memoised by document
 * text (the engine then compiles each parsed model once), so a request costs a few indexed reads
 * and no parsing once warm.
 */
import type { Caller } from '../domain/caller.js';
import type { NamedPolicy, PolicySet } from '../policy/index.js';
import { identityPolicySet } from '../services/iam/shared/identity-policies.js';
import type { Store } from '../store/ports.js';
import type { PolicySource } from './authorizer.js';

const ROOT_EQUIVALENT: NamedPolicy = {
  id: 'root-user',
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

export class StorePolicySource implements PolicySource {
  constructor(private readonly store: Store) {}

  async policiesFor(caller: Caller): Promise<PolicySet> {
    // A service principal or a federated (OIDC, SAML) caller has no identity policies: the trust policy alone decides.
    if (caller.kind === 'root' || caller.kind === 'service' || caller.kind === 'web-identity') return {};
    // A federated user made by the root user: root may do everything, so the session policies
    // alone decide (GetFederationToken: "the intersection of the caller's and the session's").
    const ids: { identity: NamedPolicy[]; boundary?: NamedPolicy } = caller.kind === 'federated-user' && !caller.userName ? { identity: [ROOT_EQUIVALENT] } : await identityPolicySet(this.store, caller);
    const set: PolicySet = { identity: ids.identity };
    if (ids.boundary) set.boundary = ids.boundary;
    if (caller.session) {
      set.session = caller.session.policies.map((doc, i): NamedPolicy => ({ id: `session.${i + 1}`, policy: doc }));
    }
    return set;
  }
}
