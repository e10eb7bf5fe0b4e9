/** Every operation Rolecall implements, by `service:Name`. */
import { lookupEvents } from './cloudtrail/lookup-events.js';
import { validatePolicyOperation } from './accessanalyzer/validate-policy.js';
import { accessKeyOperations } from './iam/access-keys.js';
import { accountOperations } from './iam/account.js';
import { groupOperations } from './iam/groups.js';
import { instanceProfileOperations } from './iam/instance-profiles.js';
import { mfaOperations } from './iam/mfa.js';
import { oidcProviderOperations } from './iam/oidc-providers.js';
import { samlProviderOperations } from './iam/saml-providers.js';
import { policyOperations } from './iam/policies.js';
import { rolePolicyOperations } from './iam/role-policies.js';
import { roleOperations } from './iam/roles.js';
import { simulateOperations } from './iam/simulate.js';
import { userOperations } from './iam/users.js';
import type { Operation } from './operation.js';
import { assumeRole } from './sts/assume-role.js';
import { assumeRoleWithSAML } from './sts/assume-role-with-saml.js';
import { assumeRoleWithWebIdentity } from './sts/assume-role-with-web-identity.js';
import { stsCallerOperations } from './sts/caller.js';
import { decodeAuthorizationMessage } from './sts/decode-authorization-message.js';
import { getFederationToken } from './sts/get-federation-token.js';
import { getSessionToken } from './sts/get-session-token.js';

export const ALL_OPERATIONS: Operation<any, any>[] = [
  ...roleOperations,
  ...rolePolicyOperations,
  ...policyOperations,
  ...simulateOperations,
  ...userOperations,
  ...groupOperations,
  ...accessKeyOperations,
  ...mfaOperations,
  ...instanceProfileOperations,
  ...oidcProviderOperations,
  ...samlProviderOperations,
  ...accountOperations,
  ...stsCallerOperations,
  assumeRole,
  assumeRoleWithWebIdentity,
  assumeRoleWithSAML,
  getSessionToken,
  getFederationToken,
  decodeAuthorizationMessage,
  lookupEvents,
  validatePolicyOperation,
];

export function operationRegistry(ops: Operation<any, any>[] = ALL_OPERATIONS): Map<string, Operation<any, any>> {
  const m = new Map<string, Operation<any, any>>();
  for (const op of ops) {
    const key = `${op.service}:${op.name}`;
    if (m.has(key)) throw new Error(`operation ${key} registered twice`);
    m.set(key, op);
  }
  return m;
}
