import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { codePointLength, compilePattern } from './pattern.js';
import { SERVICES } from './services.js';

describe('compilePattern', () => {
  it('compiles every pattern of the models', () => {
    const n: Record<string, number> = {};
    for (const svc of Object.values(SERVICES)) {
      for (const [name, shape] of Object.entries(svc.model.shapes)) {
        if (shape.type !== 'string' || shape.pattern === undefined) continue;
        assert.doesNotThrow(() => compilePattern(shape.pattern!), `${svc.name} ${name}: ${shape.pattern}`);
        n[svc.name] = (n[svc.name] ?? 0) + 1;
      }
    }
    assert.equal((n.iam ?? 0) + (n.sts ?? 0) + (n.cloudtrail ?? 0), 104);
    assert.equal(n.accessanalyzer, 11);
  });

  it('matches whole values only, as Java Matcher.matches() does', () => {
    const role = compilePattern('[\\w+=,.@-]+');
    assert.ok(role.test('my-role'));
    assert.ok(!role.test('/service-role/visitor-counter-role'));
    assert.ok(!role.test(''));
  });

  it('translates the Java-only spellings: \\: and (?s)', () => {
    const fed = compilePattern('[\\w+=,.@\\:-]*');
    assert.ok(fed.test('accounts.google.com:sub'));
    const q = compilePattern('(?s).*');
    assert.ok(q.test('SELECT *\nFROM x'));
  });

  it("reads STS's \\u10000-\\u10FFFF as Java does: supplementary characters do not match", () => {
    const arnType = SERVICES.sts.model.shapes['arnType'];
    assert.ok(arnType?.type === 'string' && arnType.pattern !== undefined);
    const arn = compilePattern(arnType.pattern);
    assert.ok(arn.test('arn:aws:iam::123456789012:role/é'));
    assert.ok(!arn.test('arn:aws:iam::123456789012:role/😀'));
  });

  it('supports \\p{L} classes (IAM tag keys)', () => {
    const tagKey = compilePattern('[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+');
    assert.ok(tagKey.test('Abteilung_ü 1'));
    assert.ok(!tagKey.test('bad*key'));
  });
});

describe('codePointLength', () => {
  it('counts code points, as AWS does for min/max', () => {
    assert.equal(codePointLength('abc'), 3);
    assert.equal(codePointLength('😀😀'), 2);
    assert.equal(codePointLength('e\u0301'), 2);
    assert.equal(codePointLength('\ud83d'), 1);
  });
});
