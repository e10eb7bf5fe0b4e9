/**
 * boto3 (python3) and the AWS CLI v1 against a real server, each in an isolated HOME with empty
 * AWS config files: roles and inline policies (botocore decodes policy documents into dicts),
 * modeled errors and exit codes, form encoding (`+` for spaces), and the README quick path
 * `eval "$(rolecall env ...)"` followed by plain `aws` commands.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeDoc, doc, iamClient, isolatedHome, PY_PRELUDE, resolveTools, runAws, runBash, runPython, startTestServer, TRUST_EC2, type Client, type IsolatedHome, type TestServer } from './support/server.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tools = await resolveTools();

let server: TestServer;
let iam: Client;
let acct: string;
let home: IsolatedHome;
let env: NodeJS.ProcessEnv;

before(async () => {
  server = await startTestServer();
  iam = await iamClient(server.url, server.root);
  acct = server.accountId;
  home = isolatedHome();
  env = home.env(server, server.root);
});

after(async () => {
  await server?.close();
  home?.cleanup();
});

const S3_READ = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' }] };

describe('boto3', { skip: tools.boto3 ? false : 'python3 with boto3 is not installed' }, () => {
  it('roles, inline policies, pagination and modeled errors', async () => {
    const out = await runPython(
      `${PY_PRELUDE}
trust = ${JSON.stringify(TRUST_EC2)}
r = iam.create_role(RoleName='py-role', Path='/py/', AssumeRolePolicyDocument=trust, Description='a b+c & d', Tags=[{'Key': 'team', 'Value': 'red blue+green'}])
out['create'] = r['Role']
out['get'] = iam.get_role(RoleName='py-role')['Role']
iam.put_role_policy(RoleName='py-role', PolicyName='read', PolicyDocument=json.dumps(${JSON.stringify(S3_READ)}))
out['policy'] = iam.get_role_policy(RoleName='py-role', PolicyName='read')
for i in range(3):
    iam.create_role(RoleName='py-page-%d' % i, Path='/pypage/', AssumeRolePolicyDocument=trust)
pages = iam.get_paginator('list_roles').paginate(PathPrefix='/pypage/', PaginationConfig={'PageSize': 2})
out['pages'] = [[x['RoleName'] for x in p['Roles']] for p in pages]
out['listed'] = [x['RoleName'] for x in iam.list_roles(PathPrefix='/py/')['Roles']]
out['missing'] = err(iam.get_role, RoleName='nope')
out['missingClass'] = None
try:
    iam.get_role(RoleName='nope')
except iam.exceptions.NoSuchEntityException as e:
    out['missingClass'] = 'NoSuchEntityException'
out['invalidName'] = err(iam.get_role, RoleName='has space')
out['malformed'] = err(iam.put_role_policy, RoleName='py-role', PolicyName='bad', PolicyDocument='{"Version":')
out['exists'] = err(iam.create_role, RoleName='PY-ROLE', AssumeRolePolicyDocument=trust)
out['conflict'] = err(iam.delete_role, RoleName='py-role')
out['whoami'] = sts.get_caller_identity()
emit()`,
      env,
    );
    assert.equal(out.create.Arn, `arn:aws:iam::${acct}:role/py/py-role`);
    // botocore decodes policy documents into dicts (sdk-compat.md §1.3).
    assert.deepEqual(out.create.AssumeRolePolicyDocument, JSON.parse(TRUST_EC2));
    assert.deepEqual(out.get.AssumeRolePolicyDocument, JSON.parse(TRUST_EC2));
    assert.equal(out.get.Description, 'a b+c & d');
    assert.equal(out.get.MaxSessionDuration, 3600);
    assert.deepEqual(out.get.Tags, [{ Key: 'team', Value: 'red blue+green' }]);
    assert.deepEqual(out.policy.PolicyDocument, S3_READ);
    assert.equal(out.policy.RoleName, 'py-role');
    assert.deepEqual(out.pages, [['py-page-0', 'py-page-1'], ['py-page-2']]);
    assert.deepEqual(out.listed, ['py-role']);
    assert.deepEqual(out.missing, { Code: 'NoSuchEntity', Message: 'The role with name nope cannot be found.', Type: 'Sender', Status: 404, Class: 'NoSuchEntityException' });
    assert.equal(out.missingClass, 'NoSuchEntityException');
    assert.equal(out.invalidName.Code, 'ValidationError');
    assert.equal(out.invalidName.Status, 400);
    assert.equal(out.invalidName.Message, "1 validation error detected: Value 'has space' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    assert.deepEqual(out.malformed, { Code: 'MalformedPolicyDocument', Message: 'This policy contains invalid Json', Type: 'Sender', Status: 400, Class: 'MalformedPolicyDocumentException' });
    assert.equal(out.exists.Code, 'EntityAlreadyExists');
    assert.equal(out.exists.Status, 409);
    assert.equal(out.exists.Class, 'EntityAlreadyExistsException');
    assert.deepEqual(out.conflict, { Code: 'DeleteConflict', Message: 'Cannot delete entity, must delete policies first.', Type: 'Sender', Status: 409, Class: 'DeleteConflictException' });
    assert.equal(out.whoami.Arn, `arn:aws:iam::${acct}:root`);

    // What boto3 sent with `+` for spaces reads back the same through the JS SDK (`%20`).
    const js = (await iam.call('GetRole', { RoleName: 'py-role' })).Role;
    assert.equal(js.Description, 'a b+c & d');
    assert.deepEqual(js.Tags, [{ Key: 'team', Value: 'red blue+green' }]);
    assert.deepEqual(decodeDoc((await iam.call('GetRolePolicy', { RoleName: 'py-role', PolicyName: 'read' })).PolicyDocument), S3_READ);
  });

  it("a user's keys: allowed and denied calls, wrong secret", async () => {
    await iam.call('CreateUser', { UserName: 'py-user' });
    await iam.call('PutUserPolicy', { UserName: 'py-user', PolicyName: 'get-role', PolicyDocument: doc([{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }]) });
    const k = (await iam.call('CreateAccessKey', { UserName: 'py-user' })).AccessKey;
    const out = await runPython(
      `${PY_PRELUDE}
out['whoami'] = sts.get_caller_identity()
out['get'] = iam.get_role(RoleName='py-role')['Role']['RoleName']
out['denied'] = err(iam.create_role, RoleName='py-denied', AssumeRolePolicyDocument=${JSON.stringify(TRUST_EC2)})
bad = boto3.session.Session(aws_access_key_id=os.environ['AWS_ACCESS_KEY_ID'], aws_secret_access_key='x' * 40).client('sts', endpoint_url=os.environ['ENDPOINT'])
out['badSecret'] = err(bad.get_caller_identity)
unknown = boto3.session.Session(aws_access_key_id='AKIAUNKNOWNKEY000000', aws_secret_access_key='x' * 40).client('iam', endpoint_url=os.environ['ENDPOINT'])
out['unknown'] = err(unknown.list_roles)
emit()`,
      home.env(server, { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey }),
    );
    assert.equal(out.whoami.Arn, `arn:aws:iam::${acct}:user/py-user`);
    assert.equal(out.get, 'py-role');
    assert.deepEqual(out.denied, {
      Code: 'AccessDenied',
      Message: `User: arn:aws:iam::${acct}:user/py-user is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::${acct}:role/py-denied because no identity-based policy allows the iam:CreateRole action`,
      Type: 'Sender',
      Status: 403,
      Class: 'ClientError',
    });
    assert.equal(out.badSecret.Code, 'SignatureDoesNotMatch');
    assert.equal(out.badSecret.Status, 403);
    assert.equal(out.unknown.Code, 'InvalidClientTokenId');
    assert.equal(out.unknown.Status, 403);
  });
});

describe('AWS CLI v1', { skip: tools.aws ? false : 'the AWS CLI is not installed' }, () => {
  it('create-role, get-role, list-roles, put-role-policy, get-role-policy', async () => {
    const trustFile = join(home.dir, 'trust.json');
    writeFileSync(trustFile, TRUST_EC2);
    const created = await runAws(['iam', 'create-role', '--role-name', 'cli-role', '--path', '/cli/', '--assume-role-policy-document', `file://${trustFile}`, '--description', 'Reads the reports bucket', '--max-session-duration', '7200'], env);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).Role.Arn, `arn:aws:iam::${acct}:role/cli/cli-role`);

    const [got, listed, put] = await Promise.all([
      runAws(['iam', 'get-role', '--role-name', 'cli-role'], env),
      runAws(['iam', 'list-roles', '--path-prefix', '/cli/'], env),
      runAws(['iam', 'put-role-policy', '--role-name', 'cli-role', '--policy-name', 'read-reports', '--policy-document', JSON.stringify(S3_READ)], env),
    ]);
    assert.equal(got.code, 0, got.stderr);
    const role = JSON.parse(got.stdout).Role;
    assert.deepEqual(role.AssumeRolePolicyDocument, JSON.parse(TRUST_EC2), 'the CLI prints the decoded document');
    assert.equal(role.Description, 'Reads the reports bucket');
    assert.equal(role.MaxSessionDuration, 7200);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout).Roles.map((r: any) => r.RoleName), ['cli-role']);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.stdout.trim(), '');

    const policy = await runAws(['iam', 'get-role-policy', '--role-name', 'cli-role', '--policy-name', 'read-reports'], env);
    assert.equal(policy.code, 0, policy.stderr);
    assert.deepEqual(JSON.parse(policy.stdout), { RoleName: 'cli-role', PolicyName: 'read-reports', PolicyDocument: S3_READ });
  });

  it('service errors exit 255 with the "An error occurred (Code) when calling the Op operation" text', async () => {
    const [missing, invalid, whoami] = await Promise.all([
      runAws(['iam', 'get-role', '--role-name', 'nope'], env),
      runAws(['iam', 'create-role', '--role-name', 'cli-bad', '--assume-role-policy-document', '{"Version":'], env),
      runAws(['sts', 'get-caller-identity'], env),
    ]);
    assert.equal(missing.code, 255);
    assert.equal(missing.stdout, '');
    assert.equal(missing.stderr.trim(), 'An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name nope cannot be found.');
    assert.equal(invalid.code, 255);
    assert.equal(invalid.stderr.trim(), 'An error occurred (MalformedPolicyDocument) when calling the CreateRole operation: This policy contains invalid Json');
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.deepEqual(JSON.parse(whoami.stdout), { UserId: acct, Account: acct, Arn: `arn:aws:iam::${acct}:root` });
  });

  it('the README quick path: eval "$(rolecall env ...)" then plain aws commands', async () => {
    const bare: NodeJS.ProcessEnv = {
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: home.dir,
      AWS_CONFIG_FILE: join(home.dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home.dir, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      ...server.storeEnv,
    };
    for (const k of ['PYENV_ROOT', 'PYENV_VERSION', 'LANG', 'LC_ALL']) if (process.env[k]) bare[k] = process.env[k];
    const script = `set -e
eval "$(node dist/src/cli/main.js env --data-dir '${server.dataDir}' --endpoint '${server.url}')"
# sdk-compat.md §2.8: both region variables, per-service endpoints, never AWS_ENDPOINT_URL.
test -n "$AWS_REGION" && test -n "$AWS_DEFAULT_REGION" && test -n "$AWS_ENDPOINT_URL_IAM" && test -n "$AWS_ENDPOINT_URL_STS"
test -z "\${AWS_ENDPOINT_URL:-}"
aws iam create-role --role-name quick-path --assume-role-policy-document '${TRUST_EC2}' --output json >/dev/null && aws iam get-role --role-name quick-path --output json
`;
    const r = await runBash(script, bare, REPO);
    assert.equal(r.code, 0, r.stderr);
    const role = JSON.parse(r.stdout).Role;
    assert.equal(role.Arn, `arn:aws:iam::${acct}:role/quick-path`);
    assert.deepEqual(role.AssumeRolePolicyDocument, JSON.parse(TRUST_EC2));
    assert.equal((await iam.call('GetRole', { RoleName: 'quick-path' })).Role.RoleId, role.RoleId);
  });
});

describe('client versions (sdk-compat.md §2.8 item 10)', () => {
  it('the JS SDK clients are pinned in package.json and installed at that version', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    for (const name of ['@aws-sdk/client-iam', '@aws-sdk/client-sts']) {
      const spec = pkg.devDependencies[name] ?? '';
      assert.match(spec, /^~?\d+\.\d+\.\d+$/, `${name} is pinned (no caret range): ${spec}`);
      const installed = (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
      assert.equal(installed.split('.').slice(0, 2).join('.'), spec.replace(/^~/, '').split('.').slice(0, 2).join('.'), `${name} installed ${installed}`);
    }
  });
});
