import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateSarif } from '../../../test/support/sarif-validator.js';
import { lintPolicy } from '../lint.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatText, type FileResult } from './text.js';

const TRUST = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Resource: '*' },
    ],
  },
  null,
  2,
);
const results = (): FileResult[] => [
  { file: 'trust.json', ...lintPolicy(TRUST, { accountId: '123456789012' }) },
  { file: 'clean.json', ...lintPolicy('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}') },
];

describe('lint reports', () => {
  it('text groups findings by severity, most severe first, with file:line:column', () => {
    const t = formatText(results());
    const err = t.indexOf('ERROR (');
    const sec = t.indexOf('SECURITY_WARNING (');
    const warn = t.indexOf('WARNING (', sec + 20);
    assert.ok(err > 0 && sec > err && warn > sec, t);
    assert.match(t, /TRUST_PERMISSION_CONFUSION {2}trust\.json:15:19\n/);
    assert.match(t, /clean\.json \(trust policy, detected\)\n {2}no findings/);
    assert.match(t, /6 findings: 1 error, 3 security warnings, 1 warning, 1 suggestion in 2 files\n$/);
    assert.doesNotMatch(t, /\u001b\[/);
    assert.match(formatText(results(), { color: true }), /\u001b\[1;31mERROR/);
  });

  it('JSON carries id, severity, message, link, path, span and witness', () => {
    const doc = JSON.parse(formatJson(results())) as { files: Array<{ findings: Array<Record<string, any>> }>; summary: Record<string, number> };
    const f = doc.files[0]!.findings.find((x) => x.id === 'CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID')!;
    assert.equal(f.severity, 'SECURITY_WARNING');
    assert.equal(f.locations[0].pathText, 'Statement[0].Principal');
    assert.deepEqual(f.locations[0].path, [{ value: 'Statement' }, { index: 0 }, { value: 'Principal' }]);
    assert.deepEqual(f.locations[0].span.start, { line: 6, column: 19, offset: TRUST.indexOf('{', TRUST.indexOf('"Principal"')) });
    assert.equal(f.witness.account, '111122223333');
    assert.equal(doc.summary.ERROR, 1);
  });

  it('SARIF 2.1.0: valid structure, rules per id, 1-based regions, security severity', () => {
    const log = JSON.parse(formatSarif(results(), { version: '1.2.3' }));
    assert.deepEqual(validateSarif(log), []);
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'rolecall');
    const ids = run.tool.driver.rules.map((r: { id: string }) => r.id);
    assert.deepEqual(ids, [...ids].sort());
    const res = run.results.find((r: { ruleId: string }) => r.ruleId === 'CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID');
    assert.equal(res.level, 'warning');
    assert.equal(res.properties['security-severity'], '7.5');
    assert.deepEqual(res.locations[0].physicalLocation.region.startLine, 6);
    assert.equal(res.locations[0].physicalLocation.region.startColumn, 20);
    assert.equal(res.locations[0].logicalLocations[0].fullyQualifiedName, 'Statement[0].Principal');
    const err = run.results.find((r: { level: string }) => r.level === 'error');
    assert.equal(err.ruleId, 'TRUST_PERMISSION_CONFUSION');
  });

  it('the SARIF validator rejects what the standard forbids', () => {
    assert.ok(validateSarif({ version: '2.0.0', runs: [] }).length > 0);
    assert.ok(validateSarif({ version: '2.1.0', runs: [{ tool: {} }] }).some((e) => e.includes('driver')));
    const bad = { version: '2.1.0', runs: [{ tool: { driver: { name: 'x', rules: [{ id: 'A' }] } }, results: [{ ruleId: 'B', ruleIndex: 0, level: 'fatal', message: {}, locations: [{ physicalLocation: { artifactLocation: { uri: 'a' }, region: { startLine: 0 } } }] }] }] };
    const errs = validateSarif(bad);
    for (const want of ['ruleIndex must point', 'level must be', 'message needs text', 'startLine must be >= 1']) assert.ok(errs.some((e) => e.includes(want)), want);
  });
});
