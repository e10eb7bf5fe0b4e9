import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeParams, parseQueryString } from './query-params.js';

describe('parseQueryString', () => {
  it("decodes boto3's + and the JS SDK's %20 alike", () => {
    assert.equal(parseQueryString('Description=a+b').get('Description'), 'a b');
    assert.equal(parseQueryString('Description=a%20b').get('Description'), 'a b');
    assert.equal(parseQueryString('Description=a%2Bb').get('Description'), 'a+b');
  });

  it('keeps the first of repeated names, as live STS does', () => {
    const p = parseQueryString('Action=GetCallerIdentity&Action=NoSuchAction&Version=2011-06-15');
    assert.equal(p.get('Action'), 'GetCallerIdentity');
  });

  it('reads a presigned GET query string, leading ? included', () => {
    const p = parseQueryString(
      '?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240102%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Expires=60',
    );
    assert.equal(p.get('Action'), 'GetCallerIdentity');
    assert.equal(p.get('X-Amz-Credential'), 'AKID/20240102/us-east-1/sts/aws4_request');
  });

  it('decodes UTF-8 and never throws on bad escapes', () => {
    assert.equal(parseQueryString('v=%C3%A9').get('v'), 'é');
    assert.equal(parseQueryString('v=100%25%zz').get('v'), '100%%zz');
    assert.equal(parseQueryString('v=%FF').get('v'), '\uFFFD');
  });

  it('takes names without = as empty values and skips empty pieces', () => {
    const p = parseQueryString('a&&b=1&Tags=');
    assert.deepEqual([...p], [['a', ''], ['b', '1'], ['Tags', '']]);
  });

  it('merges sets, earlier ones winning', () => {
    assert.deepEqual([...mergeParams(new Map([['a', '1']]), new Map([['a', '2'], ['b', '3']]))], [['a', '1'], ['b', '3']]);
  });
});
