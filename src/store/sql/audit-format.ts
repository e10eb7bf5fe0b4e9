/**
 * Audit storage format v2: the text of one `audit_batches` row (docs/audit.md, "Storage and
 * throughput"). Pure functions, no I/O.
 *
 *   line 1:  JSON array, one AuditEventMeta per event
 *   line 2+: each event's CloudTrail JSON verbatim, in the same order, one per line
 *
 * Not compressed on purpose: the redaction tests grep the database files for secrets, and a
 * compressed trail would pass them whatever it held. Each meta carries its JSON's length (in
 * UTF-16 code units, the unit of the stored text), so event i is a slice found without scanning
 * the others, and a JSON text holding a newline (never CloudTrail's own, which is one line)
 * still round-trips exactly.
 */
import type { AuditLookupKey, AuditRecord } from '../ports.js';

/** [eventId, timeMs, eventName, eventSource, readOnly, username, accessKeyId, [[type, name]...], jsonLength] */
export type AuditEventMeta = [string, number, string, string, 0 | 1, string | null, string | null, Array<[string, string]>, number];

export function eventMeta(r: AuditRecord): AuditEventMeta {
  return [r.eventId, r.eventTime.getTime(), r.eventName, r.eventSource, r.readOnly ? 1 : 0, r.username ?? null, r.accessKeyId ?? null, r.resources.map((x) => [x.type, x.name]), r.json.length];
}

/** The batch text of events given as (meta, json) pairs, in order. */
export function encodeBatch(metas: readonly AuditEventMeta[], jsons: readonly string[]): string {
  return `${JSON.stringify(metas)}\n${jsons.join('\n')}`;
}

export class CorruptBatchError extends Error {}

/** A batch text, its header parsed; event JSON sliced out on demand. */
export class DecodedBatch {
  readonly metas: AuditEventMeta[];
  readonly #text: string;
  #offsets: number[] | undefined;
  readonly #bodyStart: number;

  constructor(text: string) {
    const nl = text.indexOf('\n');
    if (nl < 0) throw new CorruptBatchError('audit: batch text has no header line');
    this.#text = text;
    this.#bodyStart = nl + 1;
    const metas = JSON.parse(text.slice(0, nl)) as unknown;
    if (!Array.isArray(metas)) throw new CorruptBatchError('audit: batch header is not an array');
    this.metas = metas as AuditEventMeta[];
  }

  /** Event i's JSON text, exactly as appended. */
  json(i: number): string {
    if (this.#offsets === undefined) {
      const offsets: number[] = [];
      let at = this.#bodyStart;
      for (const m of this.metas) {
        offsets.push(at);
        at += m[8] + 1;
      }
      // The last line has no newline after it.
      if (at - 1 !== this.#text.length) throw new CorruptBatchError('audit: batch text length does not match its header');
      this.#offsets = offsets;
    }
    const start = this.#offsets[i] as number;
    return this.#text.slice(start, start + (this.metas[i] as AuditEventMeta)[8]);
  }
}

/** An event of a batch as the record lookup returns (without `uses`). */
export function toRecord(accountId: string, m: AuditEventMeta, json: string): AuditRecord {
  const rec: AuditRecord = {
    eventId: m[0],
    accountId,
    eventTime: new Date(m[1]),
    eventName: m[2],
    eventSource: m[3],
    readOnly: m[4] === 1,
    resources: m[7].map(([type, name]) => ({ type, name })),
    json,
  };
  if (m[5] !== null) rec.username = m[5];
  if (m[6] !== null) rec.accessKeyId = m[6];
  return rec;
}

/** The attributes a batch has lookup rows for (EventId goes through audit_event_ids). */
export type BatchLookupKey = Exclude<AuditLookupKey, 'EventId'>;

/**
 * Each distinct (attribute, value) of the events, once: a batch's audit_batch_lookup rows,
 * attribute by attribute, each attribute's values in the order they first occur. One set of
 * values per attribute, not one set of joined "attribute, value" strings, which built and hashed
 * a new string for every value of every event.
 */
export function lookupPairs(metas: readonly AuditEventMeta[]): Array<[BatchLookupKey, string]> {
  const names = new Set<string>();
  const sources = new Set<string>();
  const readOnly = new Set<string>();
  const users = new Set<string>();
  const keys = new Set<string>();
  const types = new Set<string>();
  const resources = new Set<string>();
  for (const m of metas) {
    names.add(m[2]);
    sources.add(m[3]);
    readOnly.add(m[4] === 1 ? 'true' : 'false');
    if (m[5] !== null) users.add(m[5]);
    if (m[6] !== null) keys.add(m[6]);
    for (const r of m[7]) {
      types.add(r[0]);
      resources.add(r[1]);
    }
  }
  const out: Array<[BatchLookupKey, string]> = [];
  const put = (a: BatchLookupKey, values: Set<string>) => {
    for (const v of values) out.push([a, v]);
  };
  put('EventName', names);
  put('EventSource', sources);
  put('ReadOnly', readOnly);
  put('Username', users);
  put('AccessKeyId', keys);
  put('ResourceType', types);
  put('ResourceName', resources);
  return out;
}

/**
 * The event predicate of a lookup attribute, with the value as stored (ReadOnly: 'true' or
 * 'false', case-insensitive as LookupEvents accepts it); undefined when nothing can match.
 */
export function attributeFilter(key: string, value: string): { value: string; test: (m: AuditEventMeta) => boolean } | undefined {
  switch (key) {
    case 'EventId':
      return { value, test: (m) => m[0] === value };
    case 'EventName':
      return { value, test: (m) => m[2] === value };
    case 'EventSource':
      return { value, test: (m) => m[3] === value };
    case 'Username':
      return { value, test: (m) => m[5] === value };
    case 'AccessKeyId':
      return { value, test: (m) => m[6] === value };
    case 'ReadOnly': {
      const v = value.toLowerCase();
      if (v !== 'true' && v !== 'false') return undefined;
      const want = v === 'true' ? 1 : 0;
      return { value: v, test: (m) => m[4] === want };
    }
    case 'ResourceType':
      return { value, test: (m) => m[7].some((r) => r[0] === value) };
    case 'ResourceName':
      return { value, test: (m) => m[7].some((r) => r[1] === value) };
    default:
      return undefined;
  }
}
