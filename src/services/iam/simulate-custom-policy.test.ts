import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simulateCustomPolicy } from './simulate-custom-policy.js';
import { AwsError } from '../../domain/aws-error.js';

// The documented example of `aws iam simulate-custom-policy` (AWS CLI command reference).
const DOC_POLICY = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';

describe('SimulateCustomPolicy', () => {
  it('reproduces the documented example, statement positions included', () => {
    const r = simulateCustomPolicy({
      PolicyInputList: [DOC_POLICY],
      ActionNames: ['dynamodb:CreateBackup'],
      ContextEntries: [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['2019-04-25T11:00:00Z'], ContextKeyType: 'date' }],
    });
    assert.deepEqual(r.EvaluationResults, [
      {
        EvalActionName: 'dynamodb:CreateBackup',
        EvalResourceName: '*',
        EvalDecision: 'allowed',
        MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 167 } }],
        MissingContextValues: [],
      },
    ]);
  });
  it('denies implicitly before the date and reports missing keys', () => {
    const before = simulateCustomPolicy({
      PolicyInputList: [DOC_POLICY],
      ActionNames: ['dynamodb:CreateBackup'],
      ContextEntries: [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['2015-04-25T11:00:00Z'], ContextKeyType: 'date' }],
    });
    assert.equal(before.EvaluationResults[0]?.EvalDecision, 'implicitDeny');
    const missing = simulateCustomPolicy({ PolicyInputList: [DOC_POLICY], ActionNames: ['dynamodb:CreateBackup'] });
    assert.deepEqual(missing.EvaluationResults[0]?.MissingContextValues, ['aws:CurrentTime']);
  });
  it('answers per resource with ResourceSpecificResults', () => {
    const r = simulateCustomPolicy({
      PolicyInputList: ['{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a/*"}]}'],
      ActionNames: ['s3:GetObject'],
      ResourceArns: ['arn:aws:s3:::a/x', 'arn:aws:s3:::b/x'],
    });
    assert.deepEqual(r.EvaluationResults.map((e) => [e.EvalResourceName, e.EvalDecision, e.ResourceSpecificResults?.[0]?.EvalResourceDecision]), [
      ['arn:aws:s3:::a/x', 'allowed', 'allowed'],
      ['arn:aws:s3:::b/x', 'implicitDeny', 'implicitDeny'],
    ]);
  });
  it('rejects malformed policies and wildcard actions with AWS errors', () => {
    assert.throws(() => simulateCustomPolicy({ PolicyInputList: ['{nope'], ActionNames: ['s3:GetObject'] }), (e: unknown) => e instanceof AwsError && e.code === 'MalformedPolicyDocument' && e.message.startsWith('This policy contains invalid Json'));
    assert.throws(() => simulateCustomPolicy({ PolicyInputList: [DOC_POLICY], ActionNames: ['s3:*'] }), (e: unknown) => e instanceof AwsError && e.code === 'InvalidInput');
  });
  it('pages with MaxItems and Marker', () => {
    const base = { PolicyInputList: [DOC_POLICY], ActionNames: ['dynamodb:A', 'dynamodb:B', 'dynamodb:C'] };
    const p1 = simulateCustomPolicy({ ...base, MaxItems: 2 });
    assert.equal(p1.IsTruncated, true);
    const p2 = simulateCustomPolicy({ ...base, MaxItems: 2, Marker: p1.Marker as string });
    assert.deepEqual([...p1.EvaluationResults, ...p2.EvaluationResults].map((e) => e.EvalActionName), base.ActionNames);
    assert.equal(p2.IsTruncated, false);
  });
});
