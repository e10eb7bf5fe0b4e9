/**
 * IAM Access Analyzer's ValidatePolicy against the real server with unmodified clients: the AWS
 * CLI v1 (`aws accessanalyzer validate-policy ... --policy-document file://trust.json`) and boto3
 * (with its paginator), plus the restJson1 details both rely on: the error type header, the JSON
 * error body, authorization as access-analyzer:ValidatePolicy.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { doc, iamClient, isolatedHome, PY_PRELUDE, rawHttp, resolveTools, runAws, runPython, startTestServer, type IsolatedHome, type TestServer } from './support/server.js';

const TRUST = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' },
    ],
  },
  null,
  2,
);

describe('access-analyzer ValidatePolicy with the AWS CLI v1 and boto3', () => {
  let s: TestServer;
  let home: IsolatedHome;
  let file: string;
  let tools: Awaited<ReturnType<typeof resolveTools>>;
  const env = (creds = s.root) => home.env(s, creds, { AWS_ENDPOINT_URL_ACCESSANALYZER: s.url });

  before(async () => {
    s = await startTestServer();
    home = isolatedHome();
    file = join(home.dir, 'trust.json');
    writeFileSync(file, TRUST);
    tools = await resolveTools();
  });
  after(async () => {
    await s?.close();
    home?.cleanup();
  });

  it('aws accessanalyzer validate-policy for a role trust policy', async (t) => {
    if (!tools.aws) return t.skip('the AWS CLI is not installed');
    const r = await runAws(['accessanalyzer', 'validate-policy', '--policy-type', 'RESOURCE_POLICY', '--validate-policy-resource-type', 'AWS::IAM::AssumeRolePolicyDocument', '--policy-document', `file://${file}`], env());
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { findings: Array<{ issueCode: string; findingType: string; findingDetails: string; learnMoreLink: string; locations: Array<{ path: unknown[]; span: { start: { line: number; column: number; offset: number } } }> }> };
    const codes = out.findings.map((f) => f.issueCode).sort();
    // The caller's account owns the policy: 111122223333 is another account.
    assert.deepEqual(codes, ['ACCOUNT_ROOT_TRUST_UNSCOPED', 'CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID', 'SERVICE_TRUST_WITHOUT_SOURCE', 'TRUST_PERMISSION_CONFUSION']);
    const confusion = out.findings.find((f) => f.issueCode === 'TRUST_PERMISSION_CONFUSION')!;
    assert.equal(confusion.findingType, 'ERROR');
    assert.deepEqual(confusion.locations[0]!.path, [{ value: 'Statement' }, { index: 1 }, { value: 'Resource' }]);
    const offset = TRUST.indexOf('"*"', TRUST.indexOf('"Resource"'));
    assert.deepEqual(confusion.locations[0]!.span.start, { line: TRUST.slice(0, offset).split('\n').length, column: offset - TRUST.lastIndexOf('\n', offset) - 1, offset });
    assert.match(confusion.learnMoreLink, /^https:\/\/docs\.aws\.amazon\.com\//);
    // A permission policy through IDENTITY_POLICY.
    const idp = await runAws(['accessanalyzer', 'validate-policy', '--policy-type', 'IDENTITY_POLICY', '--policy-document', doc([{ Effect: 'Allow', Action: 'iam:*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } } }])], env());
    assert.equal(idp.code, 0, idp.stderr);
    assert.deepEqual(JSON.parse(idp.stdout).findings.map((f: { issueCode: string }) => f.issueCode), ['MFA_CONDITION_BYPASSABLE']);
    // Bad input: the restJson1 error the CLI reports.
    const bad = await runAws(['accessanalyzer', 'validate-policy', '--policy-type', 'NOT_A_TYPE', '--policy-document', '{}'], env());
    assert.equal(bad.code, 255);
    assert.match(bad.stderr, /An error occurred \(ValidationException\) when calling the ValidatePolicy operation: 1 validation error detected: Value 'NOT_A_TYPE' at 'policyType'/);
  });

  it('boto3: findings, paginator over maxResults, AccessDeniedException for a user without permission', async (t) => {
    if (!tools.boto3) return t.skip('boto3 is not installed');
    const iam = await iamClient(s.url, s.root);
    await iam.call('CreateUser', { UserName: 'nobody' });
    const k = (await iam.call('CreateAccessKey', { UserName: 'nobody' })).AccessKey;
    const out = await runPython(
      `${PY_PRELUDE}
aa = sess.client('accessanalyzer', endpoint_url=os.environ['ENDPOINT'])
doc = ${JSON.stringify(TRUST)}
r = aa.validate_policy(policyDocument=doc, policyType='RESOURCE_POLICY', validatePolicyResourceType='AWS::IAM::AssumeRolePolicyDocument')
out['codes'] = sorted(f['issueCode'] for f in r['findings'])
out['first'] = r['findings'][0]
pages = aa.get_paginator('validate_policy').paginate(policyDocument=doc, policyType='RESOURCE_POLICY', validatePolicyResourceType='AWS::IAM::AssumeRolePolicyDocument', PaginationConfig={'PageSize': 1})
out['pages'] = [len(p['findings']) for p in pages]
out['badToken'] = err(aa.validate_policy, policyDocument=doc, policyType='IDENTITY_POLICY', nextToken='garbage')
nobody = boto3.session.Session(aws_access_key_id=os.environ['NOBODY_ID'], aws_secret_access_key=os.environ['NOBODY_SECRET']).client('accessanalyzer', endpoint_url=os.environ['ENDPOINT'])
out['denied'] = err(nobody.validate_policy, policyDocument=doc, policyType='IDENTITY_POLICY')
emit()
`,
      { ...env(), NOBODY_ID: k.AccessKeyId, NOBODY_SECRET: k.SecretAccessKey, ENDPOINT: s.url },
    );
    assert.deepEqual(out.codes, ['ACCOUNT_ROOT_TRUST_UNSCOPED', 'CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID', 'SERVICE_TRUST_WITHOUT_SOURCE', 'TRUST_PERMISSION_CONFUSION']);
    assert.equal(out.first.issueCode, 'TRUST_PERMISSION_CONFUSION');
    assert.deepEqual(out.pages, [1, 1, 1, 1]);
    assert.equal(out.badToken.Code, 'ValidationException');
    assert.equal(out.badToken.Status, 400);
    assert.equal(out.denied.Code, 'AccessDeniedException');
    assert.equal(out.denied.Status, 403);
    assert.match(out.denied.Message, /is not authorized to perform: access-analyzer:ValidatePolicy/);
  });

  it('restJson1 on the wire: unsigned requests are refused, errors name their type in X-Amzn-ErrorType', async () => {
    const r = await rawHttp(s.url, { method: 'POST', path: '/policy/validation', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ policyDocument: TRUST, policyType: 'IDENTITY_POLICY' }) });
    assert.equal(r.status, 403);
    // The JSON services' name for it (docs/sigv4.md), as Access Analyzer and its kin answer.
    assert.equal(r.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
    assert.equal(typeof JSON.parse(r.body).message, 'string');
  });
});
