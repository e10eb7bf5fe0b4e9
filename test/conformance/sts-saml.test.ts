/**
 * SAML federation with unmodified clients: an IAM SAML provider made from the development IdP's
 * metadata with the AWS CLI, then `aws sts assume-role-with-saml` and boto3's
 * assume_role_with_saml with its signed responses, the credentials used, and refusals as the
 * clients report them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { devSamlResponse, initDevSamlIdp } from '../../src/federation/dev-saml-idp.js';
import { isolatedHome, PY_PRELUDE, resolveTools, runAws, runPython, tempDir, type IsolatedHome } from './support/server.js';
import { startStsServer, type StsServer } from './support/sts-fixture.js';

const ENTITY = 'https://idp.corp.example/saml';

let s: StsServer;
let home: IsolatedHome;
let env: NodeJS.ProcessEnv;
let idpDir: string;
let providerArn: string;
let roleArn: string;
const signed = (subject = 'alice@corp.example', sessionName = 'alice') =>
  devSamlResponse(idpDir, { subject, roles: [{ roleArn, providerArn }], sessionName, now: s.clock.now() });

before(async () => {
  s = await startStsServer();
  home = isolatedHome();
  env = home.env(s, s.root);
  idpDir = tempDir('saml-idp');
  const { metadataFile } = await initDevSamlIdp(idpDir, ENTITY);
  roleArn = `arn:aws:iam::${s.accountId}:role/saml-ops`;
  providerArn = `arn:aws:iam::${s.accountId}:saml-provider/corp`;
  const tools = await resolveTools();
  if (!tools.aws) return;
  const created = await runAws(['iam', 'create-saml-provider', '--name', 'corp', '--saml-metadata-document', `file://${metadataFile}`], env);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(JSON.parse(created.stdout).SAMLProviderArn, providerArn);
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'saml:aud': 'https://signin.aws.amazon.com/saml', 'saml:iss': ENTITY }, StringLike: { 'saml:sub': '*@corp.example' } } }],
  });
  const role = await runAws(['iam', 'create-role', '--role-name', 'saml-ops', '--assume-role-policy-document', trust], env);
  assert.equal(role.code, 0, role.stderr);
});

after(async () => {
  await s?.close();
  home?.cleanup();
});

describe('AssumeRoleWithSAML with the AWS CLI v1 and boto3', () => {
  it('aws sts assume-role-with-saml, then the credentials', async (t) => {
    if (!(await resolveTools()).aws) return t.skip('the AWS CLI is not installed');
    const r = await runAws(['sts', 'assume-role-with-saml', '--role-arn', roleArn, '--principal-arn', providerArn, '--saml-assertion', signed()], env);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${s.accountId}:assumed-role/saml-ops/alice`);
    assert.deepEqual([out.Subject, out.SubjectType, out.Issuer, out.Audience], ['alice@corp.example', 'persistent', ENTITY, 'https://signin.aws.amazon.com/saml']);
    const c = out.Credentials;
    const me = await runAws(['sts', 'get-caller-identity'], { ...env, AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_SESSION_TOKEN: c.SessionToken });
    assert.equal(me.code, 0, me.stderr);
    assert.equal(JSON.parse(me.stdout).Arn, out.AssumedRoleUser.Arn);
    const denied = await runAws(['sts', 'assume-role-with-saml', '--role-arn', roleArn, '--principal-arn', providerArn, '--saml-assertion', signed('mallory@evil.example', 'mallory')], env);
    assert.match(denied.stderr, /\(AccessDenied\) when calling the AssumeRoleWithSAML operation: Not authorized to perform sts:AssumeRoleWithSAML/);
  });

  it('boto3 assume_role_with_saml, and its modeled errors', async (t) => {
    const tools = await resolveTools();
    if (!tools.boto3 || !tools.aws) return t.skip('boto3 or the AWS CLI is not installed');
    const tampered = Buffer.from(Buffer.from(signed(), 'base64').toString('utf8').replace('>alice@corp.example<', '>root@corp.example<')).toString('base64');
    const script = `${PY_PRELUDE}
r = sts.assume_role_with_saml(RoleArn=os.environ['ROLE'], PrincipalArn=os.environ['PROVIDER'], SAMLAssertion=os.environ['GOOD'])
out['arn'] = r['AssumedRoleUser']['Arn']
out['qualifier'] = r['NameQualifier']
out['bad'] = err(sts.assume_role_with_saml, RoleArn=os.environ['ROLE'], PrincipalArn=os.environ['PROVIDER'], SAMLAssertion=os.environ['BAD'])
print(json.dumps(out))`;
    const out = await runPython(script, { ...env, ROLE: roleArn, PROVIDER: providerArn, GOOD: signed(), BAD: tampered });
    assert.equal(out.arn, `arn:aws:sts::${s.accountId}:assumed-role/saml-ops/alice`);
    assert.match(out.qualifier, /^[A-Za-z0-9+/]{27}=$/);
    assert.deepEqual([out.bad.Code, out.bad.Status, out.bad.Message, out.bad.Class], ['InvalidIdentityToken', 400, 'Response signature invalid', 'InvalidIdentityTokenException']);
  });
});

