import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Authorizer, callerContext } from '../../authz/authorizer.js';
import { StorePolicySource } from '../../authz/store-policy-source.js';
import { AwsError } from '../../domain/aws-error.js';
import type { Caller } from '../../domain/caller.js';
import { cryptoRandom } from '../../domain/random.js';
import { sessionResolver } from '../../gateway/session-caller.js';
import type { ParsedAuth } from '../../sigv4/index.js';
import { SessionTokenService } from '../../tokens/session-tokens.js';
import { ACCOUNT, credsOf, doc, expectAwsError, startStsHarness, type Creds, type StsHarness } from './sts-server-harness.test.js';

const FED = (name: string) => `arn:aws:sts::${ACCOUNT}:federated-user/${name}`;

describe('sts:GetFederationToken (real server, AWS SDK)', () => {
  let h: StsHarness;
  /** May federate, and do anything in S3 and DynamoDB. */
  let broker: { arn: string; id: string; creds: Creds };

  /** The Caller the gateway builds for session credentials (token unsealed like any node does). */
  async function callerOf(creds: Creds): Promise<Caller> {
    const tokens = new SessionTokenService({ settings: h.running.store.settings, clock: h.clock, random: cryptoRandom });
    const resolve = sessionResolver(tokens, h.running.store, () => Math.floor(h.clock.now().getTime() / 1000));
    const r = await resolve({ accessKeyId: creds.accessKeyId, securityToken: creds.sessionToken } as unknown as ParsedAuth);
    assert.ok(r && r !== 'expired', 'the token opens');
    return r.caller;
  }

  /** The decision for a request made with the credentials (what any data-plane check would get). */
  async function decide(creds: Creds, action: string, resource: string): Promise<'allowed' | string> {
    const caller = await callerOf(creds);
    const authorizer = new Authorizer(new StorePolicySource(h.running.store));
    try {
      await authorizer.authorize({ caller, action, resources: [resource], context: callerContext(caller, h.clock.now()) });
      return 'allowed';
    } catch (e) {
      if (e instanceof AwsError && e.code === 'AccessDenied') return e.message;
      throw e;
    }
  }

  before(async () => {
    h = await startStsHarness();
    broker = await h.createUser(
      'broker',
      doc([
        { Effect: 'Allow', Action: ['sts:GetFederationToken', 's3:*', 'dynamodb:*'], Resource: '*' },
        { Effect: 'Allow', Action: 'sts:TagSession', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/project': 'pegasus' } } },
      ]),
    );
    await (await h.iam()).call('TagUser', { UserName: 'broker', Tags: [{ Key: 'Department', Value: 'Marketing' }, { Key: 'team', Value: 'blue' }] });
  });
  after(async () => h?.close());

  it('issues federated-user credentials with the documented response', async () => {
    const policy = doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' }]);
    const r = await (await h.sts(broker.creds)).call('GetFederationToken', { Name: 'Bob', Policy: policy });
    assert.deepEqual(r.FederatedUser, { Arn: FED('Bob'), FederatedUserId: `${ACCOUNT}:Bob` });
    assert.equal(typeof r.PackedPolicySize, 'number');
    assert.ok(r.PackedPolicySize > 0 && r.PackedPolicySize <= 100);
    assert.match(r.Credentials.AccessKeyId, /^ASIA/);
    assert.equal(r.Credentials.Expiration.getTime(), h.clock.now().getTime() + 43_200_000, 'default 12 hours');
    const me = await (await h.sts(credsOf(r))).call('GetCallerIdentity', {});
    assert.deepEqual({ Account: me.Account, Arn: me.Arn, UserId: me.UserId }, { Account: ACCOUNT, Arn: FED('Bob'), UserId: `${ACCOUNT}:Bob` });
  });

  it('permissions are the user’s policies ∩ the session policies', async () => {
    const iam = await h.iam();
    const managed = (await iam.call('CreatePolicy', { PolicyName: 'ddb-read', PolicyDocument: doc([{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }]) })).Policy.Arn;
    const policy = doc([{ Effect: 'Allow', Action: ['s3:GetObject', 'ec2:DescribeInstances'], Resource: '*' }]);
    const creds = credsOf(await (await h.sts(broker.creds)).call('GetFederationToken', { Name: 'carol', Policy: policy, PolicyArns: [{ arn: managed }] }));
    assert.equal(await decide(creds, 's3:GetObject', 'arn:aws:s3:::reports/q1.csv'), 'allowed', 'user allows s3:*, session allows GetObject');
    assert.equal(await decide(creds, 'dynamodb:GetItem', 'arn:aws:dynamodb:us-east-1:111122223333:table/t'), 'allowed', 'the managed session policy counts');
    assert.equal(
      await decide(creds, 's3:PutObject', 'arn:aws:s3:::reports/q1.csv'),
      `User: ${FED('carol')} is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::reports/q1.csv because no session policy allows the s3:PutObject action`,
    );
    assert.equal(
      await decide(creds, 'ec2:DescribeInstances', '*'),
      `User: ${FED('carol')} is not authorized to perform: ec2:DescribeInstances on resource: * because no identity-based policy allows the ec2:DescribeInstances action`,
      'a session policy cannot grant more than the user has',
    );
  });

  it('without session policies the federated user may do nothing', async () => {
    const r = await (await h.sts(broker.creds)).call('GetFederationToken', { Name: 'nopolicy' });
    assert.equal(r.PackedPolicySize, 0, 'AWS answers 0 when nothing is packed');
    const creds = credsOf(r);
    assert.match(await decide(creds, 's3:GetObject', 'arn:aws:s3:::reports/q1.csv'), /because no session policy allows the s3:GetObject action$/);
  });

  it('principal tags: the user’s tags, overridden case-insensitively by session tags; TagSession is checked', async () => {
    const policy = doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/department': 'engineering', 'aws:PrincipalTag/team': 'blue' } } }]);
    const tags = [{ Key: 'department', Value: 'engineering' }, { Key: 'project', Value: 'pegasus' }];
    const r = await (await h.sts(broker.creds)).call('GetFederationToken', { Name: 'tagged', Policy: policy, Tags: tags });
    assert.equal(await decide(credsOf(r), 's3:GetObject', 'arn:aws:s3:::x/y'), 'allowed');
    const caller = await callerOf(credsOf(r));
    const ctx = callerContext(caller, h.clock.now());
    assert.equal(ctx['aws:PrincipalTag/department'], 'engineering');
    assert.equal(ctx['aws:PrincipalTag/Department'], undefined, 'the session tag replaced the user tag');
    assert.equal(ctx['aws:PrincipalTag/team'], 'blue');
    assert.equal(ctx['aws:PrincipalTag/project'], 'pegasus');
    assert.equal(ctx['aws:MultiFactorAuthPresent'], 'false');
    assert.equal(ctx['aws:PrincipalType'], 'FederatedUser');
    assert.match(String(ctx['aws:TokenIssueTime']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    await expectAwsError((await h.sts(broker.creds)).call('GetFederationToken', { Name: 'tagged2', Tags: [{ Key: 'project', Value: 'other' }] }), {
      code: 'AccessDenied',
      status: 403,
      message: `User: ${broker.arn} is not authorized to perform: sts:TagSession on resource: ${FED('tagged2')} because no identity-based policy allows the sts:TagSession action`,
    });
    await expectAwsError((await h.sts(broker.creds)).call('GetFederationToken', { Name: 'dup', Tags: [{ Key: 'project', Value: 'pegasus' }, { Key: 'Project', Value: 'pegasus' }] }), {
      code: 'InvalidParameterValue',
      status: 400,
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    });
  });

  it('needs sts:GetFederationToken in the caller’s policies, on the federated-user ARN', async () => {
    const nobody = await h.createUser('nobody', doc([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]));
    await expectAwsError((await h.sts(nobody.creds)).call('GetFederationToken', { Name: 'Bob' }), {
      code: 'AccessDenied',
      status: 403,
      message: `User: ${nobody.arn} is not authorized to perform: sts:GetFederationToken on resource: ${FED('Bob')} because no identity-based policy allows the sts:GetFederationToken action`,
    });
    const narrow = await h.createUser('narrow', doc([{ Effect: 'Allow', Action: 'sts:GetFederationToken', Resource: FED('app-*') }]));
    const sts = await h.sts(narrow.creds);
    assert.ok((await sts.call('GetFederationToken', { Name: 'app-1' })).Credentials);
    await expectAwsError(sts.call('GetFederationToken', { Name: 'other' }), { code: 'AccessDenied', status: 403 });
  });

  it('validates Name, DurationSeconds and the session policy', async () => {
    const sts = await h.sts(broker.creds);
    await expectAwsError(sts.call('GetFederationToken', { Name: 'B' }), {
      code: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'B' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2",
    });
    await expectAwsError(sts.call('GetFederationToken', { Name: 'has space' }), {
      code: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'has space' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    });
    await expectAwsError(sts.call('GetFederationToken', { Name: 'x'.repeat(33) }), { code: 'ValidationError', status: 400, message: /Member must have length less than or equal to 32$/ });
    await expectAwsError(sts.call('GetFederationToken', { Name: 'Bob', DurationSeconds: 899 }), { code: 'ValidationError', status: 400, message: /Member must have value greater than or equal to 900$/ });
    await expectAwsError(sts.call('GetFederationToken', { Name: 'Bob', DurationSeconds: 129_601 }), { code: 'ValidationError', status: 400, message: /Member must have value less than or equal to 129600$/ });
    const long = await sts.call('GetFederationToken', { Name: 'Bob', DurationSeconds: 129_600 });
    assert.equal(long.Credentials.Expiration.getTime(), h.clock.now().getTime() + 129_600_000);
    await expectAwsError(sts.call('GetFederationToken', { Name: 'Bob', Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}' }), {
      code: 'MalformedPolicyDocument',
      status: 400,
    });
    await expectAwsError(sts.call('GetFederationToken', { Name: 'Bob', Policy: 'not json' }), { code: 'MalformedPolicyDocument', status: 400 });
    await expectAwsError(sts.call('GetFederationToken', { Name: 'Bob', PolicyArns: [{ arn: `arn:aws:iam::${ACCOUNT}:policy/missing` }] }), {
      code: 'InvalidParameterValue',
      status: 400,
      message: `The policy ARN arn:aws:iam::${ACCOUNT}:policy/missing is not valid: session policies must be managed policies in the account of the federating user.`,
    });
    // 50 tags of random text do not pack into the session's budget.
    const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `project${i === 0 ? '' : i}`, Value: i === 0 ? 'pegasus' : randomBytes(96).toString('base64').replace(/[^A-Za-z0-9]/g, 'x') }));
    await expectAwsError(sts.call('GetFederationToken', { Name: 'Bob', Tags: tags }), { code: 'PackedPolicyTooLarge', status: 400, message: /^Packed size of session tags consumes \d+% of allotted space\.$/ });
  });

  it('the root user may federate, for one hour at most', async () => {
    const sts = await h.sts();
    const r = await sts.call('GetFederationToken', { Name: 'root-fed', DurationSeconds: 7200, Policy: doc([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]) });
    assert.equal(r.Credentials.Expiration.getTime(), h.clock.now().getTime() + 3_600_000);
    assert.equal(r.FederatedUser.Arn, FED('root-fed'));
    const def = await sts.call('GetFederationToken', { Name: 'root-fed' });
    assert.equal(def.Credentials.Expiration.getTime(), h.clock.now().getTime() + 3_600_000);
  });

  it('a federated user of the root user has the session policies’ permissions', async () => {
    const r = await (await h.sts()).call('GetFederationToken', { Name: 'root-fed2', Policy: doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]) });
    assert.equal(await decide(credsOf(r), 's3:GetObject', 'arn:aws:s3:::x/y'), 'allowed');
  });

  it('refuses session credentials, whatever the policies allow', async () => {
    const session = credsOf(await (await h.sts(broker.creds)).call('GetSessionToken', {}));
    await expectAwsError((await h.sts(session)).call('GetFederationToken', { Name: 'Bob' }), { code: 'AccessDenied', status: 403, message: 'Cannot call GetFederationToken with session credentials' });
    await (await h.iam()).call('CreateRole', {
      RoleName: 'admin',
      AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: broker.arn }, Action: 'sts:AssumeRole' }]),
    });
    await (await h.iam()).call('PutRolePolicy', { RoleName: 'admin', PolicyName: 'all', PolicyDocument: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]) });
    const role = credsOf(await (await h.sts(broker.creds)).call('AssumeRole', { RoleArn: `arn:aws:iam::${ACCOUNT}:role/admin`, RoleSessionName: 'admin' }));
    await expectAwsError((await h.sts(role)).call('GetFederationToken', { Name: 'Bob' }), { code: 'AccessDenied', status: 403, message: 'Cannot call GetFederationToken with session credentials' });
    // The policies are asked first: a session not allowed the action is refused for that.
    await (await h.iam()).call('CreateRole', { RoleName: 'reader', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: broker.arn }, Action: 'sts:AssumeRole' }]) });
    const reader = credsOf(await (await h.sts(broker.creds)).call('AssumeRole', { RoleArn: `arn:aws:iam::${ACCOUNT}:role/reader`, RoleSessionName: 'rd' }));
    await expectAwsError((await h.sts(reader)).call('GetFederationToken', { Name: 'Bob' }), {
      code: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/reader/rd is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::${ACCOUNT}:federated-user/Bob because no identity-based policy allows the sts:GetFederationToken action`,
    });
  });

  it('its credentials cannot call IAM, nor STS except GetCallerIdentity', async () => {
    const fed = credsOf(await (await h.sts(broker.creds)).call('GetFederationToken', { Name: 'limited', Policy: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]) }));
    await expectAwsError((await h.iam(fed)).call('ListRoles', {}), { code: 'InvalidClientTokenId', status: 403, message: 'The security token included in the request is invalid' });
    const sts = await h.sts(fed);
    assert.equal((await sts.call('GetCallerIdentity', {})).Arn, FED('limited'));
    await expectAwsError(sts.call('GetSessionToken', {}), { code: 'AccessDenied', status: 403, message: 'Cannot call GetSessionToken with session credentials' });
    await expectAwsError(sts.call('GetFederationToken', { Name: 'again' }), { code: 'AccessDenied', status: 403, message: 'Cannot call GetFederationToken with session credentials' });
    await expectAwsError(sts.call('AssumeRole', { RoleArn: `arn:aws:iam::${ACCOUNT}:role/admin`, RoleSessionName: 'fed' }), {
      code: 'AccessDenied',
      status: 403,
      message: `User: ${FED('limited')} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNT}:role/admin`,
    });
    await expectAwsError(sts.call('GetAccessKeyInfo', { AccessKeyId: broker.creds.accessKeyId }), {
      code: 'AccessDenied',
      status: 403,
      message: 'Cannot call GetAccessKeyInfo with session credentials from GetFederationToken',
    });
  });
});
