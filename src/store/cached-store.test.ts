import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cachedStore, changeSignal } from './cached-store.js';
import { runStoreContract } from './contract.js';
import { ACCT, accessKey, user } from './contract/fixtures.js';
import type { ChangeFeed, StoreChange } from './ports.js';
import { MasterKey } from './sealing.js';
import { openSqliteStore } from './sqlite/index.js';

const key = MasterKey.generate();
let dir = '';
let n = 0;
const nextFile = () => join(dir, `cached-${++n}.db`);
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rolecall-cached-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

// The cache must be invisible: the whole store contract passes through it.
runStoreContract('sqlite behind the read cache', async () => cachedStore(await openSqliteStore({ filename: nextFile(), masterKey: key })));

describe('read cache', () => {
  it('serves repeated reads from memory and sees its own writes at once', async () => {
    const raw = await openSqliteStore({ filename: nextFile(), masterKey: key });
    let reads = 0;
    const get = raw.accessKeys.get.bind(raw.accessKeys);
    raw.accessKeys.get = (id: string) => {
      reads++;
      return get(id);
    };
    const s = cachedStore(raw, { ttlMs: 60_000 });
    await s.users.create(user('alice'));
    const k = accessKey({ userName: 'alice' });
    await s.accessKeys.create(k);
    await s.accessKeys.get(k.accessKeyId);
    await s.accessKeys.get(k.accessKeyId);
    assert.equal(reads, 1);
    await s.transaction(async (tx) => {
      await tx.accessKeys.update(k.accessKeyId, { status: 'Inactive' });
    });
    assert.equal((await s.accessKeys.get(k.accessKeyId))?.status, 'Inactive');
    assert.equal(reads, 2);
    await s.close();
  });

  it('hands out frozen records: a caller mutating one fails loudly and the cache is unchanged', async () => {
    const s = cachedStore(await openSqliteStore({ filename: nextFile(), masterKey: key }), { ttlMs: 60_000 });
    await s.users.create(user('bob'));
    const a = await s.users.get(ACCT, 'bob');
    assert.throws(() => a!.tags.push({ Key: 'x', Value: 'y' }), TypeError);
    assert.throws(() => {
      (a as { name: string }).name = 'mallory';
    }, TypeError);
    const b = await s.users.get(ACCT, 'bob');
    assert.equal(b!.name, 'bob');
    assert.deepEqual(b!.tags, []);
    await s.close();
  });

  it('forgets entries after the TTL (bounded staleness for writes made by other nodes)', async () => {
    let t = 0;
    const raw = await openSqliteStore({ filename: nextFile(), masterKey: key });
    const s = cachedStore(raw, { ttlMs: 1000, now: () => t });
    await s.users.create(user('carol'));
    assert.ok(await s.users.get(ACCT, 'carol'));
    await raw.users.delete(ACCT, 'carol'); // another node's write: not seen by this cache
    assert.ok(await s.users.get(ACCT, 'carol'));
    t += 1001;
    assert.equal(await s.users.get(ACCT, 'carol'), undefined);
    await s.close();
  });

  it("a change announced by the feed (another node's commit) empties the cache at once; closing unsubscribes", async () => {
    const listeners = new Set<(c: StoreChange) => void>();
    const feed: ChangeFeed = {
      subscribe(l) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const raw = await openSqliteStore({ filename: nextFile(), masterKey: key });
    const s = cachedStore(raw, { ttlMs: 60_000, changes: feed });
    await s.users.create(user('dave'));
    assert.ok(await s.users.get(ACCT, 'dave'));
    await raw.users.delete(ACCT, 'dave'); // another node's write
    assert.ok(await s.users.get(ACCT, 'dave'), 'cached for the TTL without a notification');
    for (const l of listeners) l({ table: 'users' });
    assert.equal(await s.users.get(ACCT, 'dave'), undefined);
    assert.equal(await s.users.get(ACCT, 'erin'), undefined); // "no such user" is cached too
    await raw.users.create(user('erin'));
    assert.equal(await s.users.get(ACCT, 'erin'), undefined);
    for (const l of listeners) l({ resync: true }); // notifications were lost: drop everything
    assert.equal((await s.users.get(ACCT, 'erin'))?.name, 'erin');
    await s.close();
    assert.equal(listeners.size, 0);
  });

  it('exposes a change signal: the generation moves on every write (and transaction), not on reads', async () => {
    const raw = await openSqliteStore({ filename: nextFile(), masterKey: key });
    const s = cachedStore(raw, { ttlMs: 1234 });
    assert.equal(changeSignal(raw), undefined, 'a plain store has none');
    const signal = changeSignal(s);
    assert.ok(signal);
    assert.equal(signal.ttlMs, 1234);
    const g0 = signal.generation();
    await s.users.get(ACCT, 'nobody');
    assert.equal(signal.generation(), g0);
    await s.users.create(user('dave'));
    const g1 = signal.generation();
    assert.ok(g1 > g0);
    await s.transaction(async (tx) => {
      await tx.users.get(ACCT, 'dave');
    });
    assert.ok(signal.generation() > g1);
    await s.close();
  });
});
