/**
 * The credential memo cannot change an answer: it remembers a key's secret and Caller only after
 * a signature verified, drops them on any store write and after the TTL, and still checks every
 * signature. A real SQLite store behind the read cache, requests signed by @smithy/signature-v4.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AwsError } from '../../domain/aws-error.js';
import { parseAuth, type RawRequest } from '../../sigv4/index.js';
import { DEFAULT_DATE, signHeader } from '../../sigv4/testkit.js';
import { cachedStore, changeSignal } from '../../store/cached-store.js';
import { ACCT, accessKey, user } from '../../store/contract/fixtures.js';
import type { Store } from '../../store/ports.js';
import { MasterKey } from '../../store/sealing.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { CredentialMemo } from './credential-memo.js';

let dir = '';
let store: Store;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rolecall-memo-'));
  store = cachedStore(await openSqliteStore({ filename: join(dir, 'memo.db'), masterKey: MasterKey.generate() }), { ttlMs: 60_000 });
});
after(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

async function signed(creds: { accessKeyId: string; secretAccessKey: string }): Promise<RawRequest> {
  return signHeader({ creds, service: 'orders', body: '{}', headers: { 'content-type': 'application/json' } });
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AwsError, String(e));
    return e.code;
  }
  return 'ok';
}

describe('CredentialMemo', () => {
  it('remembers a verified key: the same Caller until a write or the TTL; every signature still checked', async () => {
    await store.users.create(user('alice'));
    const key = accessKey({ userName: 'alice' });
    await store.accessKeys.create(key);
    let t = 0;
    const memo = new CredentialMemo(changeSignal(store), () => t);
    const req = await signed(key);
    const auth = parseAuth(req);
    assert.ok(auth.ok && auth.auth);
    const c1 = await memo.authenticate(req, auth.auth, { store }, DEFAULT_DATE);
    assert.equal(c1.arn, `arn:aws:iam::${ACCT}:user/alice`);
    const c2 = await memo.authenticate(req, auth.auth, { store }, DEFAULT_DATE);
    assert.equal(c2, c1, 'served from the memo');

    // A wrong signature under a remembered key is still refused.
    const forged = await signed({ accessKeyId: key.accessKeyId, secretAccessKey: 'not-the-secret' });
    const fa = parseAuth(forged);
    assert.ok(fa.ok && fa.auth);
    assert.equal(await code(memo.authenticate(forged, fa.auth, { store }, DEFAULT_DATE)), 'SignatureDoesNotMatch');

    // The TTL: a fresh lookup (a new Caller object).
    t += 60_000;
    const c3 = await memo.authenticate(req, auth.auth, { store }, DEFAULT_DATE);
    assert.notEqual(c3, c1);

    // A write (the key deactivated) is seen by the very next request.
    await store.accessKeys.update(key.accessKeyId, { status: 'Inactive' });
    assert.equal(await code(memo.authenticate(req, auth.auth, { store }, DEFAULT_DATE)), 'InvalidClientTokenId');
  });

  it('never remembers a failure: an unknown key stays unknown, a key created later works at once', async () => {
    const memo = new CredentialMemo(changeSignal(store));
    const key = accessKey({ userName: 'bob' });
    const req = await signed(key);
    const auth = parseAuth(req);
    assert.ok(auth.ok && auth.auth);
    assert.equal(await code(memo.authenticate(req, auth.auth, { store }, DEFAULT_DATE)), 'InvalidClientTokenId');
    assert.equal(memo.size, 0);
    await store.users.create(user('bob'));
    await store.accessKeys.create(key);
    assert.equal(await code(memo.authenticate(req, auth.auth, { store }, DEFAULT_DATE)), 'ok');
    assert.equal(memo.size, 1);
    // The key deleted: the write drops the entry; the lookup refuses it.
    await store.accessKeys.delete(key.accessKeyId);
    assert.equal(await code(memo.authenticate(req, auth.auth, { store }, DEFAULT_DATE)), 'InvalidClientTokenId');
  });
});
