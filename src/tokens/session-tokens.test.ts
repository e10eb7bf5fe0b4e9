import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ManualClock } from '../domain/clock.js';
import { newSecretAccessKey, TimeOrderedIds } from '../domain/ids.js';
import { cryptoRandom, type Random } from '../domain/random.js';
import type { SessionClaims } from './claims.js';
import { HEADER_BYTES, MAX_TOKEN_CHARS, NONCE_BYTES, TAG_BYTES, TOKEN_PREFIX } from './envelope.js';
import { assumeRoleClaims, fullClaims, MemorySettings, POLICY_300, T0 } from './fixtures.js';
import { KEY_RING_SETTING } from './key-ring.js';
import { MAX_SESSION_SECONDS } from './ring-state.js';
import { SessionTokenService, type SessionTokenServiceOptions } from './session-tokens.js';

const DAY = 86_400;

/** Deterministic Random: SHA-256 in counter mode over a seed. */
function seededRandom(seed: string): Random {
  let counter = 0;
  return {
    bytes(n) {
      const out: Buffer[] = [];
      for (let len = 0; len < n; len += 32) out.push(createHash('sha256').update(`${seed}:${counter++}`).digest());
      return Buffer.concat(out).subarray(0, n);
    },
    uuid: () => cryptoRandom.uuid(),
  };
}

function node(opts: Partial<SessionTokenServiceOptions> & { settings?: MemorySettings } = {}) {
  const clock = (opts.clock as ManualClock | undefined) ?? new ManualClock(T0 * 1000);
  const settings = opts.settings ?? new MemorySettings();
  const svc = new SessionTokenService({ random: cryptoRandom, refreshMinIntervalMs: 0, ...opts, settings, clock });
  return { svc, clock, settings };
}

const body = (token: string) => Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url');
const withBody = (b: Buffer) => TOKEN_PREFIX + b.toString('base64url');

describe('SessionTokenService', () => {
  it('issues ASIA credentials with the injected Random and an Expiration from expiresAt', async () => {
    const { svc, clock } = node({ random: seededRandom('s') });
    const creds = await svc.issue(assumeRoleClaims());
    const expect = seededRandom('s');
    assert.equal(creds.AccessKeyId, new TimeOrderedIds(expect).next('ASIA', clock.now().getTime()));
    assert.equal(creds.SecretAccessKey, newSecretAccessKey(expect));
    assert.match(creds.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(creds.SecretAccessKey.length, 40);
    assert.deepEqual(creds.Expiration, new Date((T0 + 3600) * 1000));
    assert.ok(creds.SessionToken.startsWith(TOKEN_PREFIX));
    const r = await svc.open(creds.SessionToken, T0);
    assert.ok(r.ok);
    assert.deepEqual(r.claims, { ...assumeRoleClaims(), v: 1, accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey });
  });

  it('round-trips every claim field', async () => {
    const { svc } = node();
    const claims = fullClaims();
    const r = await svc.open(await svc.seal(claims), T0);
    assert.ok(r.ok);
    assert.deepEqual(r.claims, claims);
    for (const k of Object.keys(claims) as Array<keyof SessionClaims>) assert.deepEqual(r.claims[k], claims[k], k);
  });

  it('keeps the secret and session facts confidential (nothing readable in the token)', async () => {
    const { svc } = node();
    const creds = await svc.issue(assumeRoleClaims());
    const b = body(creds.SessionToken);
    for (const needle of [creds.SecretAccessKey, creds.AccessKeyId, 'ci-deployer', 'build-48213', '123456789012', 'platform', 's3:GetObject']) {
      assert.ok(!creds.SessionToken.includes(needle), needle);
      assert.ok(!b.includes(Buffer.from(needle)), needle);
    }
  });

  it('a typical AssumeRole token (2 session tags, 300-char policy) is under 1,000 characters', async (t) => {
    const { svc } = node();
    assert.equal(POLICY_300.length, 300);
    const sizes: number[] = [];
    for (let i = 0; i < 50; i++) sizes.push((await svc.issue(assumeRoleClaims())).SessionToken.length);
    const bare = (await svc.issue({ ...assumeRoleClaims(), tags: [], transitiveTagKeys: [], sessionPolicies: [] })).SessionToken.length;
    t.diagnostic(`typical AssumeRole token: ${Math.min(...sizes)}-${Math.max(...sizes)} chars; without tags/policy: ${bare} chars`);
    assert.ok(Math.max(...sizes) < 1000);
    assert.ok(bare < 750, 'a bare session is sealed without compression and stays short');
  });

  it('any change to any byte region makes the token invalid', async () => {
    const { svc } = node();
    const token = (await svc.issue(assumeRoleClaims())).SessionToken;
    const b = body(token);
    const regions: Array<[string, number, number]> = [
      ['version', 0, 1],
      ['key id', 1, HEADER_BYTES],
      ['nonce', HEADER_BYTES, HEADER_BYTES + NONCE_BYTES],
      ['ciphertext', HEADER_BYTES + NONCE_BYTES, b.length - TAG_BYTES],
      ['tag', b.length - TAG_BYTES, b.length],
    ];
    let tried = 0;
    for (const [name, from, to] of regions) {
      for (let i = from; i < to; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const t = Buffer.from(b);
          t[i] = (t[i] as number) ^ (1 << bit);
          assert.deepEqual(await svc.open(withBody(t), T0), { ok: false, reason: 'invalid' }, `${name} byte ${i} bit ${bit}`);
          tried++;
        }
      }
    }
    for (let i = 0; i < TOKEN_PREFIX.length; i++) {
      for (const c of ['x', 'R', '_', '']) {
        const t = token.slice(0, i) + c + token.slice(i + 1);
        if (t !== token) assert.deepEqual(await svc.open(t, T0), { ok: false, reason: 'invalid' }, `prefix ${i} -> ${c}`);
      }
    }
    // Swapping whole regions between two genuine tokens fails too.
    const other = body((await svc.issue(assumeRoleClaims())).SessionToken);
    const spliced = Buffer.concat([b.subarray(0, HEADER_BYTES + NONCE_BYTES), other.subarray(HEADER_BYTES + NONCE_BYTES)]);
    assert.equal((await svc.open(withBody(spliced), T0)).ok, false);
    assert.equal(tried, b.length * 8);
    assert.ok((await svc.open(token, T0)).ok, 'the original still opens');
  });

  it('answers invalid, never throwing, for truncated, garbage, empty, huge and non-string input', async () => {
    const { svc } = node();
    const token = (await svc.issue(assumeRoleClaims())).SessionToken;
    const inputs: unknown[] = [
      '',
      ' ',
      TOKEN_PREFIX,
      'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJGMEQCIF',
      token + 'A',
      token + '=',
      token.toUpperCase(),
      token.replace(/-/g, '+').replace(/_/g, '/'),
      token + token,
      TOKEN_PREFIX + randomBytes(600).toString('base64url'),
      TOKEN_PREFIX + 'A'.repeat(MAX_TOKEN_CHARS - TOKEN_PREFIX.length),
      'x'.repeat(5_000_000),
      '\u0000'.repeat(100),
      '🙂'.repeat(200),
      undefined,
      null,
      123,
      {},
      Buffer.from(token),
    ];
    for (let n = 0; n < token.length; n++) inputs.push(token.slice(0, n), token.slice(n + 1));
    for (const input of inputs) {
      assert.deepEqual(await svc.open(input as string, T0), { ok: false, reason: 'invalid' }, String(input).slice(0, 50));
    }
    assert.deepEqual(await svc.open(token, Number.NaN), { ok: false, reason: 'invalid' });
  });

  it('tokens of another installation are invalid, even under a key with the same id', async () => {
    const a = node();
    const b = node();
    const ta = (await a.svc.issue(assumeRoleClaims())).SessionToken;
    const tb = (await b.svc.issue(assumeRoleClaims())).SessionToken;
    assert.deepEqual(await b.svc.open(ta, T0), { ok: false, reason: 'invalid' });
    assert.deepEqual(await a.svc.open(tb, T0), { ok: false, reason: 'invalid' });
    // Installation C: same key id and times as A's key, its own secret.
    const ring = JSON.parse(a.settings.values.get(KEY_RING_SETTING) as string) as { keys: Array<{ secret: string }> };
    ring.keys[0]!.secret = randomBytes(32).toString('base64url');
    const c = node();
    c.settings.values.set(KEY_RING_SETTING, JSON.stringify(ring));
    assert.deepEqual(await c.svc.open(ta, T0), { ok: false, reason: 'invalid' });
    assert.deepEqual(await c.svc.open(ta, T0 + 10 * DAY), { ok: false, reason: 'invalid' }, 'not "expired": it never authenticated');
  });

  it("answers 'expired' at expiresAt and after, only for authentic tokens", async () => {
    const { svc } = node();
    const token = (await svc.issue(assumeRoleClaims(T0, 900))).SessionToken;
    assert.ok((await svc.open(token, T0 + 899)).ok);
    assert.deepEqual(await svc.open(token, T0 + 900), { ok: false, reason: 'expired' });
    assert.deepEqual(await svc.open(token, T0 + 100_000), { ok: false, reason: 'expired' });
    const b = body(token);
    b[b.length - 1] = (b[b.length - 1] as number) ^ 1;
    assert.deepEqual(await svc.open(withBody(b), T0 + 900), { ok: false, reason: 'invalid' });
    assert.deepEqual(await svc.open(withBody(b), T0 + 899), { ok: false, reason: 'invalid' });
  });

  it('a token sealed before rotations verifies until it expires; its key is then retired and dropped', async () => {
    const { svc, clock, settings } = node();
    const token = (await svc.issue(assumeRoleClaims(T0, MAX_SESSION_SECONDS))).SessionToken;
    const firstKey = svc.keyRing.keyIds[0];
    for (let h = 6; h < 36; h += 6) {
      clock.set(new Date((T0 + h * 3600) * 1000));
      await svc.issue(assumeRoleClaims(T0 + h * 3600)); // rotates daily on the way
      assert.ok((await svc.open(token, T0 + h * 3600)).ok, `hour ${h}`);
    }
    assert.ok(svc.keyRing.keyIds.length >= 2, 'rotated at least once');
    clock.set(new Date((T0 + MAX_SESSION_SECONDS) * 1000));
    assert.ok((await svc.open(token, T0 + MAX_SESSION_SECONDS - 1)).ok);
    assert.deepEqual(await svc.open(token, T0 + MAX_SESSION_SECONDS), { ok: false, reason: 'expired' });
    clock.set(new Date((T0 + 4 * DAY) * 1000));
    await svc.issue(assumeRoleClaims(T0 + 4 * DAY));
    assert.ok(!(settings.values.get(KEY_RING_SETTING) as string).includes(`"${firstKey}"`), 'retired key dropped from the store');
    assert.deepEqual(await svc.open(token, T0 + 4 * DAY), { ok: false, reason: 'invalid' }, 'a retired key opens nothing');
  });

  it('refuses to seal sessions longer than 36 h, already over, or malformed', async () => {
    const { svc } = node();
    await assert.rejects(svc.issue(assumeRoleClaims(T0, MAX_SESSION_SECONDS + 1)), /at most/);
    await assert.rejects(svc.issue({ ...assumeRoleClaims(T0 - 7200, 3600) }), /future/);
    await assert.rejects(svc.issue({ ...assumeRoleClaims(), accountId: 'nope' }), /malformed/);
    await assert.rejects(svc.issue({ ...assumeRoleClaims(), sessionPolicies: [randomBytes(9000).toString('base64')] }), /limit/);
    assert.ok((await svc.issue(assumeRoleClaims(T0, MAX_SESSION_SECONDS))).SessionToken);
  });

  it('openFor also requires the access key id the token belongs to', async () => {
    const { svc } = node();
    const a = await svc.issue(assumeRoleClaims(T0, 900));
    const b = await svc.issue(assumeRoleClaims(T0, 900));
    assert.ok((await svc.openFor(a.SessionToken, a.AccessKeyId, T0)).ok);
    assert.deepEqual(await svc.openFor(a.SessionToken, b.AccessKeyId, T0), { ok: false, reason: 'invalid' });
    assert.deepEqual(await svc.openFor(a.SessionToken, b.AccessKeyId, T0 + 900), { ok: false, reason: 'invalid' });
    assert.deepEqual(await svc.openFor(a.SessionToken, a.AccessKeyId, T0 + 900), { ok: false, reason: 'expired' });
  });

  it('the opened-token cache never changes an answer', async () => {
    const { svc, clock } = node({ cacheSize: 2 });
    const uncached = node({ cacheSize: 0, settings: new MemorySettings() });
    const creds = await svc.issue(assumeRoleClaims(T0, 900));
    const r1 = await svc.open(creds.SessionToken, T0);
    assert.ok(r1.ok);
    assert.throws(() => {
      (r1.claims as { roleName?: string }).roleName = 'admin';
    }, TypeError);
    assert.throws(() => r1.claims.tags.push({ Key: 'x', Value: 'y' }), TypeError);
    const r2 = await svc.open(creds.SessionToken, T0 + 1);
    assert.ok(r2.ok);
    assert.equal(r2.claims.roleName, 'ci-deployer');
    assert.deepEqual(await svc.open(creds.SessionToken, T0 + 900), { ok: false, reason: 'expired' }, 'expiry checked on a hit');
    // Evicted entries still open.
    for (let i = 0; i < 3; i++) await svc.open((await svc.issue(assumeRoleClaims(T0, 900))).SessionToken, T0);
    assert.ok((await svc.open(creds.SessionToken, T0)).ok);
    // A cached token whose key retired is invalid, as it would be uncached.
    clock.set(new Date((T0 + 4 * DAY) * 1000));
    assert.deepEqual(await svc.open(creds.SessionToken, T0 + 4 * DAY), { ok: false, reason: 'invalid' });
    assert.deepEqual(await uncached.svc.open(creds.SessionToken, T0), { ok: false, reason: 'invalid' });
  });
});
