import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CACHE_TTL_MS, resolveSettings, settingsHelp } from './config.js';

describe('database settings', () => {
  it('are unset (SQLite) by default, with pool and timeout defaults', () => {
    const s = resolveSettings({}, {});
    assert.equal(s.database, undefined);
    assert.equal(s.databasePoolMax, 10);
    assert.equal(s.databaseConnectTimeoutMs, 5000);
    assert.equal(s.databaseStatementTimeoutMs, 5000);
    assert.equal(s.cacheTtlMs, DEFAULT_CACHE_TTL_MS);
  });

  it('come from ROLECALL_DATABASE_* (flags win)', () => {
    const env = { ROLECALL_DATABASE_URL: 'postgres://a:b@h/db', ROLECALL_DATABASE_SCHEMA: 'iam', ROLECALL_DATABASE_POOL_MAX: '4', ROLECALL_CACHE_TTL_MS: '0' };
    const s = resolveSettings({ database: 'postgresql://c:d@h2/db2' }, env);
    assert.equal(s.database, 'postgresql://c:d@h2/db2');
    assert.equal(s.databaseSchema, 'iam');
    assert.equal(s.databasePoolMax, 4);
    assert.equal(s.cacheTtlMs, 0);
  });

  it('refuse a URL that is not PostgreSQL without echoing it, and bad numbers or schema names', () => {
    assert.throws(() => resolveSettings({ database: 'mysql://u:s3cr3t@h/db' }, {}), (e: Error) => !e.message.includes('s3cr3t'));
    assert.throws(() => resolveSettings({ databasePoolMax: '0' }, {}), /pool size/);
    assert.throws(() => resolveSettings({ databaseStatementTimeoutMs: '-1' }, {}), /statement timeout/);
    assert.throws(() => resolveSettings({ databaseSchema: 'Drop;' }, {}), /schema/);
  });

  it('are listed in --help with their variables', () => {
    for (const v of ['ROLECALL_DATABASE_URL', 'ROLECALL_DATABASE_SCHEMA', 'ROLECALL_DATABASE_POOL_MAX', 'ROLECALL_DATABASE_CONNECT_TIMEOUT_MS', 'ROLECALL_DATABASE_STATEMENT_TIMEOUT_MS', 'ROLECALL_CACHE_TTL_MS']) assert.match(settingsHelp(), new RegExp(v));
  });
});
