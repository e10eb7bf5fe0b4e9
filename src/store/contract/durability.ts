/** Contract: data survives close/reopen; secrets never reach the disk in plaintext. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Store } from '../ports.js';
import { ACCT, T1, accessKey, createPolicy, group, instanceProfile, mfaDevice, role, user, version } from './fixtures.js';
import { oidcProvider } from './oidc-providers.js';
import { samlProvider } from './saml-providers.js';

/** A durable database for the persistence tests (a fresh one per call of `durable()`). */
export interface DurableTarget {
  /** Opens the same database every call. */
  open(): Promise<Store>;
  /** Files holding the data at rest (database, WAL, ...), read raw by the plaintext test. */
  files?(): string[];
  /** Removes the database. */
  dispose?(): Promise<void>;
}

export async function withTarget(durable: () => Promise<DurableTarget>, fn: (t: DurableTarget) => Promise<void>): Promise<void> {
  const t = await durable();
  try {
    await fn(t);
  } finally {
    await t.dispose?.();
  }
}

// Recognizable secrets, searched for in every encoding a careless adapter might write.
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYCONTRACTSECRET';
const SEED = Buffer.from('CONTRACT-TOTP-SEED-0123456789abcdef', 'utf8');
const SETTING = 'token-key-ring::CONTRACT-SETTING-SECRET-VALUE';

function encodings(): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  for (const [label, bytes] of [
    ['secret', Buffer.from(SECRET, 'utf8')],
    ['seed', SEED],
    ['setting', Buffer.from(SETTING, 'utf8')],
  ] as const) {
    out.push([`${label} raw`, bytes]);
    out.push([`${label} utf16le`, Buffer.from(bytes.toString('latin1'), 'utf16le')]);
    for (const enc of ['hex', 'base64', 'base64url'] as const) out.push([`${label} ${enc}`, Buffer.from(bytes.toString(enc), 'utf8')]);
    out.push([`${label} base32`, Buffer.from(base32(bytes), 'utf8')]);
  }
  return out;
}

function base32(b: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of b) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** A file's bytes, or undefined once it is gone (PostgreSQL recycles WAL segments at any time). */
function readIfThere(f: string): Buffer | undefined {
  try {
    return readFileSync(f);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function assertNoPlaintext(files: string[], when: string): void {
  for (const f of files) {
    const bytes = readIfThere(f);
    if (bytes === undefined) continue;
    for (const [label, needle] of encodings()) {
      assert.equal(bytes.includes(needle), false, `${label} found in plaintext in ${f} (${when})`);
    }
  }
}

export function durabilityContract(durable: () => Promise<DurableTarget>): void {
  describe('durability', () => {
    it('everything written is there after close and reopen (migrations re-run harmlessly)', () =>
      withTarget(durable, async (t) => {
        let s = await t.open();
        const u = user('alice', { tags: [{ Key: 'a', Value: 'b' }], passwordLastUsed: T1 });
        const g = group('devs');
        const r = role('app', { trustPrincipalIds: [{ arn: u.arn, id: u.id }], lastUsed: { date: T1, region: 'eu-west-1' } });
        const k = accessKey({ userName: 'alice', secretAccessKey: SECRET });
        const d = mfaDevice('alice-mfa', { userName: 'alice', enabledAt: T1, lastUsedTimeStep: 123, seed: SEED });
        const ip = instanceProfile('ip', { roleNames: ['app'] });
        const oidc = oidcProvider('token.actions.githubusercontent.com', { tags: [{ Key: 'k', Value: 'v' }] });
        const saml = samlProvider('corp-idp', { tags: [{ Key: 'k', Value: 'v' }] });
        let p;
        try {
          await s.accounts.create({ id: ACCT, createdAt: T1, alias: 'org' });
          await s.users.create(u);
          await s.groups.create(g);
          await s.groups.addUser(ACCT, 'devs', 'alice');
          await s.roles.create(r);
          p = await createPolicy(s, 'P');
          await s.policies.addVersion(version(p.arn, 'v2', { isDefault: true, createdAt: T1 }));
          await s.inlinePolicies.put({ accountId: ACCT, ownerType: 'role', ownerName: 'app', policyName: 'inline', document: '{}' });
          await s.attachments.attach({ accountId: ACCT, ownerType: 'group', ownerName: 'devs', policyArn: p.arn });
          await s.accessKeys.create(k);
          await s.mfaDevices.create(d);
          await s.instanceProfiles.create(ip);
          await s.oidcProviders.create(oidc);
          await s.samlProviders.create(saml);
          await s.settings.put('ring', SETTING);
        } finally {
          await s.close();
        }
        s = await t.open();
        try {
          assert.deepEqual(await s.accounts.get(ACCT), { id: ACCT, createdAt: T1, alias: 'org' });
          assert.deepEqual(await s.users.get(ACCT, 'alice'), u);
          assert.deepEqual(await s.groups.get(ACCT, 'devs'), g);
          assert.deepEqual(await s.groups.listUsers(ACCT, 'devs'), ['alice']);
          assert.deepEqual(await s.roles.get(ACCT, 'app'), r);
          assert.deepEqual(await s.policies.get(p.arn), { ...p, defaultVersionId: 'v2', updatedAt: T1 });
          assert.deepEqual((await s.policies.listVersions(p.arn)).map((v) => [v.versionId, v.isDefault]), [
            ['v1', false],
            ['v2', true],
          ]);
          assert.equal((await s.inlinePolicies.get(ACCT, 'role', 'app', 'inline'))?.document, '{}');
          assert.deepEqual(await s.attachments.listForPolicy(p.arn), [{ accountId: ACCT, ownerType: 'group', ownerName: 'devs', policyArn: p.arn }]);
          assert.deepEqual(await s.accessKeys.get(k.accessKeyId), k);
          assert.deepEqual(await s.mfaDevices.get(d.serialNumber), d);
          assert.deepEqual(await s.instanceProfiles.get(ACCT, 'ip'), ip);
          assert.deepEqual(await s.oidcProviders.get(ACCT, oidc.url), oidc);
          assert.deepEqual(await s.samlProviders.get(ACCT, saml.name), saml);
          assert.equal(await s.settings.get('ring'), SETTING);
        } finally {
          await s.close();
        }
      }));

    it('a rolled-back transaction is not there after reopen', () =>
      withTarget(durable, async (t) => {
        let s = await t.open();
        try {
          await s.users.create(user('kept'));
          await s.transaction(async (tx) => {
            await tx.users.create(user('dropped'));
            throw new Error('roll back');
          }).catch(() => undefined);
        } finally {
          await s.close();
        }
        s = await t.open();
        try {
          assert.deepEqual((await s.users.list(ACCT)).map((x) => x.name), ['kept']);
        } finally {
          await s.close();
        }
      }));

    it('secrets are never on disk in plaintext (database and WAL, open and closed)', () =>
      withTarget(durable, async (t) => {
        // Listed anew at each look: the server adds and recycles files (WAL segments) meanwhile.
        const files = () => t.files?.() ?? [];
        const s = await t.open();
        const k = accessKey({ secretAccessKey: SECRET });
        try {
          await s.users.create(user('alice'));
          await s.accessKeys.create({ ...k, userName: 'alice' });
          await s.mfaDevices.create(mfaDevice('m', { seed: SEED }));
          await s.settings.put('ring', SETTING);
          // Sanity: the files do hold the data (in some form), so the search below means something.
          const now = files();
          if (now.length > 0) {
            const hay = Buffer.concat(now.map(readIfThere).filter((b): b is Buffer => b !== undefined));
            assert.ok(hay.includes(Buffer.from(k.accessKeyId)), 'the access key id should be in the database files');
          }
          assertNoPlaintext(files(), 'while open');
          // The other write paths: compare-and-set, and a second secret setting.
          assert.equal(await s.settings.compareAndSet('ring', SETTING, `${SETTING}:2`), true);
          assert.equal(await s.settings.compareAndSet('ring2', undefined, SETTING), true);
          assertNoPlaintext(files(), 'after compare-and-set');
          assert.equal((await s.accessKeys.get(k.accessKeyId))?.secretAccessKey, SECRET);
        } finally {
          await s.close();
        }
        assertNoPlaintext(files(), 'after close');
      }));
  });
}
