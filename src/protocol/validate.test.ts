import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeQueryRequest } from './codec.js';

const ROLE = 'arn:aws:iam::111122223333:role/app';
const STS_ARN_PATTERN = '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+';

function message(params: Record<string, string>): string | undefined {
  const d = decodeQueryRequest(new Map(Object.entries(params)));
  if (d.ok) return undefined;
  return `${d.error.code}: ${d.error.message}`;
}
function assumeRole(extra: Record<string, string | undefined>): string | undefined {
  const all: Record<string, string | undefined> = { Action: 'AssumeRole', Version: '2011-06-15', RoleArn: ROLE, RoleSessionName: 's1', ...extra };
  return message(Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined)));
}

// Each expectation is what live STS answered to the same request (a published probe of the
// AWS STS query protocol; see docs/wire-protocol.md, "Validation errors").
describe('validation messages match live STS', () => {
  const cases: Array<[string, Record<string, string | undefined>, string]> = [
    ['missing RoleArn', { RoleArn: undefined }, "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null"],
    ['missing RoleSessionName', { RoleSessionName: undefined }, "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"],
    [
      'empty RoleArn: pattern, then length',
      { RoleArn: '' },
      `2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${STS_ARN_PATTERN}; Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`,
    ],
    ['short RoleArn', { RoleArn: 'not-an-arn' }, "1 validation error detected: Value 'not-an-arn' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20"],
    ['empty session name', { RoleSessionName: '' }, "1 validation error detected: Value '' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"],
    ['one-letter session name', { RoleSessionName: 'a' }, "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"],
    ['session name with /', { RoleSessionName: 'bad/name' }, "1 validation error detected: Value 'bad/name' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"],
    [
      '65-character session name',
      { RoleSessionName: 'a'.repeat(65) },
      `1 validation error detected: Value '${'a'.repeat(65)}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    ],
    ['DurationSeconds -1', { DurationSeconds: '-1' }, "1 validation error detected: Value '-1' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"],
    ['DurationSeconds 899', { DurationSeconds: '899' }, "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"],
    ['DurationSeconds 43201', { DurationSeconds: '43201' }, "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"],
    ['DurationSeconds i32 max', { DurationSeconds: '2147483647' }, "1 validation error detected: Value '2147483647' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"],
    [
      '2049 é: length in code points',
      { RoleArn: 'é'.repeat(2049) },
      `1 validation error detected: Value '${'é'.repeat(2049)}' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048`,
    ],
    [
      '2048 emoji: within length, outside the pattern',
      { RoleArn: '😀'.repeat(2048) },
      `1 validation error detected: Value '${'😀'.repeat(2048)}' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${STS_ARN_PATTERN}`,
    ],
    [
      '2049 emoji: pattern and length',
      { RoleArn: '😀'.repeat(2049) },
      `2 validation errors detected: Value '${'😀'.repeat(2049)}' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${STS_ARN_PATTERN}; Value '${'😀'.repeat(2049)}' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048`,
    ],
    [
      '1025 decomposed é (2050 code points)',
      { RoleArn: 'e\u0301'.repeat(1025) },
      `1 validation error detected: Value '${'e\u0301'.repeat(1025)}' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048`,
    ],
  ];
  for (const [name, extra, expected] of cases) {
    it(name, () => {
      assert.equal(assumeRole(extra), `ValidationError: ${expected}`);
    });
  }

  it('accepts the boundaries live STS accepts', () => {
    for (const extra of [{ RoleSessionName: 'aa' }, { RoleSessionName: 'b'.repeat(64) }, { DurationSeconds: '900' }, { DurationSeconds: '43200' }, { RoleArn: 'é'.repeat(2048) }]) {
      assert.equal(assumeRole(extra), undefined, JSON.stringify(extra));
    }
  });
});

describe('validation messages: IAM shapes', () => {
  it('names a role outside [\\w+=,.@-]+ with the pattern', () => {
    assert.equal(
      message({ Action: 'GetRole', Version: '2010-05-08', RoleName: '/service-role/visitor-counter-role' }),
      "ValidationError: 1 validation error detected: Value '/service-role/visitor-counter-role' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
  });

  it('reports nested list members as tags.N.member.key, several errors joined with "; "', () => {
    assert.equal(
      message({ Action: 'CreateRole', Version: '2010-05-08', RoleName: 'r', AssumeRolePolicyDocument: '{}', 'Tags.member.1.Key': 'bad*key', 'Tags.member.1.Value': 'v', 'Tags.member.2.Value': 'v', MaxSessionDuration: '100' }),
      'ValidationError: 3 validation errors detected: ' +
        "Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600; " +
        "Value 'bad*key' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+; " +
        "Value null at 'tags.2.member.key' failed to satisfy constraint: Member must not be null",
    );
  });

  it('checks enums with the value set in model order', () => {
    assert.equal(
      message({ Action: 'ListPolicies', Version: '2010-05-08', Scope: 'Mine' }),
      "ValidationError: 1 validation error detected: Value 'Mine' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]",
    );
  });

  it('checks list lengths', () => {
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [[`Tags.member.${i + 1}.Key`, `k${i}`], [`Tags.member.${i + 1}.Value`, 'v']]).flat());
    const m = message({ Action: 'TagRole', Version: '2010-05-08', RoleName: 'r', ...tags });
    assert.match(m ?? '', /^ValidationError: 1 validation error detected: Value '\[\{Key: k0, Value: v\}, .*\]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50$/);
  });

  it('withholds the value of sensitive members', () => {
    assert.equal(
      message({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: ROLE, RoleSessionName: 's1', WebIdentityToken: 'abc' }),
      "ValidationError: 1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4",
    );
  });

  it('lower-cases only the first letter of a member name', () => {
    assert.match(message({ Action: 'AssumeRoleWithSAML', Version: '2011-06-15', RoleArn: ROLE, PrincipalArn: ROLE }) ?? '', /Value null at 'sAMLAssertion'/);
  });
});
