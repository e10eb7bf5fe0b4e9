/**
 * Runs the analyzer corpus (test/analyzer-cases/*.json): for each trust or permission policy, the
 * exact set of finding ids, and for every finding with a witness, that the witness is a request
 * the engine allows (rebuilt from the witness alone and evaluated again).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintPolicy, TRUST_FINDING_IDS, type LintOptions } from '../src/analyzer/index.js';
import { parsePolicy } from '../src/policy/index.js';
import { replayWitness } from './support/witness.js';

const here = dirname(fileURLToPath(import.meta.url));
const casesDir = join(here, '..', '..', 'test', 'analyzer-cases');

interface Case extends LintOptions {
  name: string;
  source: string;
  policy: unknown;
  expect: string[];
}

const files = readdirSync(casesDir).filter((f) => f.endsWith('.json')).sort();
const seenIds = new Set<string>();

for (const file of files) {
  const { cases } = JSON.parse(readFileSync(join(casesDir, file), 'utf8')) as { cases: Case[] };
  describe(`analyzer corpus: ${file}`, () => {
    for (const c of cases) {
      it(c.name, () => {
        const opts: LintOptions = {};
        if (c.type) opts.type = c.type;
        if (c.accountId) opts.accountId = c.accountId;
        if (c.trustedAccounts) opts.trustedAccounts = c.trustedAccounts;
        if (c.role) opts.role = c.role;
        const text = JSON.stringify(c.policy, null, 2);
        const r = lintPolicy(text, opts);
        const got = [...new Set(r.findings.map((f) => f.id))].sort();
        assert.deepEqual(got, [...c.expect].sort(), r.findings.map((f) => `${f.id}: ${f.message}`).join('\n'));
        for (const f of r.findings) {
          seenIds.add(f.id);
          assert.match(f.learnMoreLink, /^https:\/\/docs\.aws\.amazon\.com\//);
          assert.ok(f.locations.length > 0 && f.locations[0]!.span, `${f.id} has a location with a span`);
          if (f.witness && r.type === 'trust' && parsePolicy(c.policy as object, { type: 'trust' }).ok) {
            assert.equal(replayWitness(c.policy, 'trust', f, c.accountId ?? '000000000000'), 'allowed', `${f.id}: witness ${JSON.stringify(f.witness)} is allowed by the engine`);
          }
        }
      });
    }
  });
}

describe('analyzer corpus coverage', () => {
  it('every trust-policy finding id appears in the corpus', () => {
    const all = new Set<string>();
    for (const file of files) for (const c of (JSON.parse(readFileSync(join(casesDir, file), 'utf8')) as { cases: Case[] }).cases) c.expect.forEach((id) => all.add(id));
    for (const id of [...TRUST_FINDING_IDS, 'TAG_SESSION_UNCONSTRAINED', 'TRUST_SIZE_NEAR_QUOTA']) assert.ok(all.has(id), `${id} has a case`);
  });
  it('every case file has near misses that must not fire', () => {
    for (const file of files) {
      const { cases } = JSON.parse(readFileSync(join(casesDir, file), 'utf8')) as { cases: Case[] };
      assert.ok(cases.some((c) => c.expect.length === 0 || c.name.startsWith('near miss')), file);
    }
  });
});
