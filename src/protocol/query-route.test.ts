import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseQueryString } from './query-params.js';
import { routeQuery } from './query-route.js';
import { isUnsignedOperation, SERVICES } from './services.js';

const route = (body: string, scope?: string) => {
  const r = routeQuery(parseQueryString(body), scope);
  return r.ok ? { service: r.service.name, operation: r.operation } : { service: r.service?.name, error: r.error };
};

describe('routeQuery', () => {
  it('routes by Version when unsigned, by the credential scope when signed', () => {
    assert.deepEqual(route('Action=AssumeRoleWithWebIdentity&Version=2011-06-15'), { service: 'sts', operation: 'AssumeRoleWithWebIdentity' });
    assert.deepEqual(route('Action=CreateRole&Version=2010-05-08'), { service: 'iam', operation: 'CreateRole' });
    assert.deepEqual(route('Action=GetCallerIdentity&Version=2011-06-15', 'sts'), { service: 'sts', operation: 'GetCallerIdentity' });
  });

  // Messages as live STS gives them (see docs/wire-protocol.md).
  const invalid: Array<[string, string, string | undefined, string]> = [
    ['unknown action', 'Action=NoSuchAction&Version=2011-06-15', 'sts', 'Could not find operation NoSuchAction for version 2011-06-15'],
    ['missing version', 'Action=GetCallerIdentity', 'sts', 'Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED'],
    ['empty version', 'Action=GetCallerIdentity&Version=', 'sts', 'Could not find operation GetCallerIdentity for version '],
    ['unsupported version', 'Action=GetCallerIdentity&Version=2000-01-01', 'sts', 'Could not find operation GetCallerIdentity for version 2000-01-01'],
    ['first of duplicate versions wins', 'Action=GetCallerIdentity&Version=2000-01-01&Version=2011-06-15', 'sts', 'Could not find operation GetCallerIdentity for version 2000-01-01'],
    ['empty action', 'Action=&Version=2011-06-15', 'sts', 'Could not find operation  for version 2011-06-15'],
    ['an IAM action signed for STS', 'Action=CreateRole&Version=2010-05-08', 'sts', 'Could not find operation CreateRole for version 2010-05-08'],
    ['an STS action at the IAM version', 'Action=AssumeRole&Version=2010-05-08', undefined, 'Could not find operation AssumeRole for version 2010-05-08'],
    ['an Object.prototype key', 'Action=constructor&Version=2010-05-08', 'iam', 'Could not find operation constructor for version 2010-05-08'],
  ];
  for (const [name, body, scope, msg] of invalid) {
    it(`InvalidAction: ${name}`, () => {
      const r = route(body, scope);
      assert.deepEqual(r.error, { code: 'InvalidAction', message: msg });
    });
  }

  it('runs the first of duplicate actions', () => {
    assert.deepEqual(route('Action=GetCallerIdentity&Action=NoSuchAction&Version=2011-06-15'), { service: 'sts', operation: 'GetCallerIdentity' });
  });

  it('answers MissingAction when there is no Action at all', () => {
    assert.equal(route('Version=2011-06-15').error?.code, 'MissingAction');
  });

  it('leaves the service unknown when neither scope nor Version tells it', () => {
    assert.equal(route('Action=GetCallerIdentity').service, undefined);
  });
});

describe('isUnsignedOperation', () => {
  it('marks the two STS operations the SDKs send without a signature', () => {
    const unsigned = Object.keys(SERVICES.sts.model.operations).filter((op) => isUnsignedOperation(SERVICES.sts, op));
    assert.deepEqual(unsigned.sort(), ['AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity']);
    assert.equal(isUnsignedOperation(SERVICES.iam, 'CreateRole'), false);
  });
});
