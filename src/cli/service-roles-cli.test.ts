import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { callerCredentials, parseIni } from './aws-credentials.js';
import { parseDuration, splitCommand, xmlText } from './rolecall-api.js';
import { CREDENTIAL_VARIABLES, workloadEnv } from './workload-env.js';

describe('aws-credentials', () => {
  it('parses shared config files: sections, comments, nested (indented) keys ignored', () => {
    const ini = parseIni('# c\n[default]\naws_access_key_id = AKIA1\n[profile  dev]\nregion=eu-west-1\n; x\n[services local]\nsts =\n  endpoint_url = http://x\n');
    assert.equal(ini.get('default')?.get('aws_access_key_id'), 'AKIA1');
    assert.equal(ini.get('profile dev')?.get('region'), 'eu-west-1');
    assert.equal(ini.get('services local')?.get('sts'), '');
    assert.equal(ini.get('services local')?.has('endpoint_url'), false);
  });

  it('order: explicit profile, environment keys, AWS_PROFILE (credentials file, then config), default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rolecall-creds-'));
    try {
      writeFileSync(join(dir, 'credentials'), '[default]\naws_access_key_id=AKIADEFAULT\naws_secret_access_key=s0\n[me]\naws_access_key_id=AKIAME\naws_secret_access_key=s1\naws_session_token=t1\n');
      writeFileSync(join(dir, 'config'), '[profile cfg]\naws_access_key_id=AKIACFG\naws_secret_access_key=s2\n[profile proc]\ncredential_process = rolecall creds --role r\n');
      const files = { AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config') };
      const withKeys = { ...files, AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'se', AWS_PROFILE: 'me' };
      assert.equal(callerCredentials(withKeys, 'cfg')?.creds.accessKeyId, 'AKIACFG');
      assert.deepEqual(callerCredentials(withKeys)?.creds, { accessKeyId: 'AKIAENV', secretAccessKey: 'se' });
      assert.deepEqual(callerCredentials({ ...files, AWS_PROFILE: 'me' })?.creds, { accessKeyId: 'AKIAME', secretAccessKey: 's1', sessionToken: 't1' });
      assert.equal(callerCredentials(files)?.creds.accessKeyId, 'AKIADEFAULT');
      // A credential_process profile is never run from here (no loop through `rolecall creds`).
      assert.equal(callerCredentials({ ...files, AWS_PROFILE: 'proc' }), undefined);
      assert.throws(() => callerCredentials(files, 'proc'), /profile proc has no aws_access_key_id/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rolecall-api helpers', () => {
  it('durations', () => {
    assert.equal(parseDuration('3600'), 3600);
    assert.equal(parseDuration('900s'), 900);
    assert.equal(parseDuration('15m'), 900);
    assert.equal(parseDuration('1h30m'), 5400);
    assert.throws(() => parseDuration('1d'), /invalid duration/);
    assert.throws(() => parseDuration(''), /invalid duration/);
  });

  it('splits at the first --', () => {
    assert.deepEqual(splitCommand(['run', '--profile', 'p', '--', 'aws', '--', 'x']), { args: ['run', '--profile', 'p'], command: ['aws', '--', 'x'] });
    assert.deepEqual(splitCommand(['list']), { args: ['list'], command: undefined });
  });

  it('reads awsQuery answers, entities decoded', () => {
    assert.equal(xmlText('<E><Message>a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#x27;</Message></E>', 'Message'), 'a <b> & "c" \'d\'');
    assert.equal(xmlText('<E/>', 'Code'), undefined);
  });
});

describe('workload environment', () => {
  it('drops every credential variable, points the config files at empty files, keeps the rest', () => {
    const base: NodeJS.ProcessEnv = { PATH: '/bin', AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:1', AWS_DEFAULT_REGION: 'eu-west-1' };
    for (const k of CREDENTIAL_VARIABLES) base[k] = 'leak';
    const w = workloadEnv(base, 'us-east-1', { AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:2' });
    try {
      for (const k of CREDENTIAL_VARIABLES) assert.notEqual(w.env[k], 'leak', k);
      assert.equal(w.env.AWS_EC2_METADATA_SERVICE_ENDPOINT, 'http://127.0.0.1:2');
      assert.equal(w.env.AWS_ENDPOINT_URL_STS, 'http://127.0.0.1:1');
      assert.equal(w.env.AWS_DEFAULT_REGION, 'eu-west-1');
      assert.equal(w.env.AWS_REGION, 'us-east-1');
      assert.equal(readFileSync(w.env.AWS_CONFIG_FILE as string, 'utf8'), '');
      assert.equal(readFileSync(w.env.AWS_SHARED_CREDENTIALS_FILE as string, 'utf8'), '');
    } finally {
      w.cleanup();
    }
    assert.equal(existsSync(w.env.AWS_CONFIG_FILE as string), false);
  });
});
