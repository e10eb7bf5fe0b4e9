import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJsonRequest, encodeError, encodeOutput } from './codec.js';
import { routeJsonTarget } from './json-route.js';

describe('awsJson1.1 routing', () => {
  it("accepts botocore's and the JS SDK's X-Amz-Target prefixes", () => {
    for (const t of ['com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents', 'CloudTrail_20131101.LookupEvents']) {
      const r = routeJsonTarget(t);
      assert.ok(r.ok, t);
      assert.equal(r.service.name, 'cloudtrail');
      assert.equal(r.operation, 'LookupEvents');
    }
  });

  for (const t of [undefined, '', 'LookupEvents', 'Other_20131101.LookupEvents', 'CloudTrail_20131101.NoSuchOperation', 'CloudTrail_20131101.constructor', 'v20131101.CloudTrail_20131101.LookupEvents']) {
    it(`answers UnknownOperationException for ${JSON.stringify(t)}`, () => {
      const r = routeJsonTarget(t);
      assert.ok(!r.ok);
      assert.deepEqual(r.error, { code: 'UnknownOperationException' });
    });
  }
});

describe('awsJson1.1 input', () => {
  const T = 'CloudTrail_20131101.LookupEvents';
  it('decodes LookupEvents with epoch-second timestamps', () => {
    const d = decodeJsonRequest(T, JSON.stringify({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }], StartTime: 1704164645, EndTime: 1704164645.5, MaxResults: 50, NextToken: 'abc', Extra: 1 }));
    assert.ok(d.ok, JSON.stringify(d));
    assert.deepEqual(d.input, {
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }],
      StartTime: new Date('2024-01-02T03:04:05.000Z'),
      EndTime: new Date('2024-01-02T03:04:05.500Z'),
      MaxResults: 50,
      NextToken: 'abc',
    });
  });

  it('takes an empty body as an empty input', () => {
    assert.deepEqual(decodeJsonRequest(T, ''), { ok: true, service: 'cloudtrail', operation: 'LookupEvents', input: {} });
  });

  it('answers ValidationException with the AWS wording', () => {
    const d = decodeJsonRequest(T, JSON.stringify({ MaxResults: 0, EventCategory: 'nope', LookupAttributes: [{ AttributeKey: 'EventName' }] }));
    assert.ok(!d.ok);
    assert.equal(d.error.code, 'ValidationException');
    assert.equal(
      d.error.message,
      '3 validation errors detected: ' +
        "Value null at 'lookupAttributes.1.member.attributeValue' failed to satisfy constraint: Member must not be null; " +
        "Value 'nope' at 'eventCategory' failed to satisfy constraint: Member must satisfy enum value set: [insight]; " +
        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it('answers SerializationException for bad JSON and wrong JSON types', () => {
    for (const body of ['{', '[]', '{"MaxResults":"5"}', '{"LookupAttributes":{}}', '{"StartTime":"yesterday"}', '{"MaxResults":1.5}']) {
      const d = decodeJsonRequest(T, body);
      assert.ok(!d.ok, body);
      assert.equal(d.error.code, 'SerializationException', body);
    }
  });
});

describe('awsJson1.1 output and errors', () => {
  it('writes timestamps as epoch seconds and drops members not in the model', () => {
    const r = encodeOutput(
      'cloudtrail',
      'LookupEvents',
      { Events: [{ EventId: 'e1', EventName: 'AssumeRole', EventTime: new Date('2024-01-02T03:04:05Z'), Resources: [{ ResourceType: 'AWS::IAM::Role', ResourceName: 'app' }], CloudTrailEvent: '{"a":1}', Secret: 'x' }], NextToken: 'n' },
      'rid',
    );
    assert.equal(r.status, 200);
    assert.equal(r.headers['Content-Type'], 'application/x-amz-json-1.1');
    assert.equal(r.headers['x-amzn-RequestId'], 'rid');
    assert.equal(r.body, '{"Events":[{"EventId":"e1","EventName":"AssumeRole","EventTime":1704164645,"Resources":[{"ResourceType":"AWS::IAM::Role","ResourceName":"app"}],"CloudTrailEvent":"{\\"a\\":1}"}],"NextToken":"n"}');
  });

  it('renders errors as {"__type","message"} with the status from the table (400)', () => {
    const r = encodeError('cloudtrail', { code: 'InvalidLookupAttributesException', message: 'bad key' }, 'rid');
    assert.equal(r.status, 400);
    assert.equal(r.body, '{"__type":"InvalidLookupAttributesException","message":"bad key"}');
    assert.equal(encodeError('cloudtrail', { code: 'UnknownOperationException' }, 'rid').body, '{"__type":"UnknownOperationException"}');
  });
});
