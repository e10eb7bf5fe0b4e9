/**
 * Test helpers for tokens/ (imported by the *.test.ts files only): claims fixtures and an
 * in-memory SettingsRepo that counts reads and can be made to fail or to line up writers.
 */
import type { SettingsRepo } from '../store/ports.js';
import type { SessionClaims } from './claims.js';

export const ACCOUNT = '123456789012';
export const T0 = Date.UTC(2026, 0, 1) / 1000;

/** A 300-character session policy of typical IAM JSON. */
export const POLICY_300 =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::artifacts/ci/*"},' +
  '{"Effect":"Allow","Action":"dynamodb:Query","Resource":"arn:aws:dynamodb:eu-west-1:123456789012:table/builds",' +
  '"Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}';

/** What the STS AssumeRole operation passes to issue(): 2 session tags and one 300-char policy. */
export function assumeRoleClaims(issuedAt = T0, lifetime = 3600): Omit<SessionClaims, 'v' | 'accessKeyId' | 'secretAccessKey'> {
  return {
    kind: 'assumed-role',
    accountId: ACCOUNT,
    issuedAt,
    expiresAt: issuedAt + lifetime,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/deploy/ci-deployer`,
    roleId: 'AROAXH4DQ5ZKEXAMPLE1',
    roleName: 'ci-deployer',
    sessionName: 'build-48213',
    tags: [
      { Key: 'team', Value: 'platform' },
      { Key: 'cost-center', Value: 'cc-1042' },
    ],
    transitiveTagKeys: ['team'],
    sessionPolicies: [POLICY_300],
    chainDepth: 0,
    originalCaller: `arn:aws:iam::${ACCOUNT}:user/ci-bot`,
  };
}

/** Claims with every optional field set (values unusual on purpose: unicode, quotes, zeros). */
export function fullClaims(issuedAt = T0): SessionClaims {
  return {
    v: 1,
    kind: 'federated-user',
    accountId: ACCOUNT,
    accessKeyId: 'ASIAABCDEFGHIJKLMNOP',
    secretAccessKey: 'abcdefghijklmnopqrstuvwxyz0123456789+/AB',
    issuedAt,
    expiresAt: issuedAt + 129_600,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/r`,
    roleId: 'AROAROLEROLEROLEROLE',
    roleName: 'r',
    sessionName: 's@example.com',
    userName: 'bob',
    userId: 'AIDAUSERUSERUSERUSER',
    userArn: `arn:aws:iam::${ACCOUNT}:user/bob`,
    federatedName: 'fed "quoted" ünïcødé ✓',
    mfaAuthenticatedAt: 0,
    sourceIdentity: 'bob@corp',
    tags: [{ Key: 'k', Value: '' }],
    transitiveTagKeys: [],
    sessionPolicies: [POLICY_300, '{"Version":"2012-10-17","Statement":[]}'],
    chainDepth: 3,
    originalCaller: `arn:aws:iam::${ACCOUNT}:user/bob`,
    federatedProvider: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    // Not in key order: the encoding sorts them.
    federatedKeys: { 'token.actions.githubusercontent.com:sub': 'repo:octo/app:ref:refs/heads/main', 'token.actions.githubusercontent.com:aud': ['sts.amazonaws.com', 'other'] },
    invokedBy: 'ec2.amazonaws.com',
  };
}

export class MemorySettings implements SettingsRepo {
  readonly values = new Map<string, string>();
  gets = 0;
  fail = false;

  async get(key: string): Promise<string | undefined> {
    await Promise.resolve();
    this.gets++;
    if (this.fail) throw new Error('store unavailable');
    return this.values.get(key);
  }
  async put(key: string, value: string): Promise<void> {
    if (this.fail) throw new Error('store unavailable');
    this.values.set(key, value);
  }
  async compareAndSet(key: string, expected: string | undefined, value: string): Promise<boolean> {
    await Promise.resolve();
    if (this.fail) throw new Error('store unavailable');
    if (this.values.get(key) !== expected) return false;
    this.values.set(key, value);
    return true;
  }
}

/**
 * A barrier for racing nodes: each wrapped SettingsRepo's next compareAndSet waits until `n`
 * compareAndSet calls (across all wrapped repos) are pending, so they all run against the same
 * value they read. Later calls pass straight through.
 */
export function writersBarrier(n: number): (inner: SettingsRepo) => SettingsRepo {
  const waiting: Array<() => void> = [];
  let open = false;
  return (inner) => ({
    get: (k) => inner.get(k),
    put: (k, v) => inner.put(k, v),
    compareAndSet: async (k, e, v) => {
      if (!open) {
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length >= n) {
            open = true;
            for (const r of waiting.splice(0)) r();
          }
        });
      }
      return inner.compareAndSet(k, e, v);
    },
  });
}
