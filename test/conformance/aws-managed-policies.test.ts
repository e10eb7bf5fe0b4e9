/**
 * AWS managed policies imported with `rolecall aws-policies import` from the JSON that
 * `aws iam get-account-authorization-details` prints, then used through the real SDK: listed with
 * Scope=AWS, read, attached to a role whose session they then authorize, used as a permissions
 * boundary, and refused to every account's writes. The fixture policies are this test's own
 * (AWS's documents are not copied here); their shape is the CLI's output: documents decoded into
 * objects, or the API's URL-encoded text.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { doc, expectError, iamClient, runProcess, startTestServer, stsClient, type Client, type TestServer } from './support/server.js';
import { allow } from './support/sts-fixture.js';
import { CLI } from './support/workloads.js';

let server: TestServer;
let iam: Client;
const dir = mkdtempSync(join(tmpdir(), 'rolecall-aws-managed-'));
const READ = 'arn:aws:iam::aws:policy/RolecallTestIamRead';
const LOGS = 'arn:aws:iam::aws:policy/service-role/RolecallTestLogs';

const readV1 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }] };
const readV2 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' }] };
const logs = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }] };

/** get-account-authorization-details output, as the AWS CLI prints it. */
const exported = {
  UserDetailList: [],
  GroupDetailList: [],
  RoleDetailList: [],
  Policies: [
    {
      PolicyName: 'RolecallTestIamRead',
      PolicyId: 'ANPAROLECALLTEST0000001',
      Arn: READ,
      Path: '/',
      DefaultVersionId: 'v2',
      AttachmentCount: 3,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      Description: 'Read IAM (a test fixture)',
      CreateDate: '2015-02-06T18:41:00+00:00',
      UpdateDate: '2019-06-21T19:40:00+00:00',
      PolicyVersionList: [
        { Document: readV2, VersionId: 'v2', IsDefaultVersion: true, CreateDate: '2019-06-21T19:40:00+00:00' },
        { Document: readV1, VersionId: 'v1', IsDefaultVersion: false, CreateDate: '2015-02-06T18:41:00+00:00' },
      ],
    },
    {
      PolicyName: 'RolecallTestLogs',
      PolicyId: 'ANPAROLECALLTEST0000002',
      Arn: LOGS,
      Path: '/service-role/',
      DefaultVersionId: 'v1',
      IsAttachable: true,
      CreateDate: '2015-04-09T15:03:43+00:00',
      UpdateDate: '2015-04-09T15:03:43+00:00',
      // The API's form: URL-encoded JSON text.
      PolicyVersionList: [{ Document: encodeURIComponent(JSON.stringify(logs)), VersionId: 'v1', IsDefaultVersion: true, CreateDate: '2015-04-09T15:03:43+00:00' }],
    },
    { PolicyName: 'Local', PolicyId: 'ANPAROLECALLTEST0000003', Arn: 'arn:aws:iam::123456789012:policy/Local', Path: '/', DefaultVersionId: 'v1', CreateDate: '2020-01-01T00:00:00Z', PolicyVersionList: [{ Document: readV1, VersionId: 'v1', IsDefaultVersion: true }] },
    { PolicyName: 'Broken', PolicyId: 'ANPAROLECALLTEST0000004', Arn: 'arn:aws:iam::aws:policy/Broken', Path: '/', DefaultVersionId: 'v1', CreateDate: '2020-01-01T00:00:00Z', PolicyVersionList: [{ Document: { Statement: [{ Effect: 'Allow', Action: 'iam:GetRole' }] }, VersionId: 'v1', IsDefaultVersion: true }] },
  ],
};

async function importFile(content: unknown): Promise<{ code: number | null; report: any; stderr: string }> {
  const file = join(dir, `export-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(content));
  const r = await runProcess(process.execPath, [CLI, 'aws-policies', 'import', file, '--data-dir', server.dataDir], { env: { ...process.env, ...server.storeEnv } });
  return { code: r.code, report: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

before(async () => {
  server = await startTestServer();
  iam = await iamClient(server.url, server.root);
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rolecall aws-policies import', () => {
  it('imports the AWS managed policies of an export, skipping (and naming) what is not one', async () => {
    const r = await importFile(exported);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.report.Imported, [READ, LOGS]);
    assert.deepEqual(
      r.report.Skipped.map((s: any) => s.Arn),
      ['arn:aws:iam::123456789012:policy/Local', 'arn:aws:iam::aws:policy/Broken'],
    );
    assert.match(r.report.Skipped[1].Reason, /^v1: Policy statement must contain resources\.$/);

    const listed = (await iam.call('ListPolicies', { Scope: 'AWS' })).Policies;
    assert.deepEqual(listed.map((p: any) => p.Arn).sort(), [READ, LOGS].sort());
    const p = (await iam.call('GetPolicy', { PolicyArn: READ })).Policy;
    assert.deepEqual([p.PolicyName, p.PolicyId, p.Path, p.DefaultVersionId, p.Description, p.IsAttachable], ['RolecallTestIamRead', 'ANPAROLECALLTEST0000001', '/', 'v2', 'Read IAM (a test fixture)', true]);
    assert.equal(p.CreateDate.toISOString(), '2015-02-06T18:41:00.000Z');
    assert.equal(p.UpdateDate.toISOString(), '2019-06-21T19:40:00.000Z');
    const v1 = (await iam.call('GetPolicyVersion', { PolicyArn: READ, VersionId: 'v1' })).PolicyVersion;
    assert.deepEqual(JSON.parse(decodeURIComponent(v1.Document)), readV1);
    assert.equal(v1.IsDefaultVersion, false);
    const logsV1 = (await iam.call('GetPolicyVersion', { PolicyArn: LOGS, VersionId: 'v1' })).PolicyVersion;
    assert.deepEqual(JSON.parse(decodeURIComponent(logsV1.Document)), logs);
    assert.equal((await iam.call('ListPolicies', { Scope: 'Local' })).Policies.length, 0, 'nothing landed in the account');
  });

  it('an imported policy authorizes a role it is attached to, bounds one it is the boundary of, and cannot be changed', async () => {
    await iam.call('CreateUser', { UserName: 'amp-user' });
    const k = (await iam.call('CreateAccessKey', { UserName: 'amp-user' })).AccessKey;
    const userArn = `arn:aws:iam::${server.accountId}:user/amp-user`;
    const trust = doc([{ Effect: 'Allow', Principal: { AWS: userArn }, Action: 'sts:AssumeRole' }]);
    await iam.call('CreateRole', { RoleName: 'amp-reader', AssumeRolePolicyDocument: trust });
    await iam.call('AttachRolePolicy', { RoleName: 'amp-reader', PolicyArn: READ });
    // Everything allowed, bounded by the AWS managed policy: only its actions remain.
    await iam.call('CreateRole', { RoleName: 'amp-bounded', AssumeRolePolicyDocument: trust, PermissionsBoundary: READ });
    await iam.call('PutRolePolicy', { RoleName: 'amp-bounded', PolicyName: 'all', PolicyDocument: allow('*') });
    assert.equal((await iam.call('GetPolicy', { PolicyArn: READ })).Policy.AttachmentCount, 1);

    const user = await stsClient(server.url, { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey });
    for (const role of ['amp-reader', 'amp-bounded']) {
      const creds = (await user.call('AssumeRole', { RoleArn: `arn:aws:iam::${server.accountId}:role/${role}`, RoleSessionName: 'amp' })).Credentials;
      const session = await iamClient(server.url, { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.SessionToken });
      assert.ok((await session.call('ListRoles', {})).Roles.length >= 2, `${role}: iam:List* (v2, the default)`);
      await expectError(session.call('CreateUser', { UserName: 'nope' }), { name: 'AccessDenied', status: 403 });
    }

    for (const call of [
      iam.call('CreatePolicyVersion', { PolicyArn: READ, PolicyDocument: allow('*'), SetAsDefault: true }),
      iam.call('DeletePolicy', { PolicyArn: LOGS }),
      iam.call('SetDefaultPolicyVersion', { PolicyArn: READ, VersionId: 'v1' }),
    ]) {
      await expectError(call, { name: 'AccessDenied', status: 403 });
    }
  });

  it('importing again changes nothing; a newer export adds its version and moves the default', async () => {
    const again = await importFile({ Policies: exported.Policies.slice(0, 2) });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual([again.report.Imported, again.report.Updated, again.report.Unchanged], [[], [], [READ, LOGS]]);

    const v3 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }] };
    const newer = structuredClone(exported.Policies[0]!) as any;
    newer.DefaultVersionId = 'v3';
    newer.UpdateDate = '2024-01-01T00:00:00+00:00';
    newer.PolicyVersionList = [{ Document: v3, VersionId: 'v3', IsDefaultVersion: true, CreateDate: '2024-01-01T00:00:00+00:00' }, ...newer.PolicyVersionList.map((v: any) => ({ ...v, IsDefaultVersion: false }))];
    const r = await importFile({ Policies: [newer] });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.report.Updated, [READ]);
    const p = (await iam.call('GetPolicy', { PolicyArn: READ })).Policy;
    assert.equal(p.DefaultVersionId, 'v3');
    assert.deepEqual((await iam.call('ListPolicyVersions', { PolicyArn: READ })).Versions.map((v: any) => v.VersionId).sort(), ['v1', 'v2', 'v3']);
  });

  it('refuses input that is not an export', async () => {
    const r = await importFile({ Roles: [] });
    assert.equal(r.code, 255);
    assert.match(r.stderr, /get-account-authorization-details/);
  });
});
