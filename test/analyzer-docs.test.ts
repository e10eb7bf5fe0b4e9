/**
 * The examples of docs/analyzer.md are checked: every ```json block tagged `bad=ID` must get the
 * finding ID from `rolecall lint` (as the page says, for account 123456789012), and every block
 * tagged `fixed=ID` must not. `admin` adds `--permissions` (Allow * on *), `max=N` the
 * MaxSessionDuration. Each finding id of the catalogue has its section.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FINDING_IDS, lintPolicy, type LintOptions } from '../src/analyzer/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const page = readFileSync(join(here, '..', '..', 'docs', 'analyzer.md'), 'utf8');
const ADMIN = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

interface Example {
  kind: 'bad' | 'fixed';
  id: string;
  flags: string[];
  text: string;
}

const examples: Example[] = [];
for (const m of page.matchAll(/```json (bad|fixed)=([A-Z_]+)([^\n]*)\n([\s\S]*?)```/g)) {
  examples.push({ kind: m[1] as 'bad' | 'fixed', id: m[2] as string, flags: (m[3] as string).trim().split(/\s+/).filter(Boolean), text: m[4] as string });
}

describe('docs/analyzer.md examples', () => {
  for (const ex of examples) {
    it(`${ex.id}: the ${ex.kind} example ${ex.kind === 'bad' ? 'gets' : 'does not get'} it`, () => {
      const opts: LintOptions = { accountId: '123456789012' };
      const role: NonNullable<LintOptions['role']> = {};
      for (const f of ex.flags) {
        if (f === 'admin') role.permissions = [ADMIN];
        else if (f.startsWith('max=')) role.maxSessionDuration = Number(f.slice(4));
      }
      if (Object.keys(role).length) opts.role = role;
      const r = lintPolicy(ex.text, opts);
      const ids = r.findings.map((f) => f.id);
      if (ex.kind === 'bad') assert.ok(ids.includes(ex.id), `expected ${ex.id}, got ${ids.join(', ') || 'nothing'}`);
      else assert.deepEqual(ids, [], `the fixed example must be clean: ${r.findings.map((f) => `${f.id}: ${f.message}`).join('\n')}`);
    });
  }

  it('every finding id has a section, and every trust finding a bad and a fixed example', () => {
    for (const id of FINDING_IDS) assert.ok(page.includes(`### ${id}`) || page.includes(id), `${id} is documented`);
    for (const id of FINDING_IDS) {
      if (['JSON_SYNTAX_ERROR', 'MALFORMED_POLICY_DOCUMENT', 'POLICY_GRAMMAR_WARNING', 'TRUST_SIZE_NEAR_QUOTA'].includes(id)) continue;
      assert.ok(examples.some((e) => e.id === id && e.kind === 'bad'), `${id} has a bad example`);
      assert.ok(examples.some((e) => e.id === id && e.kind === 'fixed'), `${id} has a fixed example`);
    }
  });
});
