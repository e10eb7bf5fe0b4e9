/**
 * Unmodified clients get role credentials by themselves: boto3, the AWS CLI v1 and the AWS SDK
 * for JavaScript v3 default chain, run through the `rolecall` command (a child process, as a
 * user runs it) on a simulated EC2 instance (IMDSv2), as an ECS task (container credentials),
 * as a Lambda function (execution role in the environment), and with `rolecall exec` /
 * `credential_process` for a human assuming a role. No client has keys in its environment
 * except the ones its "service" put there; a role that does not trust the service gives none.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALLOW_ALL, doc, iamClient, rawHttp, resolveTools, runProcess, TRUST_EC2, type Client, type Credentials, type IsolatedHome } from './support/server.js';
import { Account, allow, trust, type Principal } from './support/sts-fixture.js';
import { CHECKOUT, CLI, isolatedHome, runRolecall, startWorkloadServer, workloadCall, type WorkloadServer } from './support/workloads.js';

let s: WorkloadServer;
let a: Account;
let acct: string;
let iam: Client;
let home: IsolatedHome;
let tools: { python: string; aws: string };

before(async () => {
  s = await startWorkloadServer();
  a = await Account.of(s, s.accountId, s.root);
  acct = s.accountId;
  iam = await iamClient(s.url, s.root);
  home = isolatedHome();
  const t = await resolveTools();
  assert.ok(t.python && t.boto3 && t.aws, 'these tests need python3 with boto3 and the AWS CLI v1');
  tools = { python: t.python, aws: t.aws };
});

after(async () => {
  home?.cleanup();
  await s?.close();
});

// One line per client, "<client> <json>", so a single workload runs all three.
const PY = `
import boto3, os, json
s = boto3.Session()
out = {'method': None, 'envKey': os.environ.get('AWS_ACCESS_KEY_ID')}
try:
    c = s.get_credentials()
    if c:
        out['method'] = c.method
        out['arn'] = s.client('sts').get_caller_identity()['Arn']
except Exception as e:
    out['error'] = type(e).__name__
print('boto3 ' + json.dumps(out))
`;
const JS = `
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
try {
  const r = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  console.log('js ' + JSON.stringify({ arn: r.Arn }));
} catch (e) {
  console.log('js ' + JSON.stringify({ error: e.name, message: e.message }));
}
`;
const CLIENTS = {
  boto3: '"$PROBE_PYTHON" -c "$PROBE_PY"',
  aws: 'out=$("$PROBE_AWS" sts get-caller-identity --query Arn --output text 2>&1); echo "aws $?" "$out"',
  js: 'node --input-type=module -e "$PROBE_JS"',
};
type ClientName = keyof typeof CLIENTS;
const ALL: ClientName[] = ['boto3', 'aws', 'js'];
const probeScript = (clients: ClientName[]) => clients.map((c) => CLIENTS[c]).join('; ');

interface Probe {
  boto3: { method: string | null; envKey: string | null; arn?: string; error?: string };
  aws: { code: number; text: string };
  js: { arn?: string; error?: string; message?: string };
}

function parseProbe(stdout: string): Probe {
  const lines = new Map<string, string>();
  for (const l of stdout.split('\n')) {
    const sp = l.indexOf(' ');
    if (sp > 0) lines.set(l.slice(0, sp), l.slice(sp + 1));
  }
  const aws = lines.get('aws') ?? '';
  const sp = aws.indexOf(' ');
  return {
    boto3: JSON.parse(lines.get('boto3') ?? 'null'),
    aws: { code: Number(aws.slice(0, sp)), text: aws.slice(sp + 1).trim() },
    js: JSON.parse(lines.get('js') ?? '{}'),
  };
}

/** `rolecall ARGS -- bash -c PROBE` with the caller's credentials in its environment. */
async function probe(args: string[], creds: Credentials = s.root, clients: ClientName[] = ALL): Promise<{ code: number; stderr: string; p: Probe }> {
  const r = await runRolecall(home, s, creds, [...args, '--', 'bash', '-c', probeScript(clients)], { PROBE_PY: PY, PROBE_JS: JS, PROBE_PYTHON: tools.python, PROBE_AWS: tools.aws });
  assert.match(r.stdout, /^boto3 /m, `no probe output (exit ${r.code}):\n${r.stderr}\n${r.stdout}`);
  return { code: r.code, stderr: r.stderr, p: parseProbe(r.stdout) };
}

const session = (role: string, name: string | RegExp) => (typeof name === 'string' ? `arn:aws:sts::${acct}:assumed-role/${role}/${name}` : new RegExp(`^arn:aws:sts::${acct}:assumed-role/${role}/${name.source}$`));

function assertAll(p: Probe, arn: RegExp | string, method: string, envKey: string | null = null, clients: ClientName[] = ALL): void {
  const check = (v: string | undefined, what: string) => (typeof arn === 'string' ? assert.equal(v, arn, what) : assert.match(v ?? '', arn, what));
  check(p.boto3.arn, `boto3 (${p.boto3.error})`);
  assert.equal(p.boto3.method, method, 'boto3 credential provider');
  assert.equal(p.boto3.envKey, envKey, 'AWS_ACCESS_KEY_ID in the workload environment');
  if (clients.includes('aws')) {
    assert.equal(p.aws.code, 0, `aws: ${p.aws.text}`);
    check(p.aws.text, 'aws cli');
  }
  if (clients.includes('js')) check(p.js.arn, `js (${p.js.error}: ${p.js.message})`);
}

async function roleWithProfile(name: string, trustPolicy: string): Promise<void> {
  await a.role(name, trustPolicy, { policy: ALLOW_ALL });
  await iam.call('CreateInstanceProfile', { InstanceProfileName: name });
  await iam.call('AddRoleToInstanceProfile', { InstanceProfileName: name, RoleName: name });
}

describe('EC2: rolecall instance run -- COMMAND (IMDSv2, AWS_EC2_METADATA_SERVICE_ENDPOINT only)', () => {
  before(async () => {
    await roleWithProfile('cli-web', TRUST_EC2);
    await roleWithProfile('cli-no-ec2', trust({ Service: 'lambda.amazonaws.com' }));
  });

  it('boto3, the AWS CLI and the JS default chain get the role: assumed-role/ROLE/i-...; the instance ends with the command', async () => {
    const { code, p } = await probe(['instance', 'run', '--profile', 'cli-web']);
    assert.equal(code, 0);
    assertAll(p, session('cli-web', /i-[0-9a-f]{17}/), 'iam-role');
    // All three ran on the same instance.
    assert.equal(p.aws.text, p.boto3.arn);
    assert.equal(p.js.arn, p.boto3.arn);
    const id = (p.boto3.arn as string).split('/')[2];
    const d = await workloadCall(s.url, s.root, 'ec2', 'DescribeInstances', { InstanceIds: [id] });
    assert.equal(d.body.Instances[0].State.Name, 'terminated');
  });

  it('a role that does not trust ec2.amazonaws.com gives no credentials to any client', async () => {
    const { code, p } = await probe(['instance', 'run', '--profile', 'cli-no-ec2']);
    assert.equal(code, 0, 'the probe script itself exits 0');
    assert.equal(p.boto3.method, null);
    assert.equal(p.aws.code, 255);
    assert.match(p.aws.text, /Unable to locate credentials/);
    assert.equal(p.js.error, 'CredentialsProviderError');
  });

  it('without a command: prints the instance and keeps it; exec, list, terminate', async () => {
    const r = await runRolecall(home, s, s.root, ['instance', 'run', '--profile', 'cli-web', '--http-tokens', 'optional']);
    assert.equal(r.code, 0, r.stderr);
    const i = JSON.parse(r.stdout);
    assert.equal(i.MetadataOptions.HttpTokens, 'optional');
    const e = await runRolecall(home, s, s.root, ['instance', 'exec', i.InstanceId, '--', tools.aws, 'sts', 'get-caller-identity', '--query', 'Arn', '--output', 'text']);
    assert.equal(e.code, 0, e.stderr);
    assert.equal(e.stdout.trim(), session('cli-web', i.InstanceId));
    const l = JSON.parse((await runRolecall(home, s, s.root, ['instance', 'list'])).stdout);
    assert.ok(l.Instances.some((x: any) => x.InstanceId === i.InstanceId && x.State.Name === 'running'));
    const t = await runRolecall(home, s, s.root, ['instance', 'terminate', i.InstanceId]);
    assert.equal(JSON.parse(t.stdout).TerminatingInstances[0].CurrentState.Name, 'terminated');
    const gone = await runRolecall(home, s, s.root, ['instance', 'exec', i.InstanceId, '--', 'true']);
    assert.equal(gone.code, 254);
    assert.match(gone.stderr, /is terminated/);
  });

  it('a launcher without iam:PassRole is refused with EC2\'s UnauthorizedOperation', async () => {
    const bob = await a.user('cli-bob', allow('ec2:RunInstances'));
    const r = await runRolecall(home, s, bob.creds, ['instance', 'run', '--profile', 'cli-web', '--', 'true']);
    assert.equal(r.code, 254);
    assert.match(r.stderr, /An error occurred \(UnauthorizedOperation\) when calling the RunInstances operation: You are not authorized to perform this operation\. User: .*cli-bob is not authorized to perform: iam:PassRole/);
  });
});

describe('ECS: rolecall task run --role ROLE -- COMMAND (AWS_CONTAINER_CREDENTIALS_FULL_URI + token)', () => {
  before(async () => {
    await a.role('cli-task', trust({ Service: 'ecs-tasks.amazonaws.com' }), { policy: ALLOW_ALL });
  });

  it('boto3 (container-role), the AWS CLI and the JS default chain get assumed-role/ROLE/TASK-ID', async () => {
    const { code, p } = await probe(['task', 'run', '--role', 'cli-task']);
    assert.equal(code, 0);
    assertAll(p, session('cli-task', /[0-9a-f]{32}/), 'container-role');
  });

  it('a role that does not trust ecs-tasks.amazonaws.com fails the launch (ClientException)', async () => {
    const r = await runRolecall(home, s, s.root, ['task', 'run', '--role', 'cli-web', '--', 'true']);
    assert.equal(r.code, 254);
    assert.match(r.stderr, /\(ClientException\) when calling the RunTask operation: ECS was unable to assume the role 'arn:aws:iam::\d{12}:role\/cli-web' that was provided for this task\./);
  });

  it('the endpoint refuses a missing or wrong token (401) and a stopped task', async () => {
    const run = await workloadCall(s.url, s.root, 'ecs', 'RunTask', { TaskRoleArn: 'cli-task' });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    const path = run.body.ContainerCredentials.RelativeUri;
    const token = run.body.ContainerCredentials.AuthorizationToken;
    const get = (headers: Record<string, string>) => rawHttp(s.url, { method: 'GET', path, headers });
    const missing = await get({});
    assert.equal(missing.status, 401);
    assert.deepEqual(JSON.parse(missing.body), { Code: 'Unauthorized', Message: 'The authorization token is not valid for this task.' });
    assert.equal((await get({ authorization: token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA') })).status, 401);
    assert.equal((await get({ authorization: `Bearer ${token}` })).status, 401, 'the token is sent verbatim, no scheme');
    const ok = await get({ authorization: token });
    assert.equal(ok.status, 200);
    const c = JSON.parse(ok.body);
    assert.deepEqual(Object.keys(c), ['AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration', 'RoleArn']);
    assert.equal(c.RoleArn, `arn:aws:iam::${acct}:role/cli-task`);
    // A token is the task's alone.
    const other = await workloadCall(s.url, s.root, 'ecs', 'RunTask', { TaskRoleArn: 'cli-task' });
    assert.equal((await rawHttp(s.url, { method: 'GET', path: other.body.ContainerCredentials.RelativeUri, headers: { authorization: token } })).status, 401);
    assert.equal((await workloadCall(s.url, s.root, 'ecs', 'StopTask', { Task: run.body.Task.TaskArn })).status, 200);
    assert.equal((await get({ authorization: token })).status, 401);

    // With the wrong token, the SDKs get nothing: boto3 and the JS default chain.
    const bad = await runRolecall(home, s, s.root, ['task', 'run', '--role', 'cli-task', '--', 'bash', '-c', 'AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong; export AWS_CONTAINER_AUTHORIZATION_TOKEN; "$PROBE_PYTHON" -c "$PROBE_PY"; node --input-type=module -e "$PROBE_JS"'], { PROBE_PY: PY, PROBE_JS: JS, PROBE_PYTHON: tools.python });
    const lines = bad.stdout.split('\n');
    const boto = JSON.parse(lines.find((l) => l.startsWith('boto3 '))?.slice(6) ?? 'null');
    assert.equal(boto.arn, undefined);
    assert.equal(boto.error, 'CredentialRetrievalError', bad.stdout);
    assert.ok(lines.some((l) => l.startsWith('js ') && l.includes('"error"')), bad.stdout);
  });
});

describe('Lambda: rolecall exec --service lambda.amazonaws.com --role ROLE -- COMMAND', () => {
  before(async () => {
    await a.role('cli-fn', trust({ Service: 'lambda.amazonaws.com' }), { policy: ALLOW_ALL });
  });

  it('the execution role\'s session is in the environment: assumed-role/ROLE/FUNCTION', async () => {
    // Credentials in the environment come first in every client's chain: boto3 and the CLI suffice.
    const { code, p } = await probe(['exec', '--service', 'lambda.amazonaws.com', '--role', 'cli-fn', '--function-name', 'orders-worker'], s.root, ['boto3', 'aws']);
    assert.equal(code, 0);
    assert.match(p.boto3.envKey ?? '', /^ASIA/);
    assertAll(p, session('cli-fn', 'orders-worker'), 'env', p.boto3.envKey, ['boto3', 'aws']);
  });

  it('refused: a role Lambda cannot assume; a launcher without iam:PassRole for lambda.amazonaws.com', async () => {
    let r = await runRolecall(home, s, s.root, ['exec', '--service', 'lambda.amazonaws.com', '--role', 'cli-web', '--', 'true']);
    assert.equal(r.code, 254);
    assert.match(r.stderr, /\(InvalidParameterValueException\) when calling the ExecutionCredentials operation: The role defined for the function cannot be assumed by Lambda\./);
    const carol = await a.user('cli-carol', doc([
      { Effect: 'Allow', Action: 'lambda:CreateFunction', Resource: '*' },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } },
    ]));
    r = await runRolecall(home, s, carol.creds, ['exec', '--service', 'lambda.amazonaws.com', '--role', 'cli-fn', '--', 'true']);
    assert.equal(r.code, 254);
    assert.match(r.stderr, /\(AccessDeniedException\) .*cli-carol is not authorized to perform: iam:PassRole on resource: arn:aws:iam::\d{12}:role\/cli-fn/);
  });
});

describe('humans: rolecall exec --role and credential_process = rolecall creds', () => {
  let alice: Principal;
  before(async () => {
    alice = await a.user('cli-alice');
    await a.role('cli-deployer', trust(alice.arn), { policy: ALLOW_ALL });
    await a.role('cli-mfa-only', doc([{ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }]), { policy: ALLOW_ALL });
  });

  it('exec --role: the command runs with the session (in the environment), for every client', async () => {
    const { code, p } = await probe(['exec', '--role', 'cli-deployer', '--session-name', 'alice-deploys', '--duration', '15m'], alice.creds, ['boto3']);
    assert.equal(code, 0);
    assertAll(p, session('cli-deployer', 'alice-deploys'), 'env', p.boto3.envKey, ['boto3']);
    assert.notEqual(p.boto3.envKey, alice.creds.accessKeyId, 'the session, not alice\'s own key');
    assert.match(p.boto3.envKey ?? '', /^ASIA/);
  });

  it('exec --role with MFA: the code from --token-code or from stdin; without it the trust policy refuses', async () => {
    const mfa = await a.mfa('cli-alice');
    let r = await runRolecall(home, s, alice.creds, ['exec', '--role', 'cli-mfa-only', '--', 'true']);
    assert.equal(r.code, 254);
    assert.match(r.stderr, /\(AccessDenied\) when calling the AssumeRole operation: User: .*cli-alice is not authorized to perform: sts:AssumeRole/);
    r = await runRolecall(home, s, alice.creds, ['exec', '--role', 'cli-mfa-only', '--mfa-serial', mfa.serial, '--token-code', mfa.next(), '--', tools.aws, 'sts', 'get-caller-identity', '--query', 'Arn', '--output', 'text']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), session('cli-mfa-only', /rolecall-\d+/) as RegExp);
    r = await runRolecall(home, s, alice.creds, ['creds', '--role', 'cli-mfa-only', '--mfa-serial', mfa.serial], {}, `${mfa.next()}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Enter MFA code for arn:aws:iam::\d{12}:mfa\/cli-alice-mfa: /);
    assert.match(JSON.parse(r.stdout).AccessKeyId, /^ASIA/);
  });

  it('creds: Version 1 JSON; as credential_process, boto3, the AWS CLI and the JS chain use it with no keys in their environment', async () => {
    const direct = await runRolecall(home, s, alice.creds, ['creds', '--role', 'cli-deployer', '--duration', '1h']);
    assert.equal(direct.code, 0, direct.stderr);
    const v = JSON.parse(direct.stdout);
    assert.deepEqual(Object.keys(v), ['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
    assert.equal(v.Version, 1);
    assert.match(v.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // A profile with alice's keys (the source) and a default profile whose credential_process assumes the role.
    writeFileSync(join(home.dir, 'credentials'), `[alice]\naws_access_key_id = ${alice.creds.accessKeyId}\naws_secret_access_key = ${alice.creds.secretAccessKey}\n`);
    writeFileSync(join(home.dir, 'config'), `[default]\ncredential_process = ${process.execPath} ${CLI} creds --role cli-deployer --source-profile alice --session-name via-process\n`);
    try {
      const env = home.env(s, s.root, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', PROBE_PY: PY, PROBE_JS: JS, PROBE_PYTHON: tools.python, PROBE_AWS: tools.aws });
      delete env.AWS_ACCESS_KEY_ID;
      delete env.AWS_SECRET_ACCESS_KEY;
      const r = await runProcess('bash', ['-c', probeScript(ALL)], { env: { ...env, AWS_REGION: 'us-east-1' }, cwd: CHECKOUT });
      const p = parseProbe(r.stdout);
      assertAll(p, session('cli-deployer', 'via-process'), 'custom-process');
    } finally {
      writeFileSync(join(home.dir, 'credentials'), '');
      writeFileSync(join(home.dir, 'config'), '');
    }
  });

  it('exec and creds refuse without the caller\'s keys, and root cannot assume roles', async () => {
    let r = await runRolecall(home, s, { accessKeyId: '', secretAccessKey: '' }, ['creds', '--role', 'cli-deployer']);
    assert.equal(r.code, 255);
    assert.match(r.stderr, /Unable to locate credentials/);
    r = await runRolecall(home, s, s.root, ['exec', '--role', 'cli-deployer', '--', 'true']);
    assert.equal(r.code, 254);
    assert.match(r.stderr, /Roles may not be assumed by root accounts\./);
  });
});
