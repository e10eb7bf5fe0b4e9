import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { encodeQr } from './qr.js';
import { crc32, PNG_SIGNATURE, qrToPng } from './png.js';

function hasZbar(): boolean {
  try {
    execFileSync('zbarimg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const URI = 'otpauth://totp/Rolecall%3Adev%40123456789012?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Rolecall';

describe('QR encoder', () => {
  it('picks the smallest version for the payload and level', () => {
    assert.equal(encodeQr('HELLO', 'M').version, 1);
    assert.equal(encodeQr('x'.repeat(14), 'M').version, 1); // version 1-M holds 14 bytes
    assert.equal(encodeQr('x'.repeat(15), 'M').version, 2);
    assert.equal(encodeQr(URI, 'M').version, 6);
    assert.throws(() => encodeQr('x'.repeat(3000), 'M'), RangeError);
  });
  it('draws the three finder patterns and the timing patterns', () => {
    const qr = encodeQr(URI, 'M');
    const m = qr.modules;
    const finderRow = [true, true, true, true, true, true, true];
    for (const [x0, y0] of [[0, 0], [qr.size - 7, 0], [0, qr.size - 7]] as const) {
      assert.deepEqual(m[y0]!.slice(x0, x0 + 7), finderRow);
      assert.deepEqual(m[y0 + 2]!.slice(x0, x0 + 7), [true, false, true, true, true, false, true]);
    }
    for (let i = 8; i < qr.size - 8; i++) {
      assert.equal(m[6]![i], i % 2 === 0);
      assert.equal(m[i]![6], i % 2 === 0);
    }
    assert.equal(m[qr.size - 8]![8], true); // the dark module
  });
  it('renders a valid greyscale PNG with a quiet zone', () => {
    const qr = encodeQr(URI, 'M');
    const png = qrToPng(qr, 4);
    assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
    const dim = (qr.size + 8) * 4;
    assert.equal(png.readUInt32BE(16), dim);
    assert.equal(png.readUInt32BE(20), dim);
    const ihdr = png.subarray(12, 12 + 4 + 13);
    assert.equal(png.readUInt32BE(12 + 4 + 13), crc32(ihdr));
    const idatLen = png.readUInt32BE(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    assert.equal(raw.length, (dim + 1) * dim);
    assert.equal(raw[1], 255); // top-left of the quiet zone is white
    assert.equal(raw[(dim + 1) * 16 + 1 + 16], 0); // first finder module is black
  });
  it('decodes back to the payload with zbarimg when installed', { skip: !hasZbar() && 'zbarimg not installed' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'rolecall-qr-'));
    try {
      for (const payload of [URI, 'x', 'y'.repeat(200), 'z'.repeat(600)]) {
        const file = join(dir, 'qr.png');
        writeFileSync(file, qrToPng(encodeQr(payload, 'M'), 4));
        assert.equal(execFileSync('zbarimg', ['-q', '--raw', file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().replace(/\n$/, ''), payload);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
