import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { MASTER_KEY_ENV, MASTER_KEY_FILE, MasterKey, SealError, Sealer, loadOrCreateMasterKey } from './sealing.js';

describe('Sealer', () => {
  const key = MasterKey.generate();
  const sealer = new Sealer(key);

  it('round-trips strings and bytes; format is v1.<kid>.<iv>.<tag>.<ct>', () => {
    const sealed = sealer.seal('s3cr3t ✓', 'ctx');
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    assert.equal(sealed.split('.')[1], key.id);
    assert.equal(sealer.openString(sealed, 'ctx'), 's3cr3t ✓');
    const bytes = Buffer.from([0, 255, 1, 254]);
    assert.deepEqual(sealer.open(sealer.seal(bytes, 'b'), 'b'), bytes);
    assert.equal(sealer.openString(sealer.seal('', 'e'), 'e'), '');
  });

  it('is randomized: sealing twice gives different text', () => {
    assert.notEqual(sealer.seal('same', 'c'), sealer.seal('same', 'c'));
  });

  it('fails loudly on any tampering, wrong context or wrong key', () => {
    const sealed = sealer.seal('secret value', 'ctx');
    const parts = sealed.split('.');
    const flip = (s: string) => {
      const b = Buffer.from(s, 'base64url');
      b[0] = (b[0] ?? 0) ^ 1;
      return b.toString('base64url');
    };
    for (const i of [2, 3, 4]) {
      const t = [...parts];
      t[i] = flip(t[i] as string);
      assert.throws(() => sealer.open(t.join('.'), 'ctx'), SealError, `part ${i}`);
    }
    assert.throws(() => sealer.open(sealed, 'other-ctx'), SealError);
    assert.throws(() => new Sealer(MasterKey.generate()).open(sealed, 'ctx'), SealError);
    assert.throws(() => sealer.open(sealed.replace(/^v1/, 'v2'), 'ctx'), SealError);
    assert.throws(() => sealer.open(sealed.slice(0, -2), 'ctx'), SealError);
    assert.throws(() => sealer.open('garbage', 'ctx'), SealError);
    assert.throws(() => sealer.open(`${sealed}.x`, 'ctx'), SealError);
    assert.throws(() => sealer.open([parts[0], parts[1], parts[2], parts[3], ''].join('.'), 'ctx'), SealError);
  });

  it('opens values sealed under a previous key; reports them stale', () => {
    const old = new Sealer(key).seal('v', 'c');
    const rotated = new Sealer(MasterKey.generate(), [key]);
    assert.equal(rotated.openString(old, 'c'), 'v');
    assert.equal(rotated.isStale(old), true);
    assert.equal(rotated.isStale(rotated.seal('v', 'c')), false);
  });

  it('error messages never contain the plaintext', () => {
    const sealed = sealer.seal('TOPSECRET', 'ctx');
    try {
      sealer.open(sealed, 'wrong');
      assert.fail('should throw');
    } catch (e) {
      assert.ok(!String((e as Error).message).includes('TOPSECRET'));
    }
  });
});

describe('MasterKey', () => {
  it('never shows its bytes when printed or serialized', () => {
    const k = MasterKey.generate();
    const b64 = k.exportBase64();
    for (const shown of [inspect(k), String(k), JSON.stringify({ k }), `${k}`]) {
      assert.ok(!shown.includes(b64), shown);
      assert.ok(shown.includes(k.id));
    }
  });

  it('requires exactly 32 bytes', () => {
    assert.throws(() => new MasterKey(Buffer.alloc(16)));
    assert.throws(() => MasterKey.fromBase64(Buffer.alloc(31).toString('base64')));
    assert.throws(() => MasterKey.fromBase64('not base64!'));
  });

  it('derives distinct, stable subkeys per purpose', () => {
    const k = MasterKey.fromBase64(Buffer.alloc(32, 7).toString('base64'));
    assert.deepEqual(k.derive('a'), k.derive('a'));
    assert.notDeepEqual(k.derive('a'), k.derive('b'));
    assert.equal(k.id, MasterKey.fromBase64(k.exportBase64()).id);
  });
});

describe('loadOrCreateMasterKey', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rolecall-key-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates <dataDir>/master.key (0600) on first use, then reads the same key', async () => {
    const dataDir = join(dir, 'a', 'b');
    const created = await loadOrCreateMasterKey(dataDir, {});
    assert.equal(created.source, 'created');
    const file = join(dataDir, MASTER_KEY_FILE);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await readFile(file, 'utf8')).trim(), created.exportBase64());
    const again = await loadOrCreateMasterKey(dataDir, {});
    assert.equal(again.source, 'file');
    assert.equal(again.id, created.id);
  });

  it('concurrent first starts agree on one key', async () => {
    const dataDir = join(dir, 'race');
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateMasterKey(dataDir, {})));
    assert.equal(new Set(keys.map((k) => k.id)).size, 1);
  });

  it('ROLECALL_MASTER_KEY wins over the file', async () => {
    const dataDir = join(dir, 'env');
    await loadOrCreateMasterKey(dataDir, {});
    const envKey = MasterKey.generate();
    const k = await loadOrCreateMasterKey(dataDir, { [MASTER_KEY_ENV]: envKey.exportBase64() });
    assert.equal(k.source, 'env');
    assert.equal(k.id, envKey.id);
  });

  it('rejects a malformed ROLECALL_MASTER_KEY without echoing it', async () => {
    const bad = Buffer.alloc(20, 9).toString('base64');
    await assert.rejects(loadOrCreateMasterKey(join(dir, 'bad'), { [MASTER_KEY_ENV]: bad }), (e: Error) => e.message.includes(MASTER_KEY_ENV) && !e.message.includes(bad));
  });

  it('accepts a raw 32-byte key file and rejects a corrupt one', async () => {
    const rawDir = join(dir, 'raw');
    await loadOrCreateMasterKey(rawDir, {});
    const bytes = Buffer.alloc(32, 3);
    await writeFile(join(rawDir, MASTER_KEY_FILE), bytes);
    assert.equal((await loadOrCreateMasterKey(rawDir, {})).id, new MasterKey(bytes).id);
    await writeFile(join(rawDir, MASTER_KEY_FILE), 'short');
    await assert.rejects(loadOrCreateMasterKey(rawDir, {}), /does not hold a valid master key/);
  });
});
