/** Contract: IAM OpenID Connect identity providers (0006_oidc_providers). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreConflictError, type OidcProviderRecord } from '../ports.js';
import { ACCT, ACCT2, T0, T1 } from './fixtures.js';
import { withStore, type OpenStore } from './identities.js';

export function oidcProvider(url: string, over: Partial<OidcProviderRecord> = {}): OidcProviderRecord {
  const accountId = over.accountId ?? ACCT;
  return {
    accountId,
    url,
    arn: `arn:aws:iam::${accountId}:oidc-provider/${url}`,
    clientIds: ['sts.amazonaws.com'],
    thumbprints: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
    tags: [],
    createdAt: T0,
    ...over,
  };
}

export function oidcProviderContract(open: OpenStore): void {
  describe('oidc providers', () => {
    it('round-trips every field; lists the account\'s providers ordered by url', () =>
      withStore(open, async (s) => {
        const gh = oidcProvider('token.actions.githubusercontent.com', {
          clientIds: ['sts.amazonaws.com', 'Client-B', 'x'.repeat(255)],
          thumbprints: ['6938fd4d98bab03faadb97b34396831e3780aea1', '1c58a3a8518e8759bf075b76b750d4f2df264fcd'],
          tags: [{ Key: 'team', Value: 'ci' }, { Key: 'empty', Value: '' }],
          createdAt: T1,
        });
        const path = oidcProvider('example.com/tenant/a', { clientIds: [], thumbprints: [] });
        const bare = oidcProvider('example.com');
        const upper = oidcProvider('Zeta.example.com');
        for (const p of [gh, path, bare, upper]) await s.oidcProviders.create(p);
        assert.deepEqual(await s.oidcProviders.get(ACCT, gh.url), gh);
        assert.deepEqual(await s.oidcProviders.get(ACCT, path.url), path);
        assert.equal(await s.oidcProviders.get(ACCT, 'example.org'), undefined);
        assert.equal(await s.oidcProviders.get(ACCT, 'example.com/'), undefined, 'urls are compared exactly');
        // Code-point order on every engine (upper case before lower case).
        assert.deepEqual((await s.oidcProviders.list(ACCT)).map((p) => p.url), ['Zeta.example.com', 'example.com', 'example.com/tenant/a', 'token.actions.githubusercontent.com']);
        assert.deepEqual(await s.oidcProviders.list(ACCT2), []);
      }));

    it('refuses a second provider with the same url in one account; other accounts are separate', () =>
      withStore(open, async (s) => {
        const p = oidcProvider('issuer.example.com');
        await s.oidcProviders.create(p);
        await assert.rejects(s.oidcProviders.create(oidcProvider('issuer.example.com', { clientIds: ['other'] })), StoreConflictError);
        assert.deepEqual(await s.oidcProviders.get(ACCT, p.url), p, 'a failed create changes nothing');
        const q = oidcProvider('issuer.example.com', { accountId: ACCT2, clientIds: ['b'] });
        await s.oidcProviders.create(q);
        assert.deepEqual(await s.oidcProviders.get(ACCT2, p.url), q);
        assert.deepEqual(await s.oidcProviders.get(ACCT, p.url), p);
        assert.deepEqual((await s.oidcProviders.list(ACCT2)).map((x) => x.arn), [q.arn]);
        assert.equal(await s.oidcProviders.delete(ACCT2, p.url), true);
        assert.deepEqual(await s.oidcProviders.get(ACCT, p.url), p, 'deleting in one account leaves the other');
      }));

    it('updates client ids, thumbprints and tags, each alone; null clears a list', () =>
      withStore(open, async (s) => {
        const p = oidcProvider('issuer.example.com', { tags: [{ Key: 'a', Value: '1' }] });
        await s.oidcProviders.create(p);
        assert.equal(await s.oidcProviders.update(ACCT, p.url, { clientIds: ['b', 'a'] }), true);
        assert.deepEqual(await s.oidcProviders.get(ACCT, p.url), { ...p, clientIds: ['b', 'a'] });
        assert.equal(await s.oidcProviders.update(ACCT, p.url, { thumbprints: ['a'.repeat(40), 'b'.repeat(40)] }), true);
        assert.deepEqual(await s.oidcProviders.get(ACCT, p.url), { ...p, clientIds: ['b', 'a'], thumbprints: ['a'.repeat(40), 'b'.repeat(40)] });
        assert.equal(await s.oidcProviders.update(ACCT, p.url, { tags: [{ Key: 'x', Value: '' }] }), true);
        const now = { ...p, clientIds: ['b', 'a'], thumbprints: ['a'.repeat(40), 'b'.repeat(40)], tags: [{ Key: 'x', Value: '' }] };
        assert.deepEqual(await s.oidcProviders.get(ACCT, p.url), now);
        assert.equal(await s.oidcProviders.update(ACCT, p.url, {}), true, 'an empty patch reports the provider exists');
        assert.deepEqual(await s.oidcProviders.get(ACCT, p.url), now);
        assert.equal(await s.oidcProviders.update(ACCT, p.url, { clientIds: null, thumbprints: [], tags: null }), true);
        assert.deepEqual(await s.oidcProviders.get(ACCT, p.url), { ...p, clientIds: [], thumbprints: [], tags: [] });
        assert.equal(await s.oidcProviders.update(ACCT, 'none.example.com', { tags: [] }), false);
        assert.equal(await s.oidcProviders.update(ACCT, 'none.example.com', {}), false);
        assert.equal(await s.oidcProviders.update(ACCT2, p.url, { clientIds: ['z'] }), false, 'another account\'s update misses');
        assert.deepEqual((await s.oidcProviders.get(ACCT, p.url))?.clientIds, []);
      }));

    it('deletes; a second delete (or of an absent provider) returns false', () =>
      withStore(open, async (s) => {
        const p = oidcProvider('issuer.example.com');
        await s.oidcProviders.create(p);
        assert.equal(await s.oidcProviders.delete(ACCT, 'absent.example.com'), false);
        assert.equal(await s.oidcProviders.delete(ACCT2, p.url), false);
        assert.equal(await s.oidcProviders.delete(ACCT, p.url), true);
        assert.equal(await s.oidcProviders.delete(ACCT, p.url), false);
        assert.equal(await s.oidcProviders.get(ACCT, p.url), undefined);
        assert.deepEqual(await s.oidcProviders.list(ACCT), []);
        await s.oidcProviders.create(oidcProvider(p.url, { createdAt: T1 }));
        assert.deepEqual((await s.oidcProviders.get(ACCT, p.url))?.createdAt, T1, 'the url can be used again');
      }));

    it('writes inside a transaction that fails are rolled back', () =>
      withStore(open, async (s) => {
        const p = oidcProvider('issuer.example.com');
        await s.oidcProviders.create(p);
        await assert.rejects(
          s.transaction(async (tx) => {
            await tx.oidcProviders.update(ACCT, p.url, { clientIds: ['changed'] });
            await tx.oidcProviders.create(oidcProvider('second.example.com'));
            await tx.oidcProviders.create(oidcProvider('issuer.example.com'));
          }),
          StoreConflictError,
        );
        assert.deepEqual(await s.oidcProviders.get(ACCT, p.url), p);
        assert.equal(await s.oidcProviders.get(ACCT, 'second.example.com'), undefined);
      }));
  });
}
