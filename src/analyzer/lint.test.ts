import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectType } from './grammar.js';
import { lintPolicy } from './lint.js';
import { pathText, textLocator } from './locate.js';
import { fillAccount, instantiateArn } from './values.js';

const doc = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);

describe('lint details', () => {
  it('detects the policy type', () => {
    assert.equal(detectType({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }), 'identity');
    assert.equal(detectType({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }] }), 'trust');
    assert.equal(detectType({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Resource: '*' }] }), 'trust');
    assert.equal(detectType({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] }), 'resource');
    assert.equal(detectType({ Statement: { Effect: 'Allow', Principal: '*', Action: 's3:GetObject' } }), 'trust');
  });

  it('locates engine paths whose keys contain dots, with 0-based columns and offsets', () => {
    const text = doc([{ Effect: 'Allow', Principal: { Federated: 'x' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'a' } } }]);
    const loc = textLocator(text)!;
    const path = loc.fromEnginePath('Statement[0].Condition.StringEquals.token.actions.githubusercontent.com:aud');
    assert.equal(pathText(path), 'Statement[0].Condition.StringEquals.token.actions.githubusercontent.com:aud');
    const l = loc.locate(path);
    const at = text.indexOf('"a"');
    assert.deepEqual(l.span?.start, { line: text.slice(0, at).split('\n').length, column: at - text.lastIndexOf('\n', at) - 1, offset: at });
    // A path that goes further than the document stops at the deepest existing node.
    assert.equal(pathText(loc.locate([{ value: 'Statement' }, { index: 0 }, { value: 'Nope' }]).path), 'Statement[0]');
  });

  it('invalid JSON: one JSON_SYNTAX_ERROR with the position', () => {
    const r = lintPolicy('{\n  "Version": "2012-10-17",\n  "Statement": [,]\n}');
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0]!.id, 'JSON_SYNTAX_ERROR');
    assert.equal(r.findings[0]!.locations[0]!.span?.start.line, 3);
  });

  it('a trust policy IAM rejects for a known mistake is still analysed semantically', () => {
    const r = lintPolicy(doc([{ Effect: 'Allow', Principal: '*', Action: ['sts:AssumeRole', 's3:GetObject'], Resource: '*' }]), { type: 'trust' });
    const ids = r.findings.map((f) => f.id).sort();
    assert.deepEqual(ids, ['TRUST_ANY_PRINCIPAL', 'TRUST_PERMISSION_CONFUSION', 'TRUST_PERMISSION_CONFUSION']);
    // Other grammar errors stop the semantic checks, and say so.
    const bad = lintPolicy(doc([{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringEqualz: { 'aws:PrincipalAccount': '1' } } }]));
    assert.deepEqual(bad.findings.map((f) => f.id), ['MALFORMED_POLICY_DOCUMENT']);
    assert.match(bad.findings[0]!.message, /Invalid Condition type : StringEqualz/);
    assert.ok(bad.notes.some((n) => n.includes('Semantic checks skipped')));
  });

  it('witness contexts list every key the policy reads, null when absent', () => {
    const r = lintPolicy(doc([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/p' }, Action: 'sts:AssumeRole', Condition: { StringEqualsIfExists: { 'sts:ExternalId': 'x' }, StringLike: { 'sts:RoleSessionName': 'ci-*' } } }]), { accountId: '123456789012' });
    const f = r.findings.find((x) => x.id === 'CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID')!;
    assert.equal(f.witness!.context['sts:ExternalId'], null);
    assert.equal(f.witness!.context['sts:RoleSessionName'], 'ci-');
    assert.equal(f.witness!.principal, 'arn:aws:sts::111122223333:assumed-role/p/rolecall-session');
  });

  it('the per-document evaluation budget bounds the search and says so', () => {
    const many = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`aws:RequestTag/k${i}`, ['a', 'b', 'c', 'd']]));
    // Twelve statements: twelve questions for TRUST_ANY_PRINCIPAL alone, each exhausting its share.
    const text = doc([
      ...Array.from({ length: 12 }, () => ({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringLike: many } })),
      // Every key the Allow reads is read by the Deny too: nothing can be pruned, 4^6 contexts per caller.
      { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringNotEquals: Object.fromEntries(Object.keys(many).map((k) => [k, 'zzz'])) } },
    ]);
    const r = lintPolicy(text, { budget: 20 });
    assert.ok(r.notes.some((n) => /stopped after 200 evaluations/.test(n)), r.notes.join('\n'));
  });

  it('wildcard instantiation: account patterns and ARN patterns', () => {
    assert.equal(fillAccount('1111*', '9'), '111199999999');
    assert.equal(fillAccount('11112222333?', '9'), '111122223339');
    assert.equal(fillAccount('12', '9'), undefined);
    assert.equal(fillAccount('ab*', '9'), undefined);
    assert.ok(instantiateArn('arn:aws:iam::*:role/deploy*', '999999999999').includes('arn:aws:iam::999999999999:role/deployrolecall-x'));
    assert.ok(instantiateArn('arn:aws:iam::*', '999999999999').some((a) => a.startsWith('arn:aws:iam::999999999999:')));
  });
});
