/** Contract: IAM SAML 2.0 identity providers (0007_saml_providers). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreConflictError, type SamlProviderRecord } from '../ports.js';
import { ACCT, ACCT2, T0, T1 } from './fixtures.js';
import { withStore, type OpenStore } from './identities.js';

/** Not valid metadata (the store does not read it), but the size and shape of a real document. */
const METADATA = `<?xml version="1.0" encoding="UTF-8"?>\n<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml">${'<!-- ünïcödé -->'.repeat(80)}</md:EntityDescriptor>\n`;

export function samlProvider(name: string, over: Partial<SamlProviderRecord> = {}): SamlProviderRecord {
  const accountId = over.accountId ?? ACCT;
  return {
    accountId,
    name,
    arn: `arn:aws:iam::${accountId}:saml-provider/${name}`,
    metadataDocument: METADATA,
    uuid: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345',
    createdAt: T0,
    validUntil: new Date(Date.UTC(2126, 0, 1)),
    tags: [],
    ...over,
  };
}

export function samlProviderContract(open: OpenStore): void {
  describe('saml providers', () => {
    it('round-trips every field (a large document included); lists the account\'s providers ordered by name', () =>
      withStore(open, async (s) => {
        const okta = samlProvider('okta', { metadataDocument: METADATA + ' '.repeat(200_000) + '\n', tags: [{ Key: 'team', Value: 'id' }, { Key: 'empty', Value: '' }], createdAt: T1, validUntil: new Date(Date.UTC(2031, 4, 6, 7, 8, 9, 123)) });
        const entra = samlProvider('Entra_ID-1.0');
        const adfs = samlProvider('adfs', { uuid: 'ZYXWVUTSRQPONMLKJIHGFEDCBA' });
        for (const p of [okta, entra, adfs]) await s.samlProviders.create(p);
        assert.deepEqual(await s.samlProviders.get(ACCT, 'okta'), okta);
        assert.deepEqual(await s.samlProviders.get(ACCT, 'adfs'), adfs);
        assert.equal(await s.samlProviders.get(ACCT, 'nope'), undefined);
        assert.equal(await s.samlProviders.get(ACCT, 'OKTA'), undefined, 'names are compared exactly');
        // Code-point order on every engine (upper case before lower case).
        assert.deepEqual((await s.samlProviders.list(ACCT)).map((p) => p.name), ['Entra_ID-1.0', 'adfs', 'okta']);
        assert.deepEqual(await s.samlProviders.list(ACCT2), []);
      }));

    it('refuses a second provider with the same name in one account; other accounts are separate', () =>
      withStore(open, async (s) => {
        const p = samlProvider('corp');
        await s.samlProviders.create(p);
        await assert.rejects(s.samlProviders.create(samlProvider('corp', { uuid: 'OTHERUUIDOTHERUUIDOTHER' })), StoreConflictError);
        assert.deepEqual(await s.samlProviders.get(ACCT, 'corp'), p, 'a failed create changes nothing');
        const q = samlProvider('corp', { accountId: ACCT2, createdAt: T1 });
        await s.samlProviders.create(q);
        assert.deepEqual(await s.samlProviders.get(ACCT2, 'corp'), q);
        assert.deepEqual((await s.samlProviders.list(ACCT2)).map((x) => x.arn), [q.arn]);
        assert.equal(await s.samlProviders.delete(ACCT2, 'corp'), true);
        assert.deepEqual(await s.samlProviders.get(ACCT, 'corp'), p, 'deleting in one account leaves the other');
      }));

    it('updates the document, validUntil and tags, each alone; null clears the tags, not the document', () =>
      withStore(open, async (s) => {
        const p = samlProvider('corp', { tags: [{ Key: 'a', Value: '1' }] });
        await s.samlProviders.create(p);
        const doc2 = METADATA.replace('idp.example.com', 'idp2.example.com');
        assert.equal(await s.samlProviders.update(ACCT, 'corp', { metadataDocument: doc2 }), true);
        assert.deepEqual(await s.samlProviders.get(ACCT, 'corp'), { ...p, metadataDocument: doc2 });
        const until = new Date(Date.UTC(2030, 1, 2));
        assert.equal(await s.samlProviders.update(ACCT, 'corp', { validUntil: until }), true);
        assert.deepEqual(await s.samlProviders.get(ACCT, 'corp'), { ...p, metadataDocument: doc2, validUntil: until });
        assert.equal(await s.samlProviders.update(ACCT, 'corp', { tags: [{ Key: 'x', Value: '' }] }), true);
        const now = { ...p, metadataDocument: doc2, validUntil: until, tags: [{ Key: 'x', Value: '' }] };
        assert.deepEqual(await s.samlProviders.get(ACCT, 'corp'), now);
        assert.equal(await s.samlProviders.update(ACCT, 'corp', {}), true, 'an empty patch reports the provider exists');
        assert.equal(await s.samlProviders.update(ACCT, 'corp', { tags: null }), true);
        assert.deepEqual(await s.samlProviders.get(ACCT, 'corp'), { ...now, tags: [] });
        await assert.rejects(s.samlProviders.update(ACCT, 'corp', { metadataDocument: null }), TypeError);
        assert.equal(await s.samlProviders.update(ACCT, 'none', { tags: [] }), false);
        assert.equal(await s.samlProviders.update(ACCT, 'none', {}), false);
        assert.equal(await s.samlProviders.update(ACCT2, 'corp', { metadataDocument: METADATA }), false, 'another account\'s update misses');
        assert.equal((await s.samlProviders.get(ACCT, 'corp'))?.metadataDocument, doc2);
      }));

    it('deletes; a second delete (or of an absent provider) returns false', () =>
      withStore(open, async (s) => {
        await s.samlProviders.create(samlProvider('corp'));
        assert.equal(await s.samlProviders.delete(ACCT, 'absent'), false);
        assert.equal(await s.samlProviders.delete(ACCT2, 'corp'), false);
        assert.equal(await s.samlProviders.delete(ACCT, 'corp'), true);
        assert.equal(await s.samlProviders.delete(ACCT, 'corp'), false);
        assert.equal(await s.samlProviders.get(ACCT, 'corp'), undefined);
        assert.deepEqual(await s.samlProviders.list(ACCT), []);
        await s.samlProviders.create(samlProvider('corp', { createdAt: T1 }));
        assert.deepEqual((await s.samlProviders.get(ACCT, 'corp'))?.createdAt, T1, 'the name can be used again');
      }));

    it('writes inside a transaction that fails are rolled back', () =>
      withStore(open, async (s) => {
        const p = samlProvider('corp');
        await s.samlProviders.create(p);
        await assert.rejects(
          s.transaction(async (tx) => {
            await tx.samlProviders.update(ACCT, 'corp', { metadataDocument: 'changed' });
            await tx.samlProviders.create(samlProvider('second'));
            await tx.samlProviders.create(samlProvider('corp'));
          }),
          StoreConflictError,
        );
        assert.deepEqual(await s.samlProviders.get(ACCT, 'corp'), p);
        assert.equal(await s.samlProviders.get(ACCT, 'second'), undefined);
      }));
  });
}
