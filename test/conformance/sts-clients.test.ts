/**
 * AssumeRole from boto3 (python3), the AWS CLI v1 and the JS SDK's profile provider against a
 * real server, each in an isolated HOME with its own ~/.aws/config: direct AssumeRole calls with
 * every parameter, the modeled errors as botocore and the CLI see them, and role chaining through
 * profiles (role_arn, source_profile, external_id, duration_seconds, role_session_name,
 * mfa_serial with the code typed on stdin or given to fromIni's mfaCodeProvider).
 * sdk-compat.md §2.1, §2.7; iam-semantics.md §6.2.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedHome, PY_PRELUDE, REGION, runAws, runPython, stsClient, type IsolatedHome } from './support/server.js';
import { Account, allow, assumeDenied, runDetached, startStsServer, trust, type Mfa, type Principal, type StsServer } from './support/sts-fixture.js';

let s: StsServer;
let a: Account;
let acct: string;
let home: IsolatedHome;
/** Environment with the user's keys (direct calls). */
let userEnv: NodeJS.ProcessEnv;
/** Environment without keys: credentials come from the profiles. */
let profileEnv: NodeJS.ProcessEnv;
let prof: Principal;
let mfa: Mfa;
type Role = { arn: string; id: string };
const roles = {} as { first: Role; second: Role; mfa: Role; rich: Role; chained: Role };

const stsArn = (role: string, session: string) => `arn:aws:sts::${acct}:assumed-role/${role}/${session}`;
const CHAIN_LIMIT = 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.';

before(async () => {
  s = await startStsServer();
  a = await Account.of(s, s.accountId, s.root);
  acct = s.accountId;
  prof = await a.user('prof');
  mfa = await a.mfa('prof');
  roles.first = await a.role('first', trust(prof.arn, { condition: { StringEquals: { 'sts:ExternalId': 'ext-123' } } }));
  roles.second = await a.role('second', trust(roles.first.arn), { maxSessionDuration: 7200, policy: allow('iam:GetRole') });
  roles.mfa = await a.role('mfa-role', trust(prof.arn, { condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }), {
    policy: allow('iam:GetRole', '*', { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
  });
  roles.rich = await a.role('rich', trust(prof.arn, { actions: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] }), { maxSessionDuration: 7200, policy: allow(['iam:GetRole', 'sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession']) });
  roles.chained = await a.role('chained', trust(roles.rich.arn, { actions: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] }), { maxSessionDuration: 7200 });

  home = isolatedHome();
  userEnv = home.env(s, prof.creds);
  profileEnv = { ...userEnv };
  delete profileEnv.AWS_ACCESS_KEY_ID;
  delete profileEnv.AWS_SECRET_ACCESS_KEY;
  delete profileEnv.AWS_SESSION_TOKEN;
  writeFileSync(join(home.dir, 'credentials'), `[base]\naws_access_key_id = ${prof.creds.accessKeyId}\naws_secret_access_key = ${prof.creds.secretAccessKey}\n`);
  writeFileSync(
    join(home.dir, 'config'),
    [
      '[profile base]',
      `region = ${REGION}`,
      '[profile r1]',
      `role_arn = ${roles.first.arn}`,
      'source_profile = base',
      'external_id = ext-123',
      'duration_seconds = 1800',
      'role_session_name = hop1',
      '[profile r2]',
      `role_arn = ${roles.second.arn}`,
      'source_profile = r1',
      'role_session_name = hop2',
      '[profile r1-wrong-ext]',
      `role_arn = ${roles.first.arn}`,
      'source_profile = base',
      'external_id = ext-999',
      'role_session_name = hop1',
      '[profile r2-too-long]',
      `role_arn = ${roles.second.arn}`,
      'source_profile = r1',
      'duration_seconds = 3601',
      'role_session_name = hop2',
      '[profile mfa]',
      `role_arn = ${roles.mfa.arn}`,
      'source_profile = base',
      `mfa_serial = ${mfa.serial}`,
      'role_session_name = mfa-hop',
      '',
    ].join('\n'),
  );
});

after(async () => {
  await s?.close();
  home?.cleanup();
});

const json = (stdout: string) => JSON.parse(stdout);

describe('AWS CLI v1', () => {
  it('aws sts assume-role: success, and a modeled error (exit 255)', async () => {
    const [ok, denied] = await Promise.all([
      runAws(['sts', 'assume-role', '--role-arn', roles.first.arn, '--role-session-name', 'cli-sess', '--external-id', 'ext-123', '--duration-seconds', '900'], userEnv),
      runAws(['sts', 'assume-role', '--role-arn', roles.first.arn, '--role-session-name', 'cli sess'], userEnv),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const out = json(ok.stdout);
    assert.equal(out.AssumedRoleUser.Arn, stsArn('first', 'cli-sess'));
    assert.equal(out.AssumedRoleUser.AssumedRoleId, `${roles.first.id}:cli-sess`);
    assert.match(out.Credentials.AccessKeyId, /^ASIA/);
    assert.match(out.Credentials.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$/);
    assert.equal(denied.code, 255);
    assert.match(denied.stderr, /An error occurred \(ValidationError\) when calling the AssumeRole operation: 1 validation error detected: Value 'cli sess' at 'roleSessionName' failed to satisfy constraint/);
  });

  it('profiles: role_arn + source_profile chains, external_id, duration_seconds, chaining limit', async () => {
    const [r2, wrongExt, tooLong] = await Promise.all([
      runAws(['sts', 'get-caller-identity', '--profile', 'r2'], profileEnv),
      runAws(['sts', 'get-caller-identity', '--profile', 'r1-wrong-ext'], profileEnv),
      runAws(['sts', 'get-caller-identity', '--profile', 'r2-too-long'], profileEnv),
    ]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(json(r2.stdout), { UserId: `${roles.second.id}:hop2`, Account: acct, Arn: stsArn('second', 'hop2') });
    assert.equal(wrongExt.code, 255);
    assert.match(wrongExt.stderr, new RegExp(`An error occurred \\(AccessDenied\\) when calling the AssumeRole operation: ${escapeRe(assumeDenied(prof.arn, roles.first.arn))}`));
    assert.equal(tooLong.code, 255);
    assert.match(tooLong.stderr, new RegExp(`An error occurred \\(ValidationError\\) when calling the AssumeRole operation: ${escapeRe(CHAIN_LIMIT)}`));
  });

  it('mfa_serial: the CLI asks for the code on stdin; the session is MFA-authenticated', async () => {
    const code = mfa.next();
    const r = await runDetached('aws', ['sts', 'get-caller-identity', '--profile', 'mfa', '--output', 'json'], profileEnv, `${code}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json(r.stdout).Arn, stsArn('mfa-role', 'mfa-hop'));
    assert.match(r.stderr, new RegExp(`Enter MFA code for ${escapeRe(mfa.serial)}`));
    // Cached role credentials: no new prompt; the role's policy sees aws:MultiFactorAuthPresent.
    const got = await runDetached('aws', ['iam', 'get-role', '--role-name', 'mfa-role', '--profile', 'mfa', '--output', 'json'], profileEnv, '');
    assert.equal(got.code, 0, got.stderr);
    assert.equal(json(got.stdout).Role.Arn, roles.mfa.arn);
    // The same code again (a fresh HOME has no cache) is refused.
    const replayHome = isolatedHome();
    try {
      writeFileSync(join(replayHome.dir, 'credentials'), `[base]\naws_access_key_id = ${prof.creds.accessKeyId}\naws_secret_access_key = ${prof.creds.secretAccessKey}\n`);
      writeFileSync(join(replayHome.dir, 'config'), `[profile mfa]\nrole_arn = ${roles.mfa.arn}\nsource_profile = base\nmfa_serial = ${mfa.serial}\n`);
      const env = { ...profileEnv, HOME: replayHome.dir, AWS_CONFIG_FILE: join(replayHome.dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(replayHome.dir, 'credentials') };
      const replay = await runDetached('aws', ['sts', 'get-caller-identity', '--profile', 'mfa', '--output', 'json'], env, `${code}\n`);
      assert.equal(replay.code, 255);
      assert.match(replay.stderr, /An error occurred \(AccessDenied\) when calling the AssumeRole operation: MultiFactorAuthentication failed with invalid MFA one time pass code\./);
    } finally {
      replayHome.cleanup();
    }
  });
});

describe('boto3', () => {
  it('AssumeRole with every parameter, and the modeled errors', async () => {
    const managed = (await a.rootIam.call('CreatePolicy', { PolicyName: 'py-session', PolicyDocument: allow('iam:GetRole') })).Policy.Arn;
    const code = mfa.next();
    const out = await runPython(
      `${PY_PRELUDE}
rich = ${JSON.stringify(roles.rich.arn)}
r = sts.assume_role(RoleArn=rich, RoleSessionName='py-rich', ExternalId='ext-1', DurationSeconds=5400,
    SerialNumber=${JSON.stringify(mfa.serial)}, TokenCode=${JSON.stringify(code)},
    PolicyArns=[{'arn': ${JSON.stringify(managed)}}], Policy=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['iam:GetRole', 'sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'], 'Resource': '*'}]}),
    Tags=[{'Key': 'team', 'Value': 'red blue'}, {'Key': 'env', 'Value': 'dev'}], TransitiveTagKeys=['team'], SourceIdentity='prof-src')
out['rich'] = {k: r[k] for k in ('AssumedRoleUser', 'PackedPolicySize', 'SourceIdentity')}
out['richExpiration'] = r['Credentials']['Expiration']
c = r['Credentials']
chained = boto3.session.Session(aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken']).client('sts', endpoint_url=os.environ['ENDPOINT'])
out['whoami'] = chained.get_caller_identity()
out['chainTooLong'] = err(chained.assume_role, RoleArn=${JSON.stringify(roles.chained.arn)}, RoleSessionName='py-hop', DurationSeconds=3601)
out['chained'] = chained.assume_role(RoleArn=${JSON.stringify(roles.chained.arn)}, RoleSessionName='py-hop')['AssumedRoleUser']
out['noRole'] = err(sts.assume_role, RoleArn=${JSON.stringify(a.arn('role', 'nope'))}, RoleSessionName='py')
out['tooLong'] = err(sts.assume_role, RoleArn=rich, RoleSessionName='py', DurationSeconds=7201)
out['badName'] = err(sts.assume_role, RoleArn=rich, RoleSessionName='py name')
out['replay'] = err(sts.assume_role, RoleArn=rich, RoleSessionName='py', SerialNumber=${JSON.stringify(mfa.serial)}, TokenCode=${JSON.stringify(code)})
try:
    sts.assume_role(RoleArn=rich, RoleSessionName='x')
    out['shortName'] = None
except botocore.exceptions.ParamValidationError as e:
    out['shortName'] = 'ParamValidationError'
emit()`,
      userEnv,
    );
    assert.deepEqual(out.rich.AssumedRoleUser, { Arn: stsArn('rich', 'py-rich'), AssumedRoleId: `${roles.rich.id}:py-rich` });
    assert.equal(typeof out.rich.PackedPolicySize, 'number');
    assert.equal(out.rich.SourceIdentity, 'prof-src');
    assert.equal((Date.parse(out.richExpiration) - s.clock.now().getTime()) / 1000, 5400, `Expiration ${out.richExpiration}`);
    assert.equal(out.whoami.Arn, stsArn('rich', 'py-rich'));
    assert.deepEqual(out.chainTooLong, { Code: 'ValidationError', Message: CHAIN_LIMIT, Type: 'Sender', Status: 400, Class: 'ClientError' });
    assert.deepEqual(out.chained, { Arn: stsArn('chained', 'py-hop'), AssumedRoleId: `${roles.chained.id}:py-hop` });
    assert.deepEqual(out.noRole, { Code: 'AccessDenied', Message: assumeDenied(prof.arn, a.arn('role', 'nope')), Type: 'Sender', Status: 403, Class: 'ClientError' });
    assert.deepEqual(out.tooLong, { Code: 'ValidationError', Message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', Type: 'Sender', Status: 400, Class: 'ClientError' });
    assert.equal(out.badName.Code, 'ValidationError');
    assert.equal(out.badName.Status, 400);
    assert.deepEqual(out.replay, { Code: 'AccessDenied', Message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.', Type: 'Sender', Status: 403, Class: 'ClientError' });
    assert.equal(out.shortName, 'ParamValidationError', 'botocore checks the minimum length itself');
  });

  it('profiles: Session(profile_name=...) through two hops, and a wrong external_id', async () => {
    const out = await runPython(
      `import json, boto3
from botocore.exceptions import ClientError
out = {}
for p in ('r1', 'r2'):
    out[p] = boto3.Session(profile_name=p).client('sts').get_caller_identity()
    out[p].pop('ResponseMetadata', None)
for p in ('r1-wrong-ext', 'r2-too-long'):
    try:
        boto3.Session(profile_name=p).client('sts').get_caller_identity()
        out[p] = None
    except ClientError as e:
        out[p] = {'Code': e.response['Error']['Code'], 'Message': e.response['Error']['Message'], 'Op': e.operation_name}
print(json.dumps(out))`,
      profileEnv,
    );
    assert.deepEqual(out.r1, { UserId: `${roles.first.id}:hop1`, Account: acct, Arn: stsArn('first', 'hop1') });
    assert.deepEqual(out.r2, { UserId: `${roles.second.id}:hop2`, Account: acct, Arn: stsArn('second', 'hop2') });
    assert.deepEqual(out['r1-wrong-ext'], { Code: 'AccessDenied', Message: assumeDenied(prof.arn, roles.first.arn), Op: 'AssumeRole' });
    assert.deepEqual(out['r2-too-long'], { Code: 'ValidationError', Message: CHAIN_LIMIT, Op: 'AssumeRole' });
  });

  it('profiles: mfa_serial with the code on stdin', async () => {
    const code = mfa.next();
    const r = await runDetached(
      'python3',
      ['-c', `import json, boto3\nc = boto3.Session(profile_name='mfa').client('sts').get_caller_identity()\nprint(json.dumps({'Arn': c['Arn']}))`],
      profileEnv,
      `${code}\n`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json(r.stdout.trim().split('\n').pop() ?? '').Arn, stsArn('mfa-role', 'mfa-hop'));
  });
});

describe('JS SDK fromIni', () => {
  let fromIni: (init: Record<string, unknown>) => unknown;
  const saved: Record<string, string | undefined> = {};
  const ENV_KEYS = ['AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_IAM', 'AWS_REGION', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'];
  before(async () => {
    fromIni = (await import(String('@aws-sdk/credential-provider-ini'))).fromIni;
    for (const k of ENV_KEYS) saved[k] = process.env[k];
    for (const k of ENV_KEYS) delete process.env[k];
    // The provider's own STS client finds the server through the same variables as the CLI.
    Object.assign(process.env, { AWS_ENDPOINT_URL_STS: s.url, AWS_ENDPOINT_URL_IAM: s.url, AWS_REGION: REGION, AWS_CONFIG_FILE: join(home.dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home.dir, 'credentials') });
  });
  after(() => {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  async function whoami(init: Record<string, unknown>): Promise<any> {
    const provider = fromIni({ ignoreCache: true, ...init }) as () => Promise<any>;
    const creds = await provider();
    return (await stsClient(s.url, creds)).call('GetCallerIdentity');
  }

  it('fromIni({ profile: "r2" }) chains two AssumeRole calls; duration_seconds is honoured', async () => {
    const r1 = await (fromIni({ profile: 'r1', ignoreCache: true }) as () => Promise<any>)();
    assert.equal((r1.expiration.getTime() - s.clock.now().getTime()) / 1000, 1800, 'duration_seconds = 1800');
    const r2 = await (fromIni({ profile: 'r2', ignoreCache: true }) as () => Promise<any>)();
    assert.equal((r2.expiration.getTime() - s.clock.now().getTime()) / 1000, 3600, 'the JS SDK asks for 3600 s when the profile does not say');
    const me = await whoami({ profile: 'r2' });
    assert.equal(me.Arn, stsArn('second', 'hop2'));
    assert.equal(me.UserId, `${roles.second.id}:hop2`);
    await assert.rejects(whoami({ profile: 'r1-wrong-ext' }), (e: any) => e.name === 'AccessDenied' && e.message === assumeDenied(prof.arn, roles.first.arn));
    await assert.rejects(whoami({ profile: 'r2-too-long' }), (e: any) => e.name === 'ValidationError' && e.message === CHAIN_LIMIT);
  });

  it('fromIni({ profile: "mfa", mfaCodeProvider }) sends the code; without a provider the SDK refuses', async () => {
    const asked: string[] = [];
    const me = await whoami({
      profile: 'mfa',
      mfaCodeProvider: async (serial: string) => {
        asked.push(serial);
        return mfa.next();
      },
    });
    assert.deepEqual(asked, [mfa.serial]);
    assert.equal(me.Arn, stsArn('mfa-role', 'mfa-hop'));
    await assert.rejects(whoami({ profile: 'mfa' }), /Profile mfa requires multi-factor authentication, but no MFA code callback was provided\./);
    await assert.rejects(
      whoami({ profile: 'mfa', mfaCodeProvider: async () => mfa.code() }),
      (e: any) => e.name === 'AccessDenied' && e.message === 'MultiFactorAuthentication failed with invalid MFA one time pass code.',
    );
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

