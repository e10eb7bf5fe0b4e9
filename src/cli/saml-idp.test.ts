import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseSamlMetadata } from '../services/iam/shared/saml-metadata.js';
import { verifySamlResponse } from '../services/sts/saml-response.js';
import { runSamlIdp } from './saml-idp.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runSamlIdp(args, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

describe('rolecall saml-idp', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-saml-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const ROLE = 'arn:aws:iam::111122223333:role/ops';
  const PROVIDER = 'arn:aws:iam::111122223333:saml-provider/corp';

  it('init writes metadata IAM accepts; response signs what the verifier accepts, attributes included', async () => {
    const init = await run(['init', '--dir', dir, '--entity-id', 'https://idp.test/saml']);
    assert.equal(init.code, 0, init.err);
    const metadata = parseSamlMetadata(readFileSync(init.out.trim(), 'utf8'));
    assert.ok(metadata);
    assert.equal(metadata.entityId, 'https://idp.test/saml');
    const r = await run(['response', '--dir', dir, '--role-arn', ROLE, '--provider-arn', PROVIDER, '--subject', 'bob', '--session-name', 'bob', '--attribute', 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:dept=eng=ops']);
    assert.equal(r.code, 0, r.err);
    const a = verifySamlResponse(r.out.trim(), metadata, new Date());
    assert.equal(a.subject, 'bob');
    assert.deepEqual(a.attributes.get('https://aws.amazon.com/SAML/Attributes/Role'), [`${ROLE},${PROVIDER}`]);
    assert.deepEqual(a.attributes.get('https://aws.amazon.com/SAML/Attributes/PrincipalTag:dept=eng'), ['ops'], 'the last = splits name from value');
  });

  it('refuses bad arguments with usage (252)', async () => {
    assert.equal((await run(['init', '--dir', dir])).code, 252);
    assert.equal((await run(['response', '--dir', dir, '--role-arn', ROLE])).code, 252);
    assert.match((await run(['response', '--dir', dir, '--role-arn', ROLE, '--provider-arn', PROVIDER, '--subject', 's', '--session-name', 'ss', '--attribute', 'novalue'])).err, /NAME=VALUE/);
    assert.equal((await run(['response', '--dir', dir, '--role-arn', ROLE, '--provider-arn', PROVIDER, '--subject', 's', '--session-name', 'ss', '--valid-seconds', '0'])).code, 252);
    assert.equal((await run(['nope', '--dir', dir])).code, 252);
    assert.match((await run([])).out, /saml-idp init\|response/);
  });
});
