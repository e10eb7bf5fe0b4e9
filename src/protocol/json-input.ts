/**
 * awsJson1.1 request body -> the operation's typed input, walking the input shape. JSON types must
 * match the model (SerializationException otherwise); timestamps arrive as epoch seconds (both
 * SDKs) and ISO text is accepted too; blobs are base64; members not in the model and `null`
 * values are ignored. The decoded input is then validated (`ValidationException`).
 */
import { serializationError, validationError } from './errors.js';
import { fromEpochSeconds, parseBase64, parseTimestampText } from './scalars.js';
import { shapeOf, type ServiceDescriptor } from './services.js';
import { validateInput } from './validate.js';
import type { WireError } from './wire.js';

export type JsonInputResult = { ok: true; input: Record<string, unknown> } | { ok: false; error: WireError };

class Mismatch {
  constructor(readonly message: string) {}
}

export function readJsonInput(svc: ServiceDescriptor, shapeName: string | undefined, body: string): JsonInputResult {
  let doc: unknown = {};
  if (body.trim() !== '') {
    try {
      doc = JSON.parse(body);
    } catch {
      return { ok: false, error: serializationError('Request body is not valid JSON.') };
    }
  }
  if (shapeName === undefined) return { ok: true, input: {} };
  let input: Record<string, unknown>;
  try {
    input = (decode(svc, shapeName, doc, '') as Record<string, unknown> | undefined) ?? {};
  } catch (e) {
    if (e instanceof Mismatch) return { ok: false, error: serializationError(e.message) };
    throw e;
  }
  const problems = validateInput(svc, shapeName, input);
  if (problems.length > 0) return { ok: false, error: validationError('ValidationException', problems) };
  return { ok: true, input };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function decode(svc: ServiceDescriptor, shapeName: string, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  const shape = shapeOf(svc, shapeName);
  const where = path || 'the request';
  switch (shape.type) {
    case 'structure': {
      if (!isObject(value)) throw new Mismatch(`Expected an object at ${where}.`);
      const out: Record<string, unknown> = {};
      for (const [member, ref] of Object.entries(shape.members)) {
        if (!Object.hasOwn(value, member)) continue;
        const v = decode(svc, ref.shape, value[member], path ? `${path}.${member}` : member);
        if (v !== undefined) out[member] = v;
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) throw new Mismatch(`Expected a list at ${where}.`);
      return value.map((item, i) => decode(svc, shape.member.shape, item, `${path}[${i}]`));
    }
    case 'map': {
      if (!isObject(value)) throw new Mismatch(`Expected a map at ${where}.`);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        Object.defineProperty(out, k, { value: decode(svc, shape.value.shape, v, `${path}.${k}`), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'string':
      if (typeof value !== 'string') throw new Mismatch(`Expected a string at ${where}.`);
      return value;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new Mismatch(`Expected an integer at ${where}.`);
      if (shape.type === 'integer' && (value < -2147483648 || value > 2147483647)) throw new Mismatch(`Integer out of range at ${where}.`);
      return value;
    case 'double':
    case 'float':
      if (typeof value !== 'number') throw new Mismatch(`Expected a number at ${where}.`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new Mismatch(`Expected a boolean at ${where}.`);
      return value;
    case 'timestamp': {
      const d = typeof value === 'number' ? fromEpochSeconds(value) : typeof value === 'string' ? parseTimestampText(value) : undefined;
      if (!d) throw new Mismatch(`Expected a timestamp (epoch seconds) at ${where}.`);
      return d;
    }
    case 'blob': {
      const b = typeof value === 'string' ? parseBase64(value) : undefined;
      if (!b) throw new Mismatch(`Expected base64 text at ${where}.`);
      return b;
    }
  }
}
