/**
 * STS basics for any signed caller: GetCallerIdentity and GetAccessKeyInfo.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html
 */
import { AwsError } from '../../domain/aws-error.js';
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
 * The account that owns an access key id: long-term keys (AKIA) from the store, and the
 * caller's own key (which covers temporary ASIA keys, which the store does not hold). The
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
    throw new AwsError('InvalidClientTokenId', 'The access key ID provided does not exist in our records.');
  },
});

export const stsCallerOperations: Operation<any, any>[] = [getCallerIdentity, getAccessKeyInfo];
