import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Caller } from '../../domain/caller.js';
import { evaluate, parsePolicy, type EvaluationResult, type PolicySet } from '../../policy/index.js';
import { requestContext, requestKeyText, serviceContext } from './context.js';
import { contextText, DecisionCache, decisionKey, timeSensitive } from './decision-cache.js';
import { forwardedRequest } from './forwarded-request.js';

const caller: Caller = {
  kind: 'assumed-role',
  accountId: '111122223333',
  principal: { type: 'AssumedRole', account: '111122223333', arn: 'arn:aws:sts::111122223333:assumed-role/r/s', id: 'AROAEXAMPLE:s', roleArn: 'arn:aws:iam::111122223333:role/r', roleId: 'AROAEXAMPLE' },
  userId: 'AROAEXAMPLE:s',
  arn: 'arn:aws:sts::111122223333:assumed-role/r/s',
  accessKeyId: 'ASIAEXAMPLE',
  roleName: 'r',
  session: { issuedAt: new Date(0), expiresAt: new Date(3600_000), tags: [], transitiveTagKeys: [], policies: [], chainDepth: 0, originalCaller: 'arn:aws:iam::111122223333:user/u' },
};

const parsed = (doc: object) => {
  const r = parsePolicy(JSON.stringify(doc));
  assert.ok(r.ok);
  return r.policy;
};

describe('decision keys', () => {
  const facts = { raw: { method: 'GET', path: '/', query: '', headers: [['User-Agent', 'sdk/1']] as Array<[string, string]>, bodySha256Hex: '' }, region: 'us-east-1', sourceIp: '10.0.0.1', secureTransport: false, now: new Date(0) };
  it('the request-facts text determines every non-time key of the request context', () => {
    const ctx = requestContext(facts);
    const later = requestContext({ ...facts, now: new Date(9_000) });
    assert.notDeepEqual(ctx, later, 'time keys differ');
    assert.equal(contextText(ctx), contextText(later), 'and only they');
    assert.equal(requestKeyText(facts), requestKeyText({ ...facts, now: new Date(9_000) }));
    for (const other of [{ sourceIp: '10.0.0.2' }, { secureTransport: true }, { region: 'eu-west-1' }, { raw: { ...facts.raw, headers: [['User-Agent', 'sdk/2']] as Array<[string, string]> } }, { raw: { ...facts.raw, headers: [...facts.raw.headers, ['Referer', 'x']] as Array<[string, string]> } }]) {
      const f = { ...facts, ...other };
      assert.notEqual(requestKeyText(f), requestKeyText(facts), JSON.stringify(other));
      assert.notEqual(contextText(requestContext(f)), contextText(ctx), JSON.stringify(other));
    }
  });

  it('keys tell apart everything but the principal (entries are per Caller object)', () => {
    const k = decisionKey('s3:GetObject', 'arn:aws:s3:::b/k', '111122223333', undefined, contextText({ 's3:prefix': 'a/' }));
    assert.notEqual(k, decisionKey('s3:PutObject', 'arn:aws:s3:::b/k', '111122223333', undefined, contextText({ 's3:prefix': 'a/' })));
    assert.notEqual(k, decisionKey('s3:GetObject', 'arn:aws:s3:::b/k', '444455556666', undefined, contextText({ 's3:prefix': 'a/' })));
    assert.notEqual(k, decisionKey('s3:GetObject', 'arn:aws:s3:::b/k', '111122223333', '{"Statement":[]}', contextText({ 's3:prefix': 'a/' })));
    assert.notEqual(k, decisionKey('s3:GetObject', 'arn:aws:s3:::b/k', '111122223333', undefined, contextText({ 's3:prefix': ['a/'] })), 'a list is not a string');
    assert.notEqual(k, decisionKey('s3:GetObject', 'arn:aws:s3:::b/k', '111122223333', undefined, contextText({ 's3:prefix': 'b/' })));
    assert.equal(contextText({ 'aws:CurrentTime': 'x', 'aws:EpochTime': '1', 'aws:MultiFactorAuthAge': '3' }), '');
  });

  it('a policy set reading a time key, in conditions or variables, is time-sensitive', () => {
    const plain: PolicySet = { identity: [{ id: 'p', policy: parsed({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) }] };
    assert.equal(timeSensitive(plain), false);
    assert.equal(timeSensitive({ ...plain, session: [{ id: 's', policy: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:currenttime":"2030-01-01T00:00:00Z"}}}]}' }] }), true);
    assert.equal(timeSensitive({ ...plain, boundary: { id: 'b', policy: parsed({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '300' } } }] }) } }), true);
    assert.equal(timeSensitive({ ...plain, resource: { id: 'r', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: 'arn:aws:s3:::b/${aws:EpochTime}' }] } } }), true);
  });
});

describe('DecisionCache', () => {
  const result: EvaluationResult = evaluate({ principal: caller.principal, action: 's3:GetObject', resource: '*' }, {});
  it('serves an entry while the generation holds and the TTL runs; drops everything on a new generation', () => {
    let gen = 5;
    let now = 1000;
    const cache = new DecisionCache({ generation: () => gen, ttlMs: 1000 }, { nowMs: () => now });
    const g = cache.generation();
    cache.set(caller, 'k', g, result);
    assert.equal(cache.get(caller, 'k'), result);
    assert.equal(cache.get({ ...caller }, 'k'), undefined, 'another Caller object');
    now += 999;
    assert.equal(cache.get(caller, 'k'), result);
    now += 1;
    assert.equal(cache.get(caller, 'k'), undefined, 'TTL');
    cache.set(caller, 'k', cache.generation(), result);
    gen++;
    assert.equal(cache.generation(), 6);
    assert.equal(cache.get(caller, 'k'), undefined, 'a write went through the store');
  });

  it('does not store a decision whose reads raced a write', () => {
    let gen = 1;
    const cache = new DecisionCache({ generation: () => gen, ttlMs: 1000 });
    const g = cache.generation();
    gen++;
    cache.set(caller, 'k', g, result);
    assert.equal(cache.get(caller, 'k'), undefined);
  });
});

describe('input validation', () => {
  it('refuses context keys that speak for the principal or the clock, in any case', () => {
    for (const key of ['aws:PrincipalArn', 'AWS:principalarn', 'aws:PrincipalTag/team', 'aws:userid', 'aws:CurrentTime', 'aws:SourceIdentity', 'aws:MultiFactorAuthPresent', 'aws:SourceIp']) {
      assert.throws(() => serviceContext({ [key]: 'x' }, ''), (e: Error & { code?: string }) => e.name === 'ValidationError', key);
    }
    assert.deepEqual(serviceContext({ 's3:prefix': 'a/', 'aws:ResourceTag/team': 'blue', 's3:max-keys': 10, 'aws:TagKeys': ['a', 'b'] }, ''), { 's3:prefix': 'a/', 'aws:ResourceTag/team': 'blue', 's3:max-keys': 10, 'aws:TagKeys': ['a', 'b'] });
    assert.throws(() => serviceContext({ 'no-colon': 'x' }, ''));
    assert.throws(() => serviceContext({ 's3:prefix': { nested: true } }, ''));
  });

  it('takes the forwarded request as sent: header pairs or a map, body or its hash, never a broken target', () => {
    const f = forwardedRequest({ method: 'PUT', path: '/b/a%20b', query: '?x-id=PutObject', headers: { Host: 'h', 'X-Multi': ['1', '2'] }, body: Buffer.from('hi').toString('base64') });
    assert.deepEqual(f.raw.headers, [['Host', 'h'], ['X-Multi', '1'], ['X-Multi', '2']]);
    assert.equal(f.raw.query, 'x-id=PutObject');
    assert.equal(f.raw.bodySha256Hex, '8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4');
    for (const bad of [{ path: 'b/k' }, { path: '/b k' }, { path: '/b?x' }, { method: 'GE T' }, { headers: [['Bad Name', 'x']] }, { bodySha256: 'abc' }, { headers: 'x' }]) {
      assert.throws(() => forwardedRequest({ method: 'GET', path: '/', headers: [], ...bad }), (e: Error) => e.name === 'ValidationError', JSON.stringify(bad));
    }
  });
});
