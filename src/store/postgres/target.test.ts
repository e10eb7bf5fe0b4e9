import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreUnavailableError } from '../ports.js';
import { describeCause, isUnavailable, toStoreError } from './errors.js';
import { isPostgresUrl, parseDatabaseUrl } from './target.js';

describe('database URL handling', () => {
  it('describes and redacts without the password (raw or percent-encoded)', () => {
    const t = parseDatabaseUrl('postgres://app:p%40ss%2Fw0rd@db.example:6543/iam?sslmode=require');
    assert.equal(t.description, 'app@db.example:6543/iam');
    assert.equal(t.redacted, 'postgres://app:***@db.example:6543/iam?sslmode=require');
    assert.equal(t.scrub('auth failed for p@ss/w0rd and p%40ss%2Fw0rd'), 'auth failed for *** and ***');
    assert.equal(parseDatabaseUrl('postgresql://localhost').description, '(default user)@localhost:5432/(default database)');
  });

  it('refuses other schemes and non-URLs without echoing them', () => {
    assert.throws(() => parseDatabaseUrl('mysql://u:topsecret@h/db'), (e: Error) => !e.message.includes('topsecret') && /postgres:\/\//.test(e.message));
    assert.throws(() => parseDatabaseUrl('not a url topsecret'), (e: Error) => !e.message.includes('topsecret'));
    assert.equal(isPostgresUrl(' PostgreSQL://x'), true);
    assert.equal(isPostgresUrl('sqlite:///x'), false);
  });
});

describe('database error classification', () => {
  const target = parseDatabaseUrl('postgres://app:hunter2hunter2@db:5432/iam');
  const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it('connection-level failures become StoreUnavailableError; constraint errors and deadlocks do not', () => {
    for (const code of ['57P01', '57P03', '57014', '08006', '53300', '28P01', '3D000', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']) assert.equal(isUnavailable(pgError(code)), true, code);
    for (const message of ['Connection terminated unexpectedly', 'timeout exceeded when trying to connect', 'Query read timeout']) assert.equal(isUnavailable(new Error(message)), true, message);
    for (const code of ['23505', '23503', '40P01', '40001', '42P01']) assert.equal(isUnavailable(pgError(code)), false, code);
    const dup = pgError('23505');
    assert.equal(toStoreError(dup, target, false), dup, 'passed through unchanged');
    assert.ok(toStoreError(pgError('42P01'), target, true) instanceof StoreUnavailableError, 'any failure while connecting');
  });

  it('causes never carry the password', () => {
    const e = toStoreError(pgError('28P01', 'password authentication failed (tried hunter2hunter2)'), target, false) as StoreUnavailableError;
    assert.ok(e instanceof StoreUnavailableError);
    assert.equal(e.reason, 'SQLSTATE 28P01: password authentication failed (tried ***) (app@db:5432/iam)');
    assert.ok(!e.message.includes('hunter2'));
    const agg = new AggregateError([pgError('ECONNREFUSED', 'connect ECONNREFUSED ::1:5432'), pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')], '');
    Object.assign(agg, { code: 'ECONNREFUSED' });
    assert.match(describeCause(agg, target), /^connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127\.0\.0\.1:5432 \(app@db:5432\/iam\)$/);
  });
});
