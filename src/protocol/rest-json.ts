/**
 * restJson1, as IAM Access Analyzer speaks it (the minimum Rolecall needs): the operation comes
 * from the HTTP method and path (`POST /policy/validation` is ValidatePolicy), members travel in
 * the URI, the query string, headers or the JSON body as the model's `location` says; responses
 * are JSON with the model's status code; errors carry their code in `X-Amzn-ErrorType` and a JSON
 * body `{"message": ...}`, which is where botocore and the JS SDK read them.
 * https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html
 */
import { errorSpec } from './errors.js';
import { readJsonInput } from './json-input.js';
import { toJson } from './json-output.js';
import { parseQueryString } from './query-params.js';
import { operationModel, SERVICES, shapeOf, type ServiceDescriptor } from './services.js';
import type { Decoded, WireError, WireResponse } from './wire.js';

export interface RestJsonRoute {
  service: ServiceDescriptor;
  operation: string;
  /** URI label values by name. */
  labels: Record<string, string>;
}

interface Template {
  service: ServiceDescriptor;
  operation: string;
  method: string;
  re: RegExp;
  names: string[];
  literal: number;
}

let templates: Template[] | undefined;
function routes(): Template[] {
  if (templates) return templates;
  templates = [];
  for (const svc of Object.values(SERVICES)) {
    if (svc.protocol !== 'rest-json') continue;
    for (const [name, op] of Object.entries(svc.model.operations)) {
      if (!op.http) continue;
      const path = op.http.requestUri.split('?')[0] as string;
      const names: string[] = [];
      const src = path.replace(/\{([^}+]+)(\+)?\}|[^{]+/g, (m, label: string | undefined, greedy: string | undefined) => {
        if (!label) return m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(label);
        return greedy ? '(.+)' : '([^/]+)';
      });
      templates.push({ service: svc, operation: name, method: op.http.method.toUpperCase(), re: new RegExp(`^${src}$`), names, literal: path.replace(/\{[^}]+\}/g, '').length });
    }
  }
  // Literal paths win over labelled ones (`/analyzer/findings/statistics` before `/analyzer/{name}`).
  templates.sort((a, b) => b.literal - a.literal);
  return templates;
}

/** True when the path belongs to a restJson1 operation (whatever the method). */
export function isRestJsonPath(path: string): boolean {
  return path !== '/' && routes().some((t) => t.re.test(path));
}

export function routeRestJson(method: string, path: string): RestJsonRoute | undefined {
  if (path === '/') return undefined;
  for (const t of routes()) {
    if (t.method !== method.toUpperCase()) continue;
    const m = t.re.exec(path);
    if (!m) continue;
    const labels: Record<string, string> = {};
    t.names.forEach((n, i) => {
      labels[n] = decodeURIComponent(m[i + 1] as string);
    });
    return { service: t.service, operation: t.operation, labels };
  }
  return undefined;
}

/** A member sent outside the body (text) as the JSON value its shape wants. */
function fromText(svc: ServiceDescriptor, shapeName: string, text: string): unknown {
  const s = shapeOf(svc, shapeName);
  switch (s.type) {
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'list':
      return text.split(',');
    default:
      return text;
  }
}

/**
 * The request as a decoded operation input, or undefined when no restJson1 operation has this
 * method and path (the caller then tries the other protocols).
 */
export function decodeRestJsonRequest(method: string, path: string, query: string, body: string, header: (name: string) => string | undefined): Decoded | undefined {
  const route = routeRestJson(method, path);
  if (!route) return undefined;
  const { service: svc, operation } = route;
  const op = operationModel(svc, operation);
  const shapeName = op?.input?.shape;
  let doc: Record<string, unknown> = {};
  if (body.trim() !== '') {
    try {
      const parsed = JSON.parse(body) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      doc = parsed as Record<string, unknown>;
    } catch {
      return { ok: false, service: svc.name, operation, error: { code: 'SerializationException', message: 'Request body is not a JSON object.' } };
    }
  }
  const input: Record<string, unknown> = {};
  if (shapeName) {
    const shape = shapeOf(svc, shapeName);
    if (shape.type === 'structure') {
      const params = parseQueryString(query);
      for (const [member, ref] of Object.entries(shape.members)) {
        const wire = ref.locationName ?? member;
        let v: unknown;
        if (ref.location === 'uri') v = route.labels[wire];
        else if (ref.location === 'querystring') v = params.get(wire);
        else if (ref.location === 'header') v = header(wire.toLowerCase());
        else if (ref.location === undefined) v = Object.hasOwn(doc, member) ? doc[member] : undefined;
        if (v === undefined) continue;
        input[member] = ref.location !== undefined && typeof v === 'string' ? fromText(svc, ref.shape, v) : v;
      }
    }
  }
  const r = readJsonInput(svc, shapeName, JSON.stringify(input));
  if (!r.ok) return { ok: false, service: svc.name, operation, error: r.error };
  return { ok: true, service: svc.name, operation, input: r.input };
}

function headers(body: string, requestId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), 'x-amzn-RequestId': requestId, ...extra };
}

export function encodeRestJsonOutput(svc: ServiceDescriptor, operation: string, output: unknown, requestId: string): WireResponse {
  const op = operationModel(svc, operation);
  if (!op) throw new Error(`${svc.name}: no operation ${operation}`);
  const extra: Record<string, string> = {};
  let doc: Record<string, unknown> = {};
  if (op.output) {
    const shape = shapeOf(svc, op.output.shape);
    const value = (output ?? {}) as Record<string, unknown>;
    const bodyOnly: Record<string, unknown> = {};
    if (shape.type === 'structure') {
      for (const [member, ref] of Object.entries(shape.members)) {
        const v = value[member];
        if (v === undefined || v === null) continue;
        if (ref.location === 'header') extra[ref.locationName ?? member] = String(v);
        else if (ref.location === undefined) bodyOnly[member] = v;
      }
    }
    doc = toJson(svc, op.output.shape, bodyOnly, operation) as Record<string, unknown>;
  }
  const body = JSON.stringify(doc);
  return { status: op.http?.responseCode ?? 200, headers: headers(body, requestId, extra), body };
}

/** Codes of the shared error registry that restJson1 services spell as their modeled exceptions. */
const REST_CODES: Record<string, string> = {
  AccessDenied: 'AccessDeniedException',
  InternalFailure: 'InternalServerException',
  Throttling: 'ThrottlingException',
  ValidationError: 'ValidationException',
};

export function encodeRestJsonError(svc: ServiceDescriptor, error: WireError, requestId: string): WireResponse {
  const code = REST_CODES[error.code] ?? error.code;
  const spec = errorSpec(svc, code);
  const doc: Record<string, unknown> = { message: error.message ?? '' };
  // ValidationException's model requires a reason (botocore reads it into the error response).
  if (code === 'ValidationException') doc.reason = 'fieldValidationFailed';
  const body = JSON.stringify(doc);
  return { status: error.status ?? spec.status, headers: headers(body, requestId, { 'x-amzn-ErrorType': code }), body };
}
