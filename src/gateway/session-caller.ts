/**
 * Requests signed with temporary credentials: the session token is unsealed (no database read)
 * into the claims, which must belong to the request's access key id; the caller is built from
 * the claims, with the role's tags read for aws:PrincipalTag.
 */
import { assumedRoleArn, federatedUserArn, iamArn, rootArn } from '../domain/arns.js';
import type { Caller } from '../domain/caller.js';
import type { ParsedAuth } from '../sigv4/index.js';
import type { Store } from '../store/ports.js';
import type { SessionClaims, SessionVerifier } from '../tokens/claims.js';
import { principalTags } from '../services/sts/session-tags.js';

export type SessionResolution = { caller: Caller; secretAccessKey: string } | 'expired' | undefined;

export function callerFromClaims(c: SessionClaims, roleTags: Caller['tags']): Caller {
  const session: NonNullable<Caller['session']> = {
    issuedAt: new Date(c.issuedAt * 1000),
    expiresAt: new Date(c.expiresAt * 1000),
    tags: c.tags,
    transitiveTagKeys: c.transitiveTagKeys,
    policies: c.sessionPolicies,
    chainDepth: c.chainDepth,
    originalCaller: c.originalCaller,
  };
  if (c.mfaAuthenticatedAt !== undefined) session.mfaAuthenticatedAt = new Date(c.mfaAuthenticatedAt * 1000);
  if (c.sourceIdentity !== undefined) session.sourceIdentity = c.sourceIdentity;
  if (c.federatedProvider !== undefined) session.federatedProvider = c.federatedProvider;
  if (c.federatedKeys !== undefined) session.federatedKeys = c.federatedKeys;
  switch (c.kind) {
    case 'assumed-role': {
      const arn = assumedRoleArn(c.accountId, c.roleName ?? '', c.sessionName ?? '');
      const userId = `${c.roleId}:${c.sessionName}`;
      const caller: Caller = {
        kind: 'assumed-role',
        accountId: c.accountId,
        principal: { type: 'AssumedRole', account: c.accountId, arn, id: userId, roleArn: c.roleArn ?? '', roleId: c.roleId ?? '' },
        userId,
        arn,
        accessKeyId: c.accessKeyId,
        roleName: c.roleName ?? '',
        tags: principalTags(roleTags ?? [], c.tags),
        session,
      };
      return caller;
    }
    case 'federated-user': {
      const arn = federatedUserArn(c.accountId, c.federatedName ?? '');
      const userId = `${c.accountId}:${c.federatedName}`;
      const caller: Caller = {
        kind: 'federated-user',
        accountId: c.accountId,
        principal: { type: 'FederatedUser', account: c.accountId, arn, id: userId, ...(c.userArn ? { userArn: c.userArn } : {}) },
        userId,
        arn,
        accessKeyId: c.accessKeyId,
        tags: c.tags,
        session,
      };
      if (c.userName) caller.userName = c.userName;
      if (c.userId) session.issuerId = c.userId;
      return caller;
    }
    case 'user-session': {
      const arn = c.userArn ?? iamArn(c.accountId, 'user', '/', c.userName ?? '');
      return {
        kind: 'user',
        accountId: c.accountId,
        principal: { type: 'User', account: c.accountId, arn, id: c.userId ?? '' },
        userId: c.userId ?? '',
        arn,
        accessKeyId: c.accessKeyId,
        userName: c.userName ?? '',
        tags: roleTags ?? [],
        session,
      };
    }
    case 'root-session': {
      const arn = rootArn(c.accountId);
      return { kind: 'root', accountId: c.accountId, principal: { type: 'Account', account: c.accountId, arn, id: c.accountId }, userId: c.accountId, arn, accessKeyId: c.accessKeyId, session };
    }
  }
}

export function sessionResolver(verifier: SessionVerifier, store: Store, nowSeconds: () => number) {
  return async (auth: ParsedAuth): Promise<SessionResolution> => {
    const token = auth.securityToken;
    if (token === undefined) return undefined;
    const r = await verifier.open(token, nowSeconds());
    if (!r.ok) return r.reason === 'expired' ? 'expired' : undefined;
    const c = r.claims;
    // INVARIANT: a token only vouches for the access key id sealed inside it.
    if (c.accessKeyId !== auth.accessKeyId) return undefined;
    let tags: Caller['tags'] = [];
    if (c.kind === 'assumed-role' && c.roleName) tags = (await store.roles.get(c.accountId, c.roleName))?.tags ?? [];
    else if (c.kind === 'user-session' && c.userName) tags = (await store.users.get(c.accountId, c.userName))?.tags ?? [];
    return { caller: callerFromClaims(c, tags), secretAccessKey: c.secretAccessKey };
  };
}
