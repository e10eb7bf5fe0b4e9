/**
 * The `userIdentity` element of a CloudTrail event, built from the authenticated Caller.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 *
 * - Long-term keys: no sessionContext (IAMUser, Root).
 * - Temporary credentials: sessionContext.attributes (creationDate = when the session was issued,
 *   mfaAuthenticated), the sessionIssuer (the role for assumed roles, the IAM user or root for
 *   GetFederationToken), and sourceIdentity when the session carries one.
 * - The copy of a cross-account AssumeRole delivered to the role's account shows the caller only
 *   as `AWSAccount` with its account and principal id ("Logging sign-in events for temporary
 *   credentials" table in the IAM user guide's CloudTrail page).
 * - A request an AWS service makes itself (EC2 fetching instance-profile credentials): type
 *   `AWSService` with `invokedBy`.
 */
import type { Caller } from '../domain/caller.js';
import type { SessionIssuer, UserIdentity } from './event.js';
import { isoSeconds } from '../domain/clock.js';

/** CloudTrail's timestamps: ISO 8601, whole seconds, UTC. */
export function cloudTrailTime(d: Date): string {
  return isoSeconds(d);
}

function issuerOf(caller: Caller): SessionIssuer | undefined {
  const p = caller.principal;
  if (caller.kind === 'assumed-role' && p.type === 'AssumedRole') {
    const roleArn = p.roleArn ?? '';
    return { type: 'Role', principalId: p.roleId ?? '', arn: roleArn, accountId: caller.accountId, userName: caller.roleName ?? roleArn.slice(roleArn.lastIndexOf('/') + 1) };
  }
  if (caller.kind === 'federated-user') {
    const userArn = p.type === 'FederatedUser' ? p.userArn : undefined;
    if (userArn) {
      const userName = caller.userName ?? userArn.slice(userArn.lastIndexOf('/') + 1);
      const issuer: SessionIssuer = { type: 'IAMUser', principalId: caller.session?.issuerId ?? '', arn: userArn, accountId: caller.accountId, userName };
      return issuer;
    }
    return { type: 'Root', principalId: caller.accountId, arn: `arn:aws:iam::${caller.accountId}:root`, accountId: caller.accountId, userName: caller.accountId };
  }
  return undefined;
}

/** The userIdentity of a request made by `caller`. */
export function userIdentityOf(caller: Caller): UserIdentity {
  if (caller.kind === 'service') return serviceIdentity(caller.userId);
  if (caller.kind === 'web-identity') {
    const f = caller.federation ?? { type: 'WebIdentityUser', identityProvider: caller.arn };
    return { type: f.type, principalId: caller.userId, userName: caller.userName ?? '', identityProvider: f.identityProvider };
  }
  const type = caller.kind === 'root' ? 'Root' : caller.kind === 'user' ? 'IAMUser' : caller.kind === 'assumed-role' ? 'AssumedRole' : 'FederatedUser';
  const id: UserIdentity = { type, principalId: caller.userId, arn: caller.arn, accountId: caller.accountId, accessKeyId: caller.accessKeyId };
  if (caller.kind === 'user' && caller.userName !== undefined) id.userName = caller.userName;
  const s = caller.session;
  if (s) {
    const ctx: NonNullable<UserIdentity['sessionContext']> = {
      attributes: { creationDate: cloudTrailTime(s.issuedAt), mfaAuthenticated: s.mfaAuthenticatedAt ? 'true' : 'false' },
    };
    const issuer = issuerOf(caller);
    if (issuer) ctx.sessionIssuer = issuer;
    if (s.sourceIdentity !== undefined) ctx.sourceIdentity = s.sourceIdentity;
    // CloudTrail lists sessionIssuer, then webIdFederationData, then attributes.
    // Sessions of an OIDC provider's token (not of a SAML assertion) name it in webIdFederationData.
    const web = s.federatedProvider?.includes(':oidc-provider/') ? { webIdFederationData: { federatedProvider: s.federatedProvider, attributes: {} } } : {};
    id.sessionContext = issuer ? { sessionIssuer: issuer, ...web, ...ctx } : { ...web, ...ctx };
  }
  return id;
}

/** The caller as the role's account sees it in a cross-account AssumeRole. */
export function crossAccountIdentity(caller: Caller): UserIdentity {
  return { type: 'AWSAccount', principalId: caller.userId, accountId: caller.accountId };
}

/** An AWS service acting on its own (e.g. `ec2.amazonaws.com` fetching role credentials). */
export function serviceIdentity(servicePrincipal: string): UserIdentity {
  return { type: 'AWSService', invokedBy: servicePrincipal };
}

/**
 * LookupEvents' `Username` for an identity: the IAM user name, `root`, the role session name,
 * the federated user's name; nothing for services and other accounts' principals.
 */
export function lookupUsername(id: UserIdentity): string | undefined {
  switch (id.type) {
    case 'IAMUser':
      return id.userName;
    case 'Root':
      return 'root';
    case 'AssumedRole':
    case 'FederatedUser':
      return id.arn ? id.arn.slice(id.arn.lastIndexOf('/') + 1) : undefined;
    case 'SAMLUser':
    case 'WebIdentityUser':
      return id.userName;
    default:
      return undefined;
  }
}
