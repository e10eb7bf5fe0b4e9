/**
 * Test support for operation tests: an OperationContext over any Store, a movable clock, and
 * callers shaped as the gateway builds them. Imports no concrete store (tests open their own).
 */
import { rootArn } from '../../../domain/arns.js';
import { AwsError, type AwsErrorCode } from '../../../domain/aws-error.js';
import type { Caller } from '../../../domain/caller.js';
import { ManualClock } from '../../../domain/clock.js';
import { cryptoRandom } from '../../../domain/random.js';
import type { Store, UserRecord } from '../../../store/ports.js';
import type { Operation, OperationContext } from '../../operation.js';

export const TEST_ACCOUNT = '123456789012';

export function rootCaller(accountId = TEST_ACCOUNT, accessKeyId = 'AKIAROOTROOTROOTROOT'): Caller {
  return { kind: 'root', accountId, principal: { type: 'Account', account: accountId, arn: rootArn(accountId), id: accountId }, userId: accountId, arn: rootArn(accountId), accessKeyId };
}

export function userCaller(u: UserRecord, accessKeyId = 'AKIAUSERUSERUSERUSER'): Caller {
  return { kind: 'user', accountId: u.accountId, principal: { type: 'User', account: u.accountId, arn: u.arn, id: u.id }, userId: u.id, arn: u.arn, accessKeyId, userName: u.name };
}

export function roleSessionCaller(accountId: string, roleName: string, roleId: string, session: string): Caller {
  const arn = `arn:aws:sts::${accountId}:assumed-role/${roleName}/${session}`;
  return {
    kind: 'assumed-role',
    accountId,
    principal: { type: 'AssumedRole', account: accountId, arn, id: `${roleId}:${session}`, roleArn: `arn:aws:iam::${accountId}:role/${roleName}`, roleId },
    userId: `${roleId}:${session}`,
    arn,
    accessKeyId: 'ASIASESSIONSESSION01',
    roleName,
  };
}

export interface TestEnv {
  store: Store;
  clock: ManualClock;
  ctx(caller?: Caller): OperationContext;
  /** Runs an operation of `ops` by name as `caller` (root by default). */
  call<O = any>(ops: Operation<any, any>[], name: string, input: Record<string, unknown>, caller?: Caller): Promise<O>;
}

export function testEnv(store: Store, start = Date.UTC(2026, 0, 1)): TestEnv {
  const clock = new ManualClock(start);
  let n = 0;
  const ctx = (caller: Caller = rootCaller()): OperationContext => ({ store, clock, random: cryptoRandom, caller, requestId: `req-${++n}`, region: 'us-east-1' });
  return {
    store,
    clock,
    ctx,
    async call(ops, name, input, caller) {
      const op = ops.find((o) => o.name === name);
      if (!op) throw new Error(`no operation ${name}`);
      const c = ctx(caller);
      op.resources(input, c); // must not throw for well-formed input
      op.conditionKeys?.(input, c);
      return op.run(input, c);
    },
  };
}

/** For assert.rejects: matches an AwsError by code and exact message. */
export function awsError(code: AwsErrorCode, message?: string): (e: unknown) => boolean {
  return (e: unknown) => {
    if (!(e instanceof AwsError)) throw e;
    if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`);
    if (message !== undefined && e.message !== message) throw new Error(`expected message ${JSON.stringify(message)}, got ${JSON.stringify(e.message)}`);
    return true;
  };
}
