import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runMfa } from './mfa-code.js';

// RFC 6238 appendix B: the SHA-1 seed is the ASCII "12345678901234567890"; its 8-digit codes at
// 59 s and 1111111109 s are 94287082 and 07081804, so the 6-digit ones are their last six digits.
const RFC_SEED_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const dir = mkdtempSync(join(tmpdir(), 'rolecall-mfa-code-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], at: number): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runMfa(args, (s) => void (out += s), (s) => void (err += s), () => new Date(at * 1000));
  return { code, out, err };
}

describe('rolecall mfa code', () => {
  const seedFile = join(dir, 'seed.txt');
  writeFileSync(seedFile, `${RFC_SEED_BASE32}\n`); // as the AWS CLI's --outfile writes it

  it("prints the RFC 6238 code of the seed file's Base32 seed", () => {
    assert.deepEqual(run(['code', seedFile], 59), { code: 0, out: '287082\n', err: '' });
    assert.deepEqual(run(['code', seedFile], 1111111109), { code: 0, out: '081804\n', err: '' });
  });

  it('--previous is the code of the step before, as enable-mfa-device wants first', () => {
    assert.equal(run(['code', seedFile, '--previous'], 59 + 30).out, '287082\n');
    assert.notEqual(run(['code', seedFile], 59 + 30).out, '287082\n');
  });

  it('refuses a file without a Base32 seed, and a missing argument', () => {
    const bad = join(dir, 'qr.png');
    writeFileSync(bad, 'not base32 at all!');
    const r = run(['code', bad], 59);
    assert.equal(r.code, 1);
    assert.match(r.err, /does not hold a Base32 seed/);
    assert.equal(r.out, '');
    assert.equal(run(['code'], 59).code, 252);
    assert.equal(run(['codes', seedFile], 59).code, 252);
  });
});
