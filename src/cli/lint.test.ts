import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateSarif } from '../../test/support/sarif-validator.js';
import { runLint } from './lint.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const doc = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);

describe('rolecall lint', () => {
  let dir: string;
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const lint = (args: string[], isTty = false) => {
    let out = '';
    let err = '';
    const code = runLint(args, { out: (s) => (out += s), err: (s) => (err += s), isTty, env: {}, version: '9.9.9' });
    return { code, out, err };
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rolecall-lint-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on a safe trust policy, 1 on an error, and honours --fail-on', () => {
    const safe = file('safe.json', doc([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]));
    const partner = file('partner.json', doc([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/partner' }, Action: 'sts:AssumeRole' }]));
    const broken = file('broken.json', doc([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/partner' }, Action: 'sts:AssumeRole', Resource: '*' }]));
    assert.equal(lint(['--account-id', '123456789012', safe]).code, 0);
    assert.equal(lint(['--account-id', '123456789012', partner]).code, 0, 'a security warning does not fail by default');
    assert.equal(lint(['--account-id', '123456789012', '--fail-on', 'security', partner]).code, 1);
    assert.equal(lint(['--account-id', '123456789012', '--fail-on', 'warning', safe]).code, 0);
    const r = lint(['--account-id', '123456789012', broken]);
    assert.equal(r.code, 1);
    assert.match(r.out, /TRUST_PERMISSION_CONFUSION/);
  });

  it('--format json and sarif', () => {
    const p = file('star.json', doc([{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }]));
    const j = JSON.parse(lint(['--format', 'json', p]).out);
    assert.equal(j.files[0].type, 'trust');
    assert.equal(j.files[0].findings[0].id, 'TRUST_ANY_PRINCIPAL');
    assert.equal(j.files[0].findings[0].witness.action, 'sts:AssumeRole');
    const s = JSON.parse(lint(['--format', 'sarif', p]).out);
    assert.deepEqual(validateSarif(s), []);
    assert.equal(s.runs[0].tool.driver.version, '9.9.9');
    assert.equal(s.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, p);
  });

  it('colours only on a terminal, and not with --no-color', () => {
    const p = file('c.json', doc([{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }]));
    assert.match(lint([p], true).out, /\u001b\[/);
    assert.doesNotMatch(lint([p], false).out, /\u001b\[/);
    assert.doesNotMatch(lint(['--no-color', p], true).out, /\u001b\[/);
  });

  it('role facts: --permissions and --max-session-duration enable their findings', () => {
    const trust = file('t.json', doc([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:user/alice' }, Action: 'sts:AssumeRole' }]));
    const admin = file('admin.json', doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]));
    const j = JSON.parse(lint(['--format', 'json', '--account-id', '123456789012', '--permissions', admin, '--max-session-duration', '43200', trust]).out);
    const ids = j.files[0].findings.map((f: { id: string }) => f.id).sort();
    assert.deepEqual(ids, ['EXCESSIVE_SESSION_DURATION', 'SENSITIVE_ROLE_WITHOUT_MFA']);
  });

  it('usage errors exit 252, unreadable files 2, invalid JSON is an error finding', () => {
    assert.equal(lint([]).code, 252);
    assert.equal(lint(['--format', 'xml', 'x.json']).code, 252);
    assert.equal(lint(['--account-id', '12', 'x.json']).code, 252);
    assert.equal(lint(['--type', 'bucket', 'x.json']).code, 252);
    const r = lint([join(dir, 'missing.json')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot read .*ENOENT/);
    const bad = file('bad.json', '{"Version": "2012-10-17", "Statement": [}');
    const j = JSON.parse(lint(['--format', 'json', bad]).out);
    assert.equal(j.files[0].findings[0].id, 'JSON_SYNTAX_ERROR');
    assert.equal(j.files[0].findings[0].locations[0].span.start.line, 1);
  });

  it('the rolecall binary reads standard input and exits with the status', () => {
    const r = spawnSync(process.execPath, [MAIN, 'lint', '--format', 'json', '--fail-on', 'security', '-'], { input: doc([{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }]), encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(JSON.parse(r.stdout).files[0].file, '<stdin>');
    const help = spawnSync(process.execPath, [MAIN, 'help'], { encoding: 'utf8' });
    assert.match(help.stdout, /lint FILE\.\.\./);
  });
});
