/**
 * STS basics for any signed caller: GetCallerIdentity and GetAccessKeyInfo.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html
 */
import { AwsError } from '../../domain/aws-error.js';
import type { Store } from '../../store/ports.js';
import { defineOperation, type Operation } from '../operation.js';

export interface GetCallerIdentityOutput {
  UserId: string;
  Account: string;
  Arn: string;
}

/**
 * Who signed the request. No permission is needed and an explicit deny does not apply (the API
 * reference: the same information is returned when access is denied). UserId is `aws:userid`:
 * AIDA... for a user, the account id for root, ROLEID:session for a role session,
 * ACCOUNT:name for a federated user (iam-semantics §6.5).
 */
const getCallerIdentity = defineOperation<Record<string, never>, GetCallerIdentityOutput>({
  service: 'sts',
  name: 'GetCallerIdentity',
  auth: 'signed-unauthorized',
  resources: () => ['*'],
  async run(_i, ctx) {
    const c = ctx.caller;
    if (!c) throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
    return { UserId: c.userId, Account: c.accountId, Arn: c.arn };
  },
});

export interface GetAccessKeyInfoInput {
  AccessKeyId: string;
}

/**
 * The account that owns an access key id: long-term keys (AKIA) from the store, the caller's own
 * key, and other temporary keys (ASIA) from the audit trail's record of their issue. The
 * reference says the key's state is not checked, and that a deleted key "might return an error
 * that the key doesn't exist": an id Rolecall does not know answers InvalidClientTokenId.
 */
const getAccessKeyInfo = defineOperation<GetAccessKeyInfoInput, { Account: string }>({
  service: 'sts',
  name: 'GetAccessKeyInfo',
  resources: () => ['*'],
  async run(i, ctx) {
    const id = i.AccessKeyId;
    if (typeof id !== 'string' || id.length < 16 || id.length > 128 || !/^\w+$/.test(id)) {
      throw new AwsError('ValidationError', `1 validation error detected: Value '${String(id)}' at 'accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+`);
    }
    const key = await ctx.store.accessKeys.get(id);
    if (key) return { Account: key.accountId };
    if (ctx.caller && ctx.caller.accessKeyId === id) return { Account: ctx.caller.accountId };
    const issuedIn = id.startsWith('ASIA') ? await issuedKeyAccount(ctx.store, id) : undefined;
    if (issuedIn !== undefined) return { Account: issuedIn };
    throw new AwsError('InvalidClientTokenId', 'The access key ID provided does not exist in our records.');
  },
});

/**
 * The account a temporary key belongs to, read from the audit trail's record of the call that
 * issued it: session tokens are self-contained, so no table lists the keys STS handed out, but
 * every AssumeRole*, GetSessionToken and GetFederationToken event names its key
 * (`responseElements.credentials.accessKeyId`, indexed as a resource). A role session's key is
 * the role's account's (both events of a cross-account AssumeRole say so); a GetSessionToken key
 * is the user's. Undefined without such a record (the trail off, or pruned).
 */
async function issuedKeyAccount(store: Store, keyId: string): Promise<string | undefined> {
  const records = await store.audit.lookup({ attribute: { key: 'ResourceName', value: keyId }, limit: 10 });
  for (const r of records) {
    let event: { recipientAccountId?: unknown; responseElements?: { credentials?: { accessKeyId?: unknown }; assumedRoleUser?: { arn?: unknown }; federatedUser?: { arn?: unknown } } };
    try {
      event = JSON.parse(r.json);
    } catch {
      continue;
    }
    const out = event.responseElements;
    if (out?.credentials?.accessKeyId !== keyId) continue;
    const arn = out.assumedRoleUser?.arn ?? out.federatedUser?.arn;
    const account = typeof arn === 'string' ? arn.split(':')[4] : event.recipientAccountId;
    if (typeof account === 'string' && /^\d{12}$/.test(account)) return account;
  }
  return undefined;
}

export const stsCallerOperations: Operation<any, any>[] = [getCallerIdentity, getAccessKeyInfo];
