/**
 * awsJson1.1 responses: typed output -> JSON per the output shape (timestamps as epoch-second
 * numbers, blobs base64, members not in the model dropped); errors as
 * `{"__type":"InvalidLookupAttributesException","message":"…"}`. The request id travels in the
 * `x-amzn-RequestId` header, where both SDKs read it for JSON services.
 */
import { errorSpec } from './errors.js';
import { asDate, epochSeconds, toBase64 } from './scalars.js';
import { operationModel, shapeOf, type ServiceDescriptor } from './services.js';
import type { WireError, WireResponse } from './wire.js';

function headers(body: string, requestId: string): Record<string, string> {
  return { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': String(Buffer.byteLength(body)), 'x-amzn-RequestId': requestId };
}

export function encodeJsonOutput(svc: ServiceDescriptor, operation: string, output: unknown, requestId: string): WireResponse {
  const op = operationModel(svc, operation);
  if (!op) throw new Error(`${svc.name}: no operation ${operation}`);
  const doc = op.output ? toJson(svc, op.output.shape, output ?? {}, operation) : {};
  const body = JSON.stringify(doc);
  return { status: 200, headers: headers(body, requestId), body };
}

export function encodeJsonError(svc: ServiceDescriptor | undefined, error: WireError, requestId: string): WireResponse {
  const spec = errorSpec(svc, error.code);
  const doc: Record<string, string> = { __type: error.code };
  if (error.message !== undefined) doc['message'] = error.message;
  const body = JSON.stringify(doc);
  return { status: error.status ?? spec.status, headers: headers(body, requestId), body };
}

function typeError(path: string, expected: string, value: unknown): TypeError {
  return new TypeError(`output ${path}: expected ${expected}, got ${value === null ? 'null' : typeof value}`);
}

/** A typed value as JSON per its shape (shared with the restJson1 encoder). */
export function toJson(svc: ServiceDescriptor, shapeName: string, value: unknown, path: string): unknown {
  const shape = shapeOf(svc, shapeName);
  switch (shape.type) {
    case 'structure': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw typeError(path, 'an object', value);
      const obj = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [m, ref] of Object.entries(shape.members)) {
        const v = Object.hasOwn(obj, m) ? obj[m] : undefined;
        if (v !== undefined && v !== null) out[m] = toJson(svc, ref.shape, v, `${path}.${m}`);
      }
      return out;
    }
    case 'list':
      if (!Array.isArray(value)) throw typeError(path, 'an array', value);
      return value.map((item, i) => toJson(svc, shape.member.shape, item, `${path}[${i}]`));
    case 'map': {
      const entries = value instanceof Map ? [...value.entries()] : value && typeof value === 'object' ? Object.entries(value) : undefined;
      if (!entries) throw typeError(path, 'an object', value);
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) {
        Object.defineProperty(out, String(k), { value: toJson(svc, shape.value.shape, v, `${path}[${String(k)}]`), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'string':
      if (typeof value !== 'string') throw typeError(path, 'a string', value);
      return value;
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw typeError(path, 'a finite number', value);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw typeError(path, 'a boolean', value);
      return value;
    case 'timestamp': {
      const d = asDate(value);
      if (!d) throw typeError(path, 'a Date', value);
      return epochSeconds(d);
    }
    case 'blob':
      if (!(value instanceof Uint8Array)) throw typeError(path, 'a Uint8Array', value);
      return toBase64(value);
  }
}
