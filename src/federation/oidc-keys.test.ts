import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initDevIssuer, startDevIssuer, type RunningDevIssuer } from './dev-issuer.js';
import { freePort } from './dev-issuer-harness.test.js';
import { generate } from 'selfsigned';
import { certificateThumbprint } from './dev-issuer.js';
import { IdpKeyError, OidcKeySource } from './oidc-keys.js';

async function rejectsWith(p: Promise<unknown>, reason: IdpKeyError['reason'], message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof IdpKeyError, String(e));
    assert.equal(e.reason, reason, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('OidcKeySource over real HTTPS', () => {
  let dir: string;
  let issuer: RunningDevIssuer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rolecall-oidc-keys-'));
    await initDevIssuer(dir, { port: await freePort() });
    issuer = await startDevIssuer(dir);
  });
  after(async () => {
    await issuer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fetches the key set through the discovery document when the thumbprint matches', async () => {
    const keys = await new OidcKeySource().keys(issuer.issuer, [issuer.thumbprint.toUpperCase()]);
    assert.equal(keys.keys.length, 1);
    assert.equal(keys.keys[0]!.kid, issuer.kid);
    assert.equal(keys.keys[0]!.d, undefined, 'the private part is never published');
  });

  it('refuses a self-signed certificate whose thumbprint is not listed', async () => {
    await rejectsWith(new OidcKeySource().keys(issuer.issuer, []), 'untrusted-certificate', /thumbprint/);
    await rejectsWith(new OidcKeySource().keys(issuer.issuer, ['0'.repeat(40)]), 'untrusted-certificate');
  });

  it('refuses a listed certificate that does not name the host', async () => {
    const url = issuer.issuer.replace('localhost', '127.0.0.2');
    // The dev certificate names localhost and 127.0.0.1 only.
    await rejectsWith(new OidcKeySource({ timeoutMs: 2000 }).keys(url, [issuer.thumbprint]), 'untrusted-certificate', /does not name 127\.0\.0\.2/).catch(async (e) => {
      // Some hosts cannot route 127.0.0.2: then the connection itself fails.
      if (!(e instanceof assert.AssertionError)) throw e;
      await rejectsWith(new OidcKeySource({ timeoutMs: 2000 }).keys(url, [issuer.thumbprint]), 'unreachable');
    });
  });

  it('an unreachable issuer is unreachable', async () => {
    await rejectsWith(new OidcKeySource({ timeoutMs: 2000 }).keys(`https://localhost:${await freePort()}`, [issuer.thumbprint]), 'unreachable');
  });

  it('a missing discovery document is a bad response', async () => {
    await rejectsWith(new OidcKeySource().keys(`${issuer.issuer}/elsewhere`, [issuer.thumbprint]), 'bad-response', /HTTP 404/);
  });

  it('caches the keys, and refetches for an unknown key id only after the cooldown', async () => {
    let now = 1_000_000;
    const src = new OidcKeySource({ nowMs: () => now, refreshCooldownMs: 30_000, ttlMs: 3_600_000 });
    await src.keys(issuer.issuer, [issuer.thumbprint]);
    await issuer.close();
    // Cached: no connection needed, known kid or not (within the cooldown).
    assert.equal((await src.keys(issuer.issuer, [issuer.thumbprint], issuer.kid)).keys.length, 1);
    assert.equal((await src.keys(issuer.issuer, [issuer.thumbprint], 'rotated')).keys.length, 1);
    now += 31_000;
    assert.equal((await src.keys(issuer.issuer, [issuer.thumbprint], issuer.kid)).keys.length, 1, 'a known kid never refetches');
    await rejectsWith(src.keys(issuer.issuer, [issuer.thumbprint], 'rotated'), 'unreachable');
    issuer = await startDevIssuer(dir);
    // A failure is answered from memory for a while (no connection per request to a down issuer).
    await rejectsWith(src.keys(issuer.issuer, [issuer.thumbprint], 'rotated'), 'unreachable');
    now += 5_001;
    assert.equal((await src.keys(issuer.issuer, [issuer.thumbprint], 'rotated')).keys.length, 1, 'retried once the failure is old');
  });

  it('a thumbprint pins a CA only for leaves that CA really signed (not a forged leaf sent with it)', async () => {
    const ca = (name: string) => generate([{ name: 'commonName', value: name }], { keyType: 'ec', algorithm: 'sha256', extensions: [{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true }] });
    const leafOf = (issuer: { private: string; cert: string }) =>
      generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', algorithm: 'sha256', ca: { key: issuer.private, cert: issuer.cert }, extensions: [{ name: 'basicConstraints', cA: false }, { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }] });
    const realCa = await ca('Rolecall Test CA');
    const fakeCa = await ca('Rolecall Test CA'); // the same name, another key
    const serve = async (leaf: { private: string; cert: string }) => {
      let url = '';
      const s = createHttpsServer({ key: leaf.private, cert: leaf.cert.trimEnd() + '\n' + realCa.cert }, (req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(req.url?.endsWith('openid-configuration') ? JSON.stringify({ jwks_uri: `${url}/jwks` }) : JSON.stringify({ keys: [{ kty: 'EC', kid: 'k' }] }));
      });
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
      url = `https://localhost:${(s.address() as AddressInfo).port}`;
      return { url, close: () => new Promise<void>((r) => s.close(() => r())) };
    };
    const pin = [certificateThumbprint(realCa.cert)];
    const good = await serve(await leafOf(realCa));
    const forged = await serve(await leafOf(fakeCa));
    try {
      assert.equal((await new OidcKeySource().keys(good.url, pin)).keys[0]!.kid, 'k', 'a leaf the pinned CA signed');
      await rejectsWith(new OidcKeySource().keys(forged.url, pin), 'untrusted-certificate', /does not verify/);
    } finally {
      await good.close();
      await forged.close();
    }
  });

  it('keeps at most maxEntries issuers: an old failure is forgotten, not answered again', async () => {
    let now = 0;
    const src = new OidcKeySource({ nowMs: () => now, maxEntries: 1, failureTtlMs: 60_000 });
    await issuer.close();
    await rejectsWith(src.keys(issuer.issuer, [issuer.thumbprint]), 'unreachable');
    // Another entry (other thumbprints) pushes the first failure out.
    await rejectsWith(src.keys(issuer.issuer, [issuer.thumbprint, 'f'.repeat(40)]), 'unreachable');
    issuer = await startDevIssuer(dir);
    now += 1;
    // Within the failure TTL, yet fetched again: the failure was dropped.
    assert.equal((await src.keys(issuer.issuer, [issuer.thumbprint])).keys.length, 1);
  });

  it('bounds the size and the wait of an answer', async () => {
    const tls = { key: readFileSync(join(dir, 'tls-key.pem')), cert: readFileSync(join(dir, 'tls-cert.pem')) };
    const big = createHttpsServer(tls, (_req, res) => res.end('{"jwks_uri":"' + 'x'.repeat(4096) + '"}'));
    const slow = createHttpsServer(tls, () => {});
    for (const s of [big, slow]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    try {
      const url = (s: typeof big) => `https://localhost:${(s.address() as AddressInfo).port}`;
      await rejectsWith(new OidcKeySource({ maxBytes: 1024 }).keys(url(big), [issuer.thumbprint]), 'bad-response', /more than 1024 bytes/);
      await rejectsWith(new OidcKeySource({ timeoutMs: 300 }).keys(url(slow), [issuer.thumbprint]), 'unreachable', /within 300 ms/);
    } finally {
      for (const s of [big, slow]) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
    }
  });
});
