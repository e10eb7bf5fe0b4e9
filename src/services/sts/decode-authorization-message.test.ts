import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Caller } from '../../domain/caller.js';
import { evaluate, parsePolicy } from '../../policy/index.js';
import { MemorySettings } from '../../tokens/fixtures.js';
import { MessageSealer } from '../../tokens/message-sealer.js';
import {
  authorizationDetails,
  authorizationMessageDocument,
  decodeAuthorizationMessage,
  encodeAuthorizationMessage,
  MAX_ENCODED_MESSAGE_CHARS,
  type AuthorizationMessageDetails,
} from './authorization-message.js';
import { ACCOUNT, credsOf, doc, expectAwsError, startStsHarness, type Creds, type StsHarness } from './sts-server-harness.test.js';

const bob: Caller = {
  kind: 'user',
  accountId: ACCOUNT,
  principal: { type: 'User', account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/Bob`, id: 'AIDACKCEVSQ6C2EXAMPLE' },
  userId: 'AIDACKCEVSQ6C2EXAMPLE',
  arn: `arn:aws:iam::${ACCOUNT}:user/Bob`,
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  userName: 'Bob',
};

function deniedDetails(): AuthorizationMessageDetails {
  const parsed = parsePolicy(doc([{ Sid: 'NoStop', Effect: 'Deny', Action: 'ec2:StopInstances', Resource: '*' }]), { type: 'identity' });
  assert.ok(parsed.ok);
  const context = { 'aws:username': 'Bob', 'ec2:Tenancy': 'default', 'aws:TagKeys': ['a', 'b'] };
  const result = evaluate({ principal: bob.principal, action: 'ec2:StopInstances', resource: 'arn:aws:ec2:us-east-1:111122223333:instance/i-1', context }, { identity: [{ id: 'deny-stop', policy: parsed.policy, sourceType: 'user' }] });
  return authorizationDetails(bob, 'ec2:StopInstances', 'arn:aws:ec2:us-east-1:111122223333:instance/i-1', context, result);
}

describe('encoded authorization messages', () => {
  it('builds the document in AWS’s shape from an evaluation', () => {
    assert.deepEqual(authorizationMessageDocument(deniedDetails()), {
      allowed: false,
      explicitDeny: true,
      matchedStatements: {
        items: [
          {
            statementId: 'NoStop',
            effect: 'DENY',
            principals: { items: [{ value: 'AIDACKCEVSQ6C2EXAMPLE' }] },
            principalGroups: { items: [] },
            actions: { items: [{ value: 'ec2:StopInstances' }] },
            resources: { items: [{ value: '*' }] },
            conditions: { items: [] },
          },
        ],
      },
      failures: { items: [] },
      context: {
        principal: { id: 'AIDACKCEVSQ6C2EXAMPLE', name: 'Bob', arn: `arn:aws:iam::${ACCOUNT}:user/Bob` },
        action: 'ec2:StopInstances',
        resource: 'arn:aws:ec2:us-east-1:111122223333:instance/i-1',
        conditions: {
          items: [
            { key: 'aws:TagKeys', values: { items: [{ value: 'a' }, { value: 'b' }] } },
            { key: 'aws:username', values: { items: [{ value: 'Bob' }] } },
            { key: 'ec2:Tenancy', values: { items: [{ value: 'default' }] } },
          ],
        },
      },
    });
  });

  it("a role session: the principal has no name, the statements name the role's id; conditions and Sid-less statements as AWS shows them", () => {
    const session: Caller = {
      kind: 'assumed-role',
      accountId: ACCOUNT,
      principal: { type: 'AssumedRole', account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/Ana`, id: 'AROA123456789EXAMPLE:Ana', roleArn: `arn:aws:iam::${ACCOUNT}:role/Developer`, roleId: 'AROA123456789EXAMPLE' },
      userId: 'AROA123456789EXAMPLE:Ana',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/Ana`,
      accessKeyId: 'ASIAEXAMPLE',
      roleName: 'Developer',
    };
    const parsed = parsePolicy(doc([{ Effect: 'Deny', Action: ['ec2:RunInstances'], Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-west-2'] } } }]), { type: 'identity' });
    assert.ok(parsed.ok);
    const context = { 'aws:RequestedRegion': 'eu-west-1' };
    const result = evaluate({ principal: session.principal, action: 'ec2:RunInstances', resource: '*', context }, { identity: [{ id: 'dev', policy: parsed.policy, sourceType: 'role' }] });
    const d = authorizationMessageDocument(authorizationDetails(session, 'ec2:RunInstances', '*', context, result)) as any;
    assert.deepEqual(d.context.principal, { id: 'AROA123456789EXAMPLE:Ana', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/Ana` });
    assert.deepEqual(d.matchedStatements.items, [
      {
        statementId: '',
        effect: 'DENY',
        principals: { items: [{ value: 'AROA123456789EXAMPLE' }] },
        principalGroups: { items: [] },
        actions: { items: [{ value: 'ec2:RunInstances' }] },
        resources: { items: [{ value: '*' }] },
        conditions: { items: [{ key: 'aws:RequestedRegion', values: { items: [{ value: 'eu-west-1' }, { value: 'eu-west-2' }] } }] },
      },
    ]);
  });

  it('round-trips through the sealer, for the same account only', async () => {
    const settings = new MemorySettings();
    const details = deniedDetails();
    const encoded = await encodeAuthorizationMessage(settings, details);
    assert.equal(await decodeAuthorizationMessage(settings, encoded, ACCOUNT), JSON.stringify(authorizationMessageDocument(details)));
    assert.equal(await decodeAuthorizationMessage(settings, encoded, '999999999999'), undefined);
  });

  it('leaves out condition values, then statements, to fit 10,240 characters', async () => {
    const settings = new MemorySettings();
    const details = deniedDetails();
    // Incompressible condition values far over the limit.
    const noise = Array.from({ length: 400 }, (_, i) => [`k${i}`, randomBytes(48).toString('base64')]);
    const big = { ...details, conditions: Object.fromEntries(noise) };
    const encoded = await encodeAuthorizationMessage(settings, big);
    assert.ok(encoded.length <= MAX_ENCODED_MESSAGE_CHARS);
    const decoded = JSON.parse((await decodeAuthorizationMessage(settings, encoded, ACCOUNT)) ?? 'null');
    assert.deepEqual(decoded.context.conditions, { items: [] });
    assert.equal(decoded.matchedStatements.items.length, 1, 'statements kept when conditions were enough');
  });
});

describe('sts:DecodeAuthorizationMessage (real server, AWS SDK)', () => {
  let h: StsHarness;
  let decoder: { arn: string; id: string; creds: Creds };

  before(async () => {
    h = await startStsHarness();
    decoder = await h.createUser('decoder', doc([{ Effect: 'Allow', Action: ['sts:DecodeAuthorizationMessage', 'sts:AssumeRole'], Resource: '*' }]));
  });
  after(async () => h?.close());

  it('decodes a message encoded by this installation (any node) for the caller’s account', async () => {
    const details = deniedDetails();
    const encoded = await encodeAuthorizationMessage(h.running.store.settings, details);
    const r = await (await h.sts(decoder.creds)).call('DecodeAuthorizationMessage', { EncodedMessage: encoded });
    assert.deepEqual(JSON.parse(r.DecodedMessage), authorizationMessageDocument(details));
    // Another node: its own sealer over the same store settings.
    const otherNode = new MessageSealer(h.running.store.settings);
    const fromOther = await otherNode.seal('{"allowed":true}', ACCOUNT);
    assert.equal((await (await h.sts()).call('DecodeAuthorizationMessage', { EncodedMessage: fromOther })).DecodedMessage, '{"allowed":true}');
  });

  it('role sessions decode too (the action is authorized like any other)', async () => {
    const iam = await h.iam();
    await iam.call('CreateRole', { RoleName: 'reader', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: decoder.arn }, Action: 'sts:AssumeRole' }]) });
    await iam.call('PutRolePolicy', { RoleName: 'reader', PolicyName: 'decode', PolicyDocument: doc([{ Effect: 'Allow', Action: 'sts:DecodeAuthorizationMessage', Resource: '*' }]) });
    const role = credsOf(await (await h.sts(decoder.creds)).call('AssumeRole', { RoleArn: `arn:aws:iam::${ACCOUNT}:role/reader`, RoleSessionName: 'dbg' }));
    const encoded = await encodeAuthorizationMessage(h.running.store.settings, deniedDetails());
    const r = await (await h.sts(role)).call('DecodeAuthorizationMessage', { EncodedMessage: encoded });
    assert.equal(JSON.parse(r.DecodedMessage).explicitDeny, true);
  });

  it('answers InvalidAuthorizationMessageException for garbage, tampering and other accounts’ messages', async () => {
    const sts = await h.sts(decoder.creds);
    const invalid = { code: 'InvalidAuthorizationMessageException', status: 400, message: 'The encoded authorization message is invalid' };
    const encoded = await encodeAuthorizationMessage(h.running.store.settings, deniedDetails());
    const foreign = await encodeAuthorizationMessage(h.running.store.settings, { ...deniedDetails(), accountId: '999999999999' });
    const tampered = encoded.slice(0, 20) + (encoded[20] === 'A' ? 'B' : 'A') + encoded.slice(21);
    for (const bad of ['garbage', 'not base64 at all!', encoded.slice(0, -4), `${encoded.slice(0, 40)}\n${encoded.slice(40)}`, tampered, foreign]) {
      await expectAwsError(sts.call('DecodeAuthorizationMessage', { EncodedMessage: bad }), invalid);
    }
    await expectAwsError(sts.call('DecodeAuthorizationMessage', { EncodedMessage: 'x'.repeat(10_241) }), {
      code: 'ValidationError',
      status: 400,
      message: /at 'encodedMessage' failed to satisfy constraint: Member must have length less than or equal to 10240$/,
    });
  });

  it('needs sts:DecodeAuthorizationMessage', async () => {
    const plain = await h.createUser('plain');
    const encoded = await encodeAuthorizationMessage(h.running.store.settings, deniedDetails());
    await expectAwsError((await h.sts(plain.creds)).call('DecodeAuthorizationMessage', { EncodedMessage: encoded }), {
      code: 'AccessDenied',
      status: 403,
      message: `User: ${plain.arn} is not authorized to perform: sts:DecodeAuthorizationMessage on resource: * because no identity-based policy allows the sts:DecodeAuthorizationMessage action`,
    });
  });
});
