import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
let seq = 0;
const v7 = () => { const t = Date.now().toString(16).padStart(12, '0'); const r = randomUUID(); return `${t.slice(0,8)}-${t.slice(8,12)}-7${r.slice(15,18)}-${r.slice(19,23)}-${(seq++).toString(16).padStart(12,'0')}`; };
for (const [label, idgen, nidx] of [['uuid4 5idx', randomUUID, 5], ['v7 5idx', v7, 5], ['v7 3idx', v7, 3], ['uuid4 0idx', randomUUID, 0], ['v7 0idx', v7, 0]]) {
  const db = new Database(join(mkdtempSync(join(tmpdir(), 'raw-')), 'x.db'));
  db.pragma('journal_mode = WAL'); db.pragma(`synchronous = NORMAL`);
  db.exec(`create table e (event_id text primary key, account_id text not null, event_time text not null, event_name text not null, event_source text not null, read_only integer not null, username text, access_key_id text, resources text not null, event text not null)`);
  const all = [['a','account_id, event_time, event_id'],['f','event_time, event_id'],['b','account_id, event_name, event_time, event_id'],['c','account_id, username, event_time, event_id'],['d','account_id, access_key_id, event_time, event_id']];
  for (const [n, c] of all.slice(0, nidx)) db.exec(`create index ${n} on e (${c})`);
  const ph = '(' + Array(10).fill('?').join(',') + ')';
  const ins = db.prepare(`insert into e values ${Array(16).fill(ph).join(',')}`);
  const json = JSON.stringify({ x: 'y'.repeat(900) });
  const tx = db.transaction((rows) => ins.run(rows));
  const N = 600; const t0 = performance.now();
  for (let i = 0; i < N; i++) { const rows = []; for (let j = 0; j < 16; j++) rows.push(idgen(), '123456789012', new Date().toISOString(), 'GetCallerIdentity', 'sts.amazonaws.com', 1, 'alice', 'AKIAXXXXXXXXXXXXXXX1', '[]', json); tx(rows); }
  console.log(label, ((performance.now() - t0) / N).toFixed(2), 'ms per batch of 16');
}
