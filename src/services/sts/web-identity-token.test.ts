/**
 * The token checks against a real store, a real HTTPS issuer and the real key source: what the
 * verifier asks the key source for (the provider's stored url, whatever the token's spelling).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../domain/clock.js';
import { startTestIssuer, type TestIssuer } from '../../federation/dev-issuer-harness.test.js';
import { OidcKeySource } from '../../federation/oidc-keys.js';
import type { Store } from '../../store/ports.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { verifyWebIdentityToken } from './web-identity-token.js';

const ACCOUNT = '123456789012';

describe('verifyWebIdentityToken', () => {
  let store: Store;
  let idp: TestIssuer;
  const clock = new ManualClock(Date.now());
  const asked: string[] = [];
  const real = new OidcKeySource();
  const keys = { keys: (issuer: string, thumbprints: readonly string[], kid?: string) => (asked.push(issuer), real.keys(issuer, thumbprints, kid)) };

  before(async () => {
    store = await openSqliteStore({ filename: ':memory:', masterKey: randomBytes(32) });
    idp = await startTestIssuer();
    await store.oidcProviders.create({ accountId: ACCOUNT, url: idp.url, arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${idp.url}`, clientIds: ['sts.amazonaws.com'], thumbprints: [idp.thumbprint], tags: [], createdAt: new Date() });
  });
  after(async () => {
    await idp.close();
    await store.close();
  });

  it("fetches keys from the provider's stored url, however the token spells its issuer", async () => {
    const file = join(idp.dir, 'issuer.json');
    const saved = readFileSync(file, 'utf8');
    const tokens: string[] = [];
    for (const spelling of [idp.issuer, idp.issuer.replace('localhost', 'LOCALHOST'), idp.issuer.replace('localhost', 'LocalHost')]) {
      writeFileSync(file, JSON.stringify({ ...JSON.parse(saved), issuer: spelling }));
      tokens.push(await idp.token({ sub: 'x', aud: 'sts.amazonaws.com', now: Math.floor(clock.now().getTime() / 1000) }));
    }
    writeFileSync(file, saved);
    for (const t of tokens) {
      const v = await verifyWebIdentityToken({ store, clock, keys }, ACCOUNT, t);
      assert.equal(v.provider.url, idp.url);
    }
    assert.deepEqual([...new Set(asked)], [`https://${idp.url}`], 'one issuer asked for, in its stored form');
  });
});
