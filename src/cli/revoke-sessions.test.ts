import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACCOUNT, credsOf, doc, expectAwsError, startStsHarness, type Creds, type StsHarness } from '../services/sts/sts-server-harness.test.js';
import { REVOKE_POLICY_NAME, revokeOlderSessionsPolicy, roleNameOf, runRole } from './revoke-sessions.js';

describe('rolecall role revoke-sessions', () => {
  let h: StsHarness;
  let alice: { arn: string; id: string; creds: Creds };
  const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ops/deployer`;

  async function revoke(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runRole(args, (s) => (out += s), (s) => (err += s), { env, clock: h.clock });
    return { code, out, err };
  }
  const rootEnv = () => ({ AWS_ACCESS_KEY_ID: h.root.accessKeyId, AWS_SECRET_ACCESS_KEY: h.root.secretAccessKey, AWS_ENDPOINT_URL_IAM: h.url });
  const assume = async (name: string) => credsOf(await (await h.sts(alice.creds)).call('AssumeRole', { RoleArn: ROLE_ARN, RoleSessionName: name }));
  const listRoles = async (c: Creds) => (await h.iam(c)).call('ListRoles', {});

  before(async () => {
    h = await startStsHarness();
    alice = await h.createUser('alice', doc([{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }]));
    const iam = await h.iam();
    await iam.call('CreateRole', { RoleName: 'deployer', Path: '/ops/', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole' }]) });
    await iam.call('PutRolePolicy', { RoleName: 'deployer', PolicyName: 'list', PolicyDocument: doc([{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }]) });
  });
  after(async () => h?.close());

  it('writes the documented policy', () => {
    assert.equal(
      revokeOlderSessionsPolicy(new Date('2026-03-01T12:00:00.250Z')),
      '{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-03-01T12:00:00.250Z"}}}}',
    );
    assert.equal(roleNameOf(ROLE_ARN), 'deployer');
    assert.equal(roleNameOf('deployer'), 'deployer');
  });

  it('denies sessions issued before the revocation; later sessions and long-term keys keep working', async () => {
    const before = await assume('before');
    assert.ok((await listRoles(before)).Roles.length >= 1);

    h.clock.advance(1_500);
    const r = await revoke(['revoke-sessions', ROLE_ARN], rootEnv());
    assert.equal(r.err, '');
    assert.equal(r.code, 0);
    const printed = JSON.parse(r.out);
    assert.deepEqual(printed, { RoleName: 'deployer', PolicyName: REVOKE_POLICY_NAME, RevokedSessionsIssuedBefore: h.clock.now().toISOString() });

    const stored = await (await h.iam()).call('GetRolePolicy', { RoleName: 'deployer', PolicyName: REVOKE_POLICY_NAME });
    assert.deepEqual(JSON.parse(decodeURIComponent(stored.PolicyDocument)), JSON.parse(revokeOlderSessionsPolicy(h.clock.now())));

    await expectAwsError(listRoles(before), {
      code: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/deployer/before is not authorized to perform: iam:ListRoles on resource: * with an explicit deny in an identity-based policy`,
    });

    h.clock.advance(1_000);
    const after = await assume('after');
    assert.ok((await listRoles(after)).Roles.length >= 1, 'a session issued after the revocation works');
    assert.ok((await listRoles(alice.creds)).Roles.length >= 1, 'long-term keys carry no aws:TokenIssueTime');

    // Running it again moves the cut-off.
    h.clock.advance(1_000);
    assert.equal((await revoke(['revoke-sessions', 'deployer', '--endpoint', h.url], { AWS_ACCESS_KEY_ID: h.root.accessKeyId, AWS_SECRET_ACCESS_KEY: h.root.secretAccessKey })).code, 0);
    await expectAwsError(listRoles(after), { code: 'AccessDenied', status: 403, message: /with an explicit deny in an identity-based policy$/ });
  });

  it('signs with session credentials from the environment too', async () => {
    const session = credsOf(await (await h.sts()).call('GetSessionToken', {}));
    // Root session credentials cannot call IAM without MFA: the server says so, and so does the command.
    const r = await revoke(['revoke-sessions', 'deployer'], { AWS_ACCESS_KEY_ID: session.accessKeyId, AWS_SECRET_ACCESS_KEY: session.secretAccessKey, AWS_SESSION_TOKEN: session.sessionToken, AWS_ENDPOINT_URL_IAM: h.url });
    assert.equal(r.code, 254);
    assert.equal(r.err, 'rolecall: An error occurred (InvalidClientTokenId) when calling the PutRolePolicy operation: The security token included in the request is invalid\n');
    h.clock.advance(1_000); // past the last revocation
    const role = credsOf(await (await h.sts(alice.creds)).call('AssumeRole', { RoleArn: ROLE_ARN, RoleSessionName: 'admin' }));
    const denied = await revoke(['revoke-sessions', 'deployer'], { AWS_ACCESS_KEY_ID: role.accessKeyId, AWS_SECRET_ACCESS_KEY: role.secretAccessKey, AWS_SESSION_TOKEN: role.sessionToken, AWS_ENDPOINT_URL_IAM: h.url });
    assert.equal(denied.code, 254);
    assert.match(denied.err, /^rolecall: An error occurred \(AccessDenied\) when calling the PutRolePolicy operation: User: arn:aws:sts::\d+:assumed-role\/deployer\/admin is not authorized to perform: iam:PutRolePolicy on resource: arn:aws:iam::\d+:role\/ops\/deployer because no identity-based policy allows the iam:PutRolePolicy action\n$/);
  });

  it('falls back to the root credentials of the data directory', async () => {
    h.clock.advance(1_000);
    const r = await revoke(['revoke-sessions', 'deployer', '--data-dir', h.dataDir, '--endpoint', h.url], {});
    assert.equal(r.err, '');
    assert.equal(r.code, 0);
  });

  it('reports AWS errors and usage errors', async () => {
    const missing = await revoke(['revoke-sessions', 'nope'], rootEnv());
    assert.equal(missing.code, 254);
    assert.equal(missing.err, 'rolecall: An error occurred (NoSuchEntity) when calling the PutRolePolicy operation: The role with name nope cannot be found.\n');
    const noPermission = await revoke(['revoke-sessions', 'deployer'], { AWS_ACCESS_KEY_ID: alice.creds.accessKeyId, AWS_SECRET_ACCESS_KEY: alice.creds.secretAccessKey, AWS_ENDPOINT_URL_IAM: h.url });
    assert.equal(noPermission.code, 254);
    assert.match(noPermission.err, /\(AccessDenied\) when calling the PutRolePolicy operation: User: arn:aws:iam::\d+:user\/alice is not authorized to perform: iam:PutRolePolicy/);
    assert.equal((await revoke(['bogus'], rootEnv())).code, 252);
    assert.equal((await revoke(['revoke-sessions'], rootEnv())).code, 252);
    const help = await revoke(['--help'], rootEnv());
    assert.equal(help.code, 0);
    assert.match(help.out, /^rolecall role revoke-sessions ROLE/);
    const down = await revoke(['revoke-sessions', 'deployer', '--endpoint', 'http://127.0.0.1:9'], rootEnv());
    assert.equal(down.code, 255);
    assert.match(down.err, /^rolecall: could not reach http:\/\/127\.0\.0\.1:9/);
  });
});
