import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemorySettings } from './fixtures.js';
import { AUTHORIZATION_MESSAGE_KEY_SETTING, MessageSealer, messageSealer } from './message-sealer.js';

describe('authorization message sealer', () => {
  it('round-trips text for the same scope only', async () => {
    const s = new MessageSealer(new MemorySettings());
    const text = JSON.stringify({ allowed: false, note: 'ünïcode ✓' });
    const sealed = await s.seal(text, '123456789012');
    assert.match(sealed, /^[A-Za-z0-9_-]+$/);
    assert.equal(await s.open(sealed, '123456789012'), text);
    assert.equal(await s.open(sealed, '210987654321'), undefined, 'another account cannot open it');
  });

  it('uses one key per installation, shared by every node through the settings', async () => {
    const settings = new MemorySettings();
    const a = new MessageSealer(settings);
    const b = new MessageSealer(settings);
    const [x, y] = await Promise.all([a.seal('from a', 's'), b.seal('from b', 's')]);
    assert.equal(await b.open(x, 's'), 'from a');
    assert.equal(await a.open(y, 's'), 'from b');
    assert.ok(settings.values.has(AUTHORIZATION_MESSAGE_KEY_SETTING));
    const other = new MessageSealer(new MemorySettings());
    assert.equal(await other.open(x, 's'), undefined, 'another installation cannot open it');
    assert.equal(messageSealer(settings), messageSealer(settings));
  });

  it('answers undefined, never throws, for garbage and tampering', async () => {
    const s = new MessageSealer(new MemorySettings());
    const sealed = await s.seal('hello', 'scope');
    const flip = (i: number) => {
      const b = Buffer.from(sealed, 'base64url');
      b[i] = (b[i] ?? 0) ^ 1;
      return b.toString('base64url');
    };
    for (const bad of ['', 'not base64!', 'AAAA', sealed.slice(0, -2), sealed + 'A', flip(0), flip(5), flip(20), 'x'.repeat(50_000)]) {
      assert.equal(await s.open(bad, 'scope'), undefined, bad.slice(0, 20));
    }
  });

  it('retries the key read after a store failure', async () => {
    const settings = new MemorySettings();
    settings.fail = true;
    const s = new MessageSealer(settings);
    await assert.rejects(s.seal('x', 's'), /store unavailable/);
    settings.fail = false;
    assert.equal(await s.open(await s.seal('x', 's'), 's'), 'x');
  });
});
