/**
 * What a session token carries. The token is self-contained: any node verifies a request signed
 * with session credentials by unsealing the token (no database read), so every fact the
 * authorizer needs about the session is here.
 */
import type { Tag } from '../store/ports.js';

export type SessionKind =
  | 'assumed-role' // AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML, service roles
  | 'federated-user' // GetFederationToken
  | 'user-session' // GetSessionToken for an IAM user
  | 'root-session'; // GetSessionToken for the account root user

export interface SessionClaims {
  /** Claims format version. */
  v: 1;
  kind: SessionKind;
  /** Account of the session's principal (the role's account for assumed roles). */
  accountId: string;
  /** The temporary access key id (ASIA...) the token belongs to. */
  accessKeyId: string;
  /** The temporary secret: sealed inside the token, never stored anywhere else. */
  secretAccessKey: string;
  /** Epoch seconds. */
  issuedAt: number;
  expiresAt: number;
  /** Assumed roles. */
  roleArn?: string;
  roleId?: string;
  roleName?: string;
  sessionName?: string;
  /** Users (user-session) and the federating user (federated-user). */
  userName?: string;
  userId?: string;
  userArn?: string;
  /** federated-user: the name passed to GetFederationToken. */
  federatedName?: string;
  /** Epoch seconds of the MFA authentication, when MFA was used. */
  mfaAuthenticatedAt?: number;
  sourceIdentity?: string;
  /** Session tags (passed + inherited transitive); role tags are read from the role. */
  tags: Tag[];
  transitiveTagKeys: string[];
  /** Session policies: inline JSON text and the documents of PolicyArns, as given at issue time. */
  sessionPolicies: string[];
  /** 0 for a session made with long-term keys; +1 per role-chaining hop. */
  chainDepth: number;
  /** ARN of the long-term identity (or service/IdP) at the start of the chain. */
  originalCaller: string;
  /** The web identity / SAML provider, for aws:FederatedProvider. */
  federatedProvider?: string;
  /**
   * The identity provider's condition keys (`<url>:sub`, `<url>:aud`, `saml:sub`, ...), which AWS
   * makes "available when the temporary security credentials are used to make a request".
   */
  federatedKeys?: Record<string, string | string[]>;
  /** Service principal that obtained the credentials (ec2.amazonaws.com ...). */
  invokedBy?: string;
}

export interface IssuedCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: Date;
}

/** Issues temporary credentials: makes the key pair, seals the claims into the token. */
export interface SessionIssuer {
  issue(claims: Omit<SessionClaims, 'v' | 'accessKeyId' | 'secretAccessKey'>): Promise<IssuedCredentials>;
}

/** Opens a session token; `invalid` covers tampered, foreign and unknown-key tokens alike. */
export interface SessionVerifier {
  open(token: string, nowSeconds: number): Promise<{ ok: true; claims: SessionClaims } | { ok: false; reason: 'invalid' | 'expired' }>;
}
