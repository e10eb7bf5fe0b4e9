/**
 * Accounts and their root credentials. The first start creates one account with random root keys
 * (or the ones configured); more accounts can be created for cross-account work.
 */
import type { Clock } from '../../domain/clock.js';
import { secretsEqual } from '../../domain/secrets.js';
import { newAccountId, newId, newSecretAccessKey } from '../../domain/ids.js';
import type { Random } from '../../domain/random.js';
import { StoreConflictError, type AccessKeyRecord, type Store } from '../../store/ports.js';

/** Set by the node that creates the first account of an empty store. */
const FIRST_ACCOUNT_CLAIM = 'accounts:first-account-claim';

export interface RootCredentials {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface CreateAccountOptions {
  accountId?: string;
  rootAccessKeyId?: string;
  rootSecretAccessKey?: string;
}

export async function createAccount(store: Store, random: Random, clock: Clock, opts: CreateAccountOptions = {}): Promise<RootCredentials> {
  return store.transaction(async (tx) => {
    let accountId = opts.accountId;
    if (!accountId) {
      do accountId = newAccountId(random);
      while (await tx.accounts.get(accountId));
    } else if (await tx.accounts.get(accountId)) {
      throw new StoreConflictError('account', accountId);
    }
    const now = clock.now();
    await tx.accounts.create({ id: accountId, createdAt: now });
    const key: AccessKeyRecord = {
      accessKeyId: opts.rootAccessKeyId ?? newId(random, 'AKIA'),
      accountId,
      secretAccessKey: opts.rootSecretAccessKey ?? newSecretAccessKey(random),
      status: 'Active',
      createdAt: now,
    };
    await tx.accessKeys.create(key);
    return { accountId, accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  });
}

/**
 * On start: make sure the first account exists, and that configured root keys (e.g. fixed in CI
 * through ROLECALL_ROOT_*) are the first account's active root keys.
 */
export async function ensureFirstAccount(store: Store, random: Random, clock: Clock, opts: CreateAccountOptions): Promise<{ credentials: RootCredentials; created: boolean }> {
  // Several nodes starting at once on an empty shared database (PostgreSQL) race here: the
  // losers' writes conflict, and the next round finds what the winner made.
  for (let round = 1; ; round++) {
    try {
      return await ensureFirstAccountOnce(store, random, clock, opts);
    } catch (e) {
      if (!(e instanceof StoreConflictError) || round >= 5) throw e;
    }
  }
}

async function ensureFirstAccountOnce(store: Store, random: Random, clock: Clock, opts: CreateAccountOptions): Promise<{ credentials: RootCredentials; created: boolean }> {
  const accounts = await store.accounts.list();
  const first = opts.accountId ? accounts.find((a) => a.id === opts.accountId) : accounts.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];
  if (!first) {
    const credentials = await store.transaction(async (tx) => {
      // Without a fixed account id each node would make its own random one: one claim wins.
      if (!opts.accountId && !(await tx.settings.compareAndSet(FIRST_ACCOUNT_CLAIM, undefined, clock.now().toISOString()))) {
        throw new StoreConflictError('first account', 'claim');
      }
      return createAccount(tx, random, clock, opts);
    });
    return { credentials, created: true };
  }
  if (opts.rootAccessKeyId && opts.rootSecretAccessKey) {
    const existing = await store.accessKeys.get(opts.rootAccessKeyId);
    if (existing && (existing.accountId !== first.id || existing.userName !== undefined)) {
      throw new Error(`access key ${opts.rootAccessKeyId} already belongs to another identity`);
    }
    if (!existing) {
      await store.accessKeys.create({ accessKeyId: opts.rootAccessKeyId, accountId: first.id, secretAccessKey: opts.rootSecretAccessKey, status: 'Active', createdAt: clock.now() });
    } else if (!secretsEqual(existing.secretAccessKey, opts.rootSecretAccessKey)) {
      throw new Error(`ROLECALL_ROOT_ACCESS_KEY_ID ${opts.rootAccessKeyId} exists with a different secret`);
    }
    return { credentials: { accountId: first.id, accessKeyId: opts.rootAccessKeyId, secretAccessKey: opts.rootSecretAccessKey }, created: false };
  }
  return { credentials: await rootCredentials(store, first.id), created: false };
}

export async function rootCredentials(store: Store, accountId: string): Promise<RootCredentials> {
  const keys = (await store.accessKeys.listForUser(accountId, undefined)).filter((k) => k.status === 'Active');
  const k = keys.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];
  if (!k) throw new Error(`account ${accountId} has no active root access key`);
  return { accountId, accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey };
}
