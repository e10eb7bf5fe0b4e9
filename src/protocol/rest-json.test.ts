import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeError, encodeOutput } from './codec.js';
import { decodeRestJsonRequest, isRestJsonPath, routeRestJson } from './rest-json.js';

const noHeaders = () => undefined;

describe('restJson1 (IAM Access Analyzer)', () => {
  it('routes by method and path; literal segments win over labels', () => {
    assert.equal(routeRestJson('POST', '/policy/validation')?.operation, 'ValidatePolicy');
    assert.equal(routeRestJson('GET', '/policy/validation'), undefined);
    assert.equal(routeRestJson('POST', '/analyzer/findings/statistics')?.operation, 'GetFindingsStatistics');
    assert.deepEqual(routeRestJson('GET', '/analyzer/my%20analyzer')?.labels, { analyzerName: 'my analyzer' });
    assert.equal(routeRestJson('POST', '/'), undefined);
    assert.equal(isRestJsonPath('/policy/validation'), true);
    assert.equal(isRestJsonPath('/'), false);
  });

  it('decodes body, query-string and URI members into the typed input, validated against the model', () => {
    const d = decodeRestJsonRequest('POST', '/policy/validation', 'maxResults=5&nextToken=abc', JSON.stringify({ policyDocument: '{}', policyType: 'IDENTITY_POLICY', unknownMember: 1 }), noHeaders);
    assert.deepEqual(d, { ok: true, service: 'accessanalyzer', operation: 'ValidatePolicy', input: { policyDocument: '{}', policyType: 'IDENTITY_POLICY', maxResults: 5, nextToken: 'abc' } });
    const missing = decodeRestJsonRequest('POST', '/policy/validation', '', '{}', noHeaders);
    assert.equal(missing?.ok, false);
    assert.equal(!missing?.ok && missing?.error.code, 'ValidationException');
    const notJson = decodeRestJsonRequest('POST', '/policy/validation', '', '[1]', noHeaders);
    assert.equal(!notJson?.ok && notJson?.error.code, 'SerializationException');
    assert.equal(decodeRestJsonRequest('POST', '/', '', '', noHeaders), undefined);
  });

  it('encodes output as JSON and errors with X-Amzn-ErrorType and a message body', () => {
    const ok = encodeOutput('accessanalyzer', 'ValidatePolicy', { findings: [{ findingDetails: 'd', findingType: 'ERROR', issueCode: 'X', learnMoreLink: 'https://x', locations: [{ path: [{ value: 'Statement' }, { index: 0 }], span: { start: { line: 1, column: 0, offset: 0 }, end: { line: 1, column: 1, offset: 1 } } }] }] }, 'req-1');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['Content-Type'], 'application/json');
    assert.equal(ok.headers['x-amzn-RequestId'], 'req-1');
    assert.deepEqual(JSON.parse(ok.body).findings[0].locations[0].path, [{ value: 'Statement' }, { index: 0 }]);
    const denied = encodeError('accessanalyzer', { code: 'AccessDenied', message: 'no', status: 403 }, 'req-2');
    assert.equal(denied.status, 403);
    assert.equal(denied.headers['x-amzn-ErrorType'], 'AccessDeniedException');
    assert.deepEqual(JSON.parse(denied.body), { message: 'no' });
    const invalid = encodeError('accessanalyzer', { code: 'ValidationException', message: 'bad' }, 'req-3');
    assert.equal(invalid.status, 400);
    assert.deepEqual(JSON.parse(invalid.body), { message: 'bad', reason: 'fieldValidationFailed' });
  });
});
