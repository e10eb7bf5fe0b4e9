/**
 * Web identity federation with unmodified clients: each gets role credentials from an OIDC ID
 * token file through its own default credential chain (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN,
 * AWS_ROLE_SESSION_NAME; sdk-compat.md §2.5), as on GitHub Actions or EKS: the JS SDK v3 in a child
 * process, boto3 and the AWS CLI v1; the CLI's assume-role-with-web-identity and its errors.
 * The issuer is the development issuer over real HTTPS; the provider trusts its certificate by
 * thumbprint.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestIssuer, type TestIssuer } from '../../src/federation/dev-issuer-harness.test.js';
import { isolatedHome, PY_PRELUDE, resolveTools, runAws, runProcess, runPython, type IsolatedHome } from './support/server.js';
import { Account, allow, startStsServer, type StsServer } from './support/sts-fixture.js';
import { iamClient } from './support/server.js';

const AUD = 'sts.amazonaws.com';
const SUB = 'repo:octo/app:ref:refs/heads/main';

let s: StsServer;
let idp: TestIssuer;
let home: IsolatedHome;
let roleArn: string;
let tokenFile: string;
/** No keys: the credential chain must find the token file. */
let chainEnv: NodeJS.ProcessEnv;
const sessionArn = (name: string) => `arn:aws:sts::${s.accountId}:assumed-role/gha/${name}`;
const mint = (sub = SUB, aud = AUD) => idp.token({ sub, aud, now: Math.floor(s.clock.now().getTime() / 1000) });

before(async () => {
  s = await startStsServer();
  idp = await startTestIssuer();
  const iam = await iamClient(s.url, s.root);
  const provider = (await iam.call('CreateOpenIDConnectProvider', { Url: idp.issuer, ClientIDList: [AUD], ThumbprintList: [idp.thumbprint] })).OpenIDConnectProviderArn;
  const a = await Account.of(s, s.accountId, s.root);
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: provider }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${idp.url}:aud`]: AUD }, StringLike: { [`${idp.url}:sub`]: 'repo:octo/app:*' } } }],
  });
  roleArn = (await a.role('gha', trust, { policy: allow('iam:GetRole') })).arn;
  home = isolatedHome();
  tokenFile = join(home.dir, 'token');
  writeFileSync(tokenFile, await mint());
  chainEnv = { ...home.env(s, s.root), AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: roleArn, AWS_ROLE_SESSION_NAME: 'gha-run' };
  delete chainEnv.AWS_ACCESS_KEY_ID;
  delete chainEnv.AWS_SECRET_ACCESS_KEY;
  delete chainEnv.AWS_SESSION_TOKEN;
});

after(async () => {
  await idp?.close();
  await s?.close();
  home?.cleanup();
});

describe('the default credential chain reads the web identity token file', () => {
  it('JS SDK v3 (fromNodeProviderChain, in a child process)', async () => {
    const script = `
      const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
      const { IAMClient, GetRoleCommand } = await import('@aws-sdk/client-iam');
      const sts = new STSClient({ region: 'us-east-1' });
      const me = await sts.send(new GetCallerIdentityCommand({}));
      const role = await new IAMClient({ region: 'us-east-1' }).send(new GetRoleCommand({ RoleName: 'gha' }));
      console.log(JSON.stringify({ arn: me.Arn, role: role.Role.RoleName }));`;
    const r = await runProcess(process.execPath, ['--input-type=module', '-e', script], { env: { ...chainEnv, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, cwd: process.cwd() });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { arn: sessionArn('gha-run'), role: 'gha' });
  });

  it('boto3', { skip: false }, async (t) => {
    if (!(await resolveTools()).boto3) return t.skip('boto3 is not installed');
    const out = await runPython(`${PY_PRELUDE}\nout['arn'] = sts.get_caller_identity()['Arn']\nout['method'] = sess.get_credentials().method\nprint(json.dumps(out))`, chainEnv);
    assert.equal(out.arn, sessionArn('gha-run'));
    assert.equal(out.method, 'assume-role-with-web-identity');
  });

  it('the AWS CLI v1', async (t) => {
    if (!(await resolveTools()).aws) return t.skip('the AWS CLI is not installed');
    const r = await runAws(['sts', 'get-caller-identity'], chainEnv);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).Arn, sessionArn('gha-run'));
  });
});

describe('a profile with web_identity_token_file and role_arn in ~/.aws/config', () => {
  let profileEnv: NodeJS.ProcessEnv;
  before(() => {
    writeFileSync(join(home.dir, 'config'), `[profile ci]\nregion = us-east-1\nrole_arn = ${roleArn}\nweb_identity_token_file = ${tokenFile}\nrole_session_name = from-profile\n`);
    profileEnv = { ...chainEnv, AWS_PROFILE: 'ci' };
    delete profileEnv.AWS_WEB_IDENTITY_TOKEN_FILE;
    delete profileEnv.AWS_ROLE_ARN;
    delete profileEnv.AWS_ROLE_SESSION_NAME;
  });

  it('the AWS CLI v1 and boto3', async (t) => {
    const tools = await resolveTools();
    if (!tools.aws || !tools.boto3) return t.skip('the AWS CLI or boto3 is not installed');
    const r = await runAws(['sts', 'get-caller-identity'], profileEnv);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).Arn, sessionArn('from-profile'));
    const out = await runPython(`${PY_PRELUDE}\nout['arn'] = sts.get_caller_identity()['Arn']\nprint(json.dumps(out))`, profileEnv);
    assert.equal(out.arn, sessionArn('from-profile'));
  });

  it('JS SDK v3 fromIni', async () => {
    const script = `
      const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
      const { fromIni } = await import('@aws-sdk/credential-provider-ini');
      const sts = new STSClient({ region: 'us-east-1', credentials: fromIni({ profile: 'ci' }) });
      console.log(JSON.stringify({ arn: (await sts.send(new GetCallerIdentityCommand({}))).Arn }));`;
    const r = await runProcess(process.execPath, ['--input-type=module', '-e', script], { env: { ...profileEnv, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, cwd: process.cwd() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout.trim().split('\n').pop()!).arn, sessionArn('from-profile'));
  });
});

describe('aws sts assume-role-with-web-identity', () => {
  it('answers with the credentials and the token facts, and each refusal with its code', async (t) => {
    if (!(await resolveTools()).aws) return t.skip('the AWS CLI is not installed');
    const env = { ...chainEnv };
    delete env.AWS_WEB_IDENTITY_TOKEN_FILE;
    const call = async (token: string) => runAws(['sts', 'assume-role-with-web-identity', '--role-arn', roleArn, '--role-session-name', 'cli', '--web-identity-token', token, '--duration-seconds', '900'], env);
    const ok = await call(await mint());
    assert.equal(ok.code, 0, ok.stderr);
    const out = JSON.parse(ok.stdout);
    assert.equal(out.SubjectFromWebIdentityToken, SUB);
    assert.equal(out.Audience, AUD);
    assert.equal(out.Provider, idp.issuer);
    assert.equal(out.AssumedRoleUser.Arn, sessionArn('cli'));
    assert.match(out.Credentials.AccessKeyId, /^ASIA/);
    const denied = await call(await mint('repo:evil/app:ref:refs/heads/main'));
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /\(AccessDenied\) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity/);
    const audience = await call(await mint(SUB, 'other'));
    assert.match(audience.stderr, /\(InvalidIdentityToken\) when calling the AssumeRoleWithWebIdentity operation: Incorrect token audience/);
  });
});
