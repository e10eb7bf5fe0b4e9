/**
 * Test support for the role and policy operations (no tests here): a real SQLite store in memory,
 * an account, a root caller, and helpers to call operations by name and to match AWS errors.
 * Named `.test.ts` so that the import-boundary check (which exempts tests) allows the concrete
 * store.
 */
import assert from 'node:assert/strict';
import { AwsError, type AwsErrorCode } from '../../domain/aws-error.js';
import { iamArn, rootArn } from '../../domain/arns.js';
import type { Caller } from '../../domain/caller.js';
import { ManualClock } from '../../domain/clock.js';
import { newId } from '../../domain/ids.js';
import { cryptoRandom } from '../../domain/random.js';
import { MasterKey } from '../../store/sealing.js';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/index.js';
import type { UserRecord } from '../../store/ports.js';
import type { Operation, OperationContext } from '../operation.js';
import { policyOperations } from './policies.js';
import { rolePolicyOperations } from './role-policies.js';
import { roleOperations } from './roles.js';
import { simulateOperations } from './simulate.js';
import type { IamOperation } from './shared/operation-kit.js';

export const ACCOUNT = '123456789012';

const ALL: Operation<any, any>[] = [...roleOperations, ...rolePolicyOperations, ...policyOperations, ...simulateOperations];

export function op(name: string): IamOperation<Record<string, unknown>, Record<string, unknown>> {
  const found = ALL.find((o) => o.name === name);
  if (!found) throw new Error(`no operation ${name}`);
  return found as IamOperation<Record<string, unknown>, Record<string, unknown>>;
}

export interface Harness {
  store: SqliteStore;
  clock: ManualClock;
  ctx: OperationContext;
  call(name: string, input: Record<string, unknown>): Promise<any>;
  createUser(name: string, path?: string): Promise<UserRecord>;
  close(): Promise<void>;
}

export function rootCaller(accountId: string): Caller {
  return {
    kind: 'root',
    accountId,
    principal: { type: 'Account', account: accountId, arn: rootArn(accountId), id: accountId },
    userId: accountId,
    arn: rootArn(accountId),
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  };
}

export async function harness(accountId = ACCOUNT): Promise<Harness> {
  const store = await openSqliteStore({ filename: ':memory:', masterKey: MasterKey.generate() });
  const clock = new ManualClock();
  await store.accounts.create({ id: accountId, createdAt: clock.now() });
  const ctx: OperationContext = { store, clock, random: cryptoRandom, caller: rootCaller(accountId), requestId: 'req-1', region: 'us-east-1' };
  return {
    store,
    clock,
    ctx,
    call: (name, input) => op(name).run(input, ctx),
    async createUser(name, path = '/') {
      const u: UserRecord = { accountId, name, path, id: newId(cryptoRandom, 'AIDA'), arn: iamArn(accountId, 'user', path, name), createdAt: clock.now(), tags: [] };
      await store.users.create(u);
      return u;
    },
    close: () => store.close(),
  };
}

/** Asserts the promise rejects with exactly this AWS error code and message. */
export async function rejectsWith(p: Promise<unknown>, code: AwsErrorCode, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AwsError, `expected AwsError, got ${String(e)}`);
    assert.equal(e.code, code, `code (message: ${e.message})`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

export const TRUST_EC2 = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export function trustFor(...aws: string[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: aws.length === 1 ? aws[0] : aws }, Action: 'sts:AssumeRole' }] });
}

export function allow(action: string, resource = '*'): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
}

export function deny(action: string, resource = '*'): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: action, Resource: resource }] });
}
