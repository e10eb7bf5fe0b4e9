import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ManualClock } from '../domain/clock.js';
import { cryptoRandom } from '../domain/random.js';
import { assumeRoleClaims, MemorySettings, POLICY_300, T0 } from './fixtures.js';
import { packedPolicySizePercent } from './packed-size.js';
import { SessionTokenService } from './session-tokens.js';

/** A realistic inline policy of about 2,048 characters (the AssumeRole plaintext maximum). */
function typicalPolicy2048(): string {
  const acct = '123456789012';
  const statements: object[] = [
    { Sid: 'ReadArtifacts', Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket'], Resource: ['arn:aws:s3:::build-artifacts', 'arn:aws:s3:::build-artifacts/*'] },
    { Sid: 'WriteReports', Effect: 'Allow', Action: ['s3:PutObject', 's3:PutObjectTagging'], Resource: 'arn:aws:s3:::ci-reports/${aws:PrincipalTag/team}/*' },
    {
      Sid: 'Tables',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      Resource: [`arn:aws:dynamodb:eu-west-1:${acct}:table/builds`, `arn:aws:dynamodb:eu-west-1:${acct}:table/builds/index/*`],
      Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
    },
    { Sid: 'Queue', Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: `arn:aws:sqs:eu-west-1:${acct}:build-events` },
    { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `arn:aws:logs:eu-west-1:${acct}:log-group:/ci/*` },
    {
      Sid: 'Kms',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: `arn:aws:kms:eu-west-1:${acct}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    },
    { Sid: 'Params', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'], Resource: `arn:aws:ssm:eu-west-1:${acct}:parameter/ci/*` },
    { Sid: 'DenyOutsideRegion', Effect: 'Deny', NotAction: ['iam:*', 'sts:*', 'cloudfront:*'], Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1'] } } },
    { Sid: 'Ecr', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:PutImage'], Resource: '*' },
    { Sid: 'Lambda', Effect: 'Allow', Action: ['lambda:InvokeFunction', 'lambda:GetFunction'], Resource: `arn:aws:lambda:eu-west-1:${acct}:function:ci-*` },
  ];
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

describe('packedPolicySizePercent (model of STS PackedPolicySize)', () => {
  it('is 0 for nothing, small for a 300-char policy, 30-60 % for a typical 2,048-char policy', (t) => {
    const big = typicalPolicy2048();
    assert.ok(big.length > 1950 && big.length <= 2048, `fixture is ${big.length} chars`);
    const p300 = packedPolicySizePercent([POLICY_300], []);
    const p2048 = packedPolicySizePercent([big], []);
    const typical = packedPolicySizePercent([POLICY_300], assumeRoleClaims().tags);
    t.diagnostic(`300-char policy: ${p300} %; 2,048-char policy: ${p2048} %; 300-char policy + 2 tags: ${typical} %`);
    assert.equal(packedPolicySizePercent([], []), 0);
    assert.ok(p300 > 0 && p300 < 20);
    assert.ok(p2048 >= 30 && p2048 <= 60, `${p2048}`);
    assert.ok(typical > p300);
  });

  it('ignores whitespace in JSON policies and is deterministic', () => {
    const pretty = JSON.stringify(JSON.parse(POLICY_300), null, 4);
    assert.equal(packedPolicySizePercent([pretty], []), packedPolicySizePercent([POLICY_300], []));
    assert.equal(packedPolicySizePercent(['not json at all'], []), packedPolicySizePercent(['not json at all'], []));
  });

  it('counts tags: 50 maximal tags, or several large policies, go over 100 %', () => {
    const tags = Array.from({ length: 50 }, () => ({ Key: randomBytes(96).toString('base64'), Value: randomBytes(192).toString('base64') }));
    assert.ok(packedPolicySizePercent([], tags) > 100);
    const few = Array.from({ length: 10 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
    assert.ok(packedPolicySizePercent([], few) < 15);
    // Policies naming many distinct resources compress poorly: three of them fill the budget.
    const distinct = Array.from({ length: 3 }, () =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: Array.from({ length: 45 }, () => `arn:aws:s3:::${randomBytes(12).toString('hex')}/*`) }],
      }),
    );
    assert.ok(distinct.every((d) => d.length <= 2048));
    assert.ok(packedPolicySizePercent(distinct, []) > 100, `${packedPolicySizePercent(distinct, [])}`);
  });

  it("puts an EKS Pod Identity session's six transitive tags near AWS's 74 %, and adds policies and tags up", () => {
    // The tags EKS Pod Identity sets (transitive), with everyday values (aws/containers-roadmap#2413: 74 %).
    const eks = [
      { Key: 'eks-cluster-arn', Value: 'arn:aws:eks:us-west-2:111122223333:cluster/my-cluster' },
      { Key: 'eks-cluster-name', Value: 'my-cluster' },
      { Key: 'kubernetes-namespace', Value: 'default' },
      { Key: 'kubernetes-service-account', Value: 'my-service-account' },
      { Key: 'kubernetes-pod-name', Value: 'my-app-5d8f9c7b6-abcde' },
      { Key: 'kubernetes-pod-uid', Value: '0f9c2a4e-3b1d-4c8e-9a7f-5e6d4c3b2a10' },
    ];
    const eksPercent = packedPolicySizePercent([], eks, eks.map((t) => t.Key));
    assert.ok(eksPercent >= 65 && eksPercent <= 85, `${eksPercent}`);
    const policy = packedPolicySizePercent([POLICY_300], []);
    const both = packedPolicySizePercent([POLICY_300], eks, eks.map((t) => t.Key));
    assert.ok(Math.abs(both - (policy + eksPercent)) <= 1, `${policy} + ${eksPercent} ~ ${both}`);
  });

  it('a session at just under 100 % still makes a token within the token size limit', async (t) => {
    const svc = new SessionTokenService({ settings: new MemorySettings(), clock: new ManualClock(T0 * 1000), random: cryptoRandom });
    // Grow random-ish policies until the next one would pass 100 %.
    const policies: string[] = [];
    const next = () => typicalPolicy2048().replaceAll('build', randomBytes(6).toString('hex'));
    for (;;) {
      const candidate = [...policies, next()];
      if (packedPolicySizePercent(candidate, []) > 100) break;
      policies.push(candidate.at(-1) as string);
    }
    const token = (await svc.issue({ ...assumeRoleClaims(), sessionPolicies: policies })).SessionToken;
    t.diagnostic(`token for ${policies.length} policies at ${packedPolicySizePercent(policies, [])} % packed: ${token.length} chars`);
    assert.ok(token.length < 8192, `${token.length}`);
  });
});
