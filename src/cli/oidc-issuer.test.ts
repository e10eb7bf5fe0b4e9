import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { freePort } from '../federation/dev-issuer-harness.test.js';
import { startDevIssuer } from '../federation/dev-issuer.js';
import { OidcKeySource } from '../federation/oidc-keys.js';
import { runOidcIssuer } from './oidc-issuer.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runOidcIssuer(args, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

describe('rolecall oidc-issuer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-oidc-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('init makes the keys (private files 0600) and prints the issuer and thumbprint; again, the same', async () => {
    const port = await freePort();
    const first = await run(['init', '--dir', dir, '--port', String(port), '--path', '/realms/dev']);
    assert.equal(first.code, 0, first.err);
    const s = JSON.parse(first.out);
    assert.equal(s.issuer, `https://localhost:${port}/realms/dev`);
    assert.match(s.thumbprint, /^[0-9a-f]{40}$/);
    for (const f of ['signing-key.json', 'tls-key.pem']) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
    assert.deepEqual(JSON.parse((await run(['init', '--dir', dir, '--port', String(port), '--path', '/realms/dev'])).out), s);
  });

  it('token signs an ID token that verifies with the key set the issuer serves', async () => {
    const r = await run(['token', '--dir', dir, '--sub', 'system:serviceaccount:default:app', '--aud', 'sts.amazonaws.com', '--expires-in', '600', '--claims', '{"https://aws.amazon.com/tags":{"principal_tags":{"team":["ci"]}}}']);
    assert.equal(r.code, 0, r.err);
    const running = await startDevIssuer(dir);
    try {
      const jwks = await new OidcKeySource().keys(running.issuer, [running.thumbprint]);
      const { payload, protectedHeader } = await jwtVerify(r.out.trim(), createLocalJWKSet(jwks), { issuer: running.issuer, audience: 'sts.amazonaws.com' });
      assert.equal(payload.sub, 'system:serviceaccount:default:app');
      assert.equal((payload.exp as number) - (payload.iat as number), 600);
      assert.deepEqual(payload['https://aws.amazon.com/tags'], { principal_tags: { team: ['ci'] } });
      assert.equal(protectedHeader.kid, JSON.parse(readFileSync(join(dir, 'issuer.json'), 'utf8')).kid);
    } finally {
      await running.close();
    }
  });

  it('refuses bad arguments with usage (252)', async () => {
    assert.equal((await run(['init', '--dir', dir])).code, 252);
    assert.equal((await run(['init', '--dir', dir, '--port', '0'])).code, 252);
    assert.equal((await run(['token', '--dir', dir, '--aud', 'a'])).code, 252);
    assert.equal((await run(['token', '--dir', dir, '--sub', 's'])).code, 252);
    assert.match((await run(['token', '--dir', dir, '--sub', 's', '--aud', 'a', '--claims', '[1]'])).err, /JSON object/);
    assert.equal((await run(['serve'])).code, 252);
    assert.equal((await run(['nope', '--dir', dir])).code, 252);
    assert.match((await run([])).out, /oidc-issuer init\|serve\|token/);
  });
});
