import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeError, encodeOutput } from './codec.js';
import { escapeXml } from './xml-writer.js';

const role = {
  Path: '/',
  RoleName: 'app',
  RoleId: 'AROAEXAMPLEAPPROLE001',
  Arn: 'arn:aws:iam::111122223333:role/app',
  CreateDate: new Date('2024-01-02T03:04:05.678Z'),
  AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}',
  MaxSessionDuration: 3600,
  Tags: [{ Key: 'team', Value: 'a&b <c>' }],
};

describe('awsQuery output', () => {
  it('renders GetRole as IAM does', () => {
    const r = encodeOutput('iam', 'GetRole', { Role: role }, 'c0ffee00-0000-4000-8000-000000000001');
    assert.equal(r.status, 200);
    assert.equal(r.headers['Content-Type'], 'text/xml');
    assert.equal(r.headers['x-amzn-RequestId'], 'c0ffee00-0000-4000-8000-000000000001');
    assert.equal(r.headers['Content-Length'], String(Buffer.byteLength(r.body)));
    assert.equal(
      r.body,
      `<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetRoleResult>
    <Role>
      <Path>/</Path>
      <RoleName>app</RoleName>
      <RoleId>AROAEXAMPLEAPPROLE001</RoleId>
      <Arn>arn:aws:iam::111122223333:role/app</Arn>
      <CreateDate>2024-01-02T03:04:05Z</CreateDate>
      <AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22*%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D</AssumeRolePolicyDocument>
      <MaxSessionDuration>3600</MaxSessionDuration>
      <Tags>
        <member>
          <Key>team</Key>
          <Value>a&amp;b &lt;c&gt;</Value>
        </member>
      </Tags>
    </Role>
  </GetRoleResult>
  <ResponseMetadata>
    <RequestId>c0ffee00-0000-4000-8000-000000000001</RequestId>
  </ResponseMetadata>
</GetRoleResponse>
`,
    );
  });

  it('writes empty lists as <X/> and keeps pagination members', () => {
    const r = encodeOutput('iam', 'ListRoles', { Roles: [], IsTruncated: true, Marker: 'next+page' }, 'rid');
    assert.match(r.body, /<ListRolesResult>\n {4}<Roles\/>\n {4}<IsTruncated>true<\/IsTruncated>\n {4}<Marker>next\+page<\/Marker>\n {2}<\/ListRolesResult>/);
  });

  it('still sends ResponseMetadata for operations without output', () => {
    const r = encodeOutput('iam', 'DeleteRole', undefined, 'rid');
    assert.equal(r.body, '<DeleteRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\n  <ResponseMetadata>\n    <RequestId>rid</RequestId>\n  </ResponseMetadata>\n</DeleteRoleResponse>\n');
  });

  it('writes maps as entry/key/value', () => {
    const r = encodeOutput('iam', 'GetAccountSummary', { SummaryMap: { Roles: 3, Policies: 1 } }, 'rid');
    assert.match(r.body, /<SummaryMap>\n {6}<entry>\n {8}<key>Roles<\/key>\n {8}<value>3<\/value>\n {6}<\/entry>/);
  });

  it('renders STS credentials with second-precision Z timestamps', () => {
    const r = encodeOutput(
      'sts',
      'AssumeRole',
      {
        Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date('2026-11-28T05:02:14.999Z') },
        AssumedRoleUser: { AssumedRoleId: 'AROAEXAMPLE:s1', Arn: 'arn:aws:sts::111122223333:assumed-role/app/s1' },
        PackedPolicySize: 6,
      },
      'rid',
    );
    assert.match(r.body, /^<AssumeRoleResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/">\n {2}<AssumeRoleResult>\n {4}<Credentials>/);
    assert.match(r.body, /<Expiration>2026-11-28T05:02:14Z<\/Expiration>/);
    assert.match(r.body, /<PackedPolicySize>6<\/PackedPolicySize>/);
  });

  it('refuses values of the wrong type, naming the path', () => {
    assert.throws(() => encodeOutput('iam', 'GetRole', { Role: { ...role, MaxSessionDuration: '3600' } }, 'r'), /output GetRoleResult\.Role\.MaxSessionDuration: expected a finite number/);
    assert.throws(() => encodeOutput('iam', 'NoSuchOp', {}, 'r'), /no operation NoSuchOp/);
  });

  it('escapes XML specials and replaces characters XML cannot carry', () => {
    assert.equal(escapeXml('a&b<c>"d"\re\u0001'), 'a&amp;b&lt;c&gt;&quot;d&quot;&#xD;e\uFFFD');
    assert.equal(escapeXml('😀'), '😀');
  });
});

describe('awsQuery errors', () => {
  it('takes status and Sender from the model (NoSuchEntity 404)', () => {
    const r = encodeError('iam', { code: 'NoSuchEntity', message: 'The role with name nope cannot be found.' }, 'rid');
    assert.equal(r.status, 404);
    assert.equal(
      r.body,
      '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\n  <Error>\n    <Type>Sender</Type>\n    <Code>NoSuchEntity</Code>\n    <Message>The role with name nope cannot be found.</Message>\n  </Error>\n  <RequestId>rid</RequestId>\n</ErrorResponse>\n',
    );
  });

  it('Receiver for service faults, status from the table', () => {
    const r = encodeError('iam', { code: 'ServiceFailure', message: 'x' }, 'rid');
    assert.equal(r.status, 500);
    assert.match(r.body, /<Type>Receiver<\/Type>/);
    assert.equal(encodeError('iam', { code: 'EntityAlreadyExists', message: 'x' }, 'r').status, 409);
    assert.equal(encodeError('sts', { code: 'IDPRejectedClaim', message: 'x' }, 'r').status, 403);
  });

  it('lets the caller override status and fault (AwsError carries both)', () => {
    const r = encodeError('sts', { code: 'AccessDenied', message: 'no', status: 403, sender: true }, 'rid');
    assert.equal(r.status, 403);
    assert.match(r.body, /xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"/);
  });

  it('answers InvalidAction in the AWSFault namespace, as live STS does', () => {
    const r = encodeError('sts', { code: 'InvalidAction', message: 'Could not find operation X for version 2011-06-15' }, 'rid');
    assert.equal(r.status, 400);
    assert.match(r.body, /^<ErrorResponse xmlns="http:\/\/webservices.amazon.com\/AWSFault\/2005-15-09">/);
    assert.match(encodeError(undefined, { code: 'InvalidAction', message: 'm' }, 'rid').body, /AWSFault/);
  });

  it('leaves <Message> out when there is none (MalformedInput)', () => {
    const r = encodeError('sts', { code: 'MalformedInput' }, 'rid');
    assert.equal(r.body, '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n    <Type>Sender</Type>\n    <Code>MalformedInput</Code>\n  </Error>\n  <RequestId>rid</RequestId>\n</ErrorResponse>\n');
  });
});
