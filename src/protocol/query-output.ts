/**
 * awsQuery responses: a typed output -> the XML document IAM and STS send, walking the output
 * shape; an error -> the `ErrorResponse` document.
 *
 *   <GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
 *     <GetRoleResult> …members in shape order… </GetRoleResult>
 *     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
 *   </GetRoleResponse>
 *
 * Lists are `<member>` items, maps `<entry><key/><value/></entry>`, timestamps ISO 8601 with
 * `Z`, blobs base64, IAM `policyDocumentType` values URL-encoded. Members absent from the value
 * are left out. A value of the wrong type is a programming error: TypeError naming the path.
 */
import { AWS_FAULT_NAMESPACE, errorSpec, FRONT_END_CODES } from './errors.js';
import { asDate, isoSeconds, toBase64 } from './scalars.js';
import { operationModel, shapeOf, type ServiceDescriptor } from './services.js';
import type { WireError, WireResponse } from './wire.js';
import { XmlWriter } from './xml-writer.js';

function headers(body: string, requestId: string): Record<string, string> {
  return { 'Content-Type': 'text/xml', 'Content-Length': String(Buffer.byteLength(body)), 'x-amzn-RequestId': requestId };
}

/** The success document for `operation` with `output` (ignored when the operation has none). */
export function encodeQueryOutput(svc: ServiceDescriptor, operation: string, output: unknown, requestId: string): WireResponse {
  const op = operationModel(svc, operation);
  if (!op) throw new Error(`${svc.name}: no operation ${operation}`);
  const w = new XmlWriter();
  w.open(`${operation}Response`, ` xmlns="${svc.xmlNamespace}"`);
  if (op.output) {
    const wrapper = op.output.resultWrapper ?? `${operation}Result`;
    writeStructure(svc, w, op.output.shape, wrapper, output ?? {}, wrapper);
  }
  w.open('ResponseMetadata').leaf('RequestId', requestId).close('ResponseMetadata');
  w.close(`${operation}Response`);
  const body = w.toString();
  return { status: 200, headers: headers(body, requestId), body };
}

/**
 * The error document. `<Type>` is Sender when the sender is at fault, else Receiver; status and
 * fault default to the model's entry for the code. `svc` undefined (no service could be told)
 * renders with the AWSFault namespace, as does InvalidAction.
 */
export function encodeQueryError(svc: ServiceDescriptor | undefined, error: WireError, requestId: string): WireResponse {
  const spec = errorSpec(svc, error.code);
  const status = error.status ?? spec.status;
  const sender = error.sender ?? spec.sender;
  const ns = !svc || FRONT_END_CODES.has(error.code) ? AWS_FAULT_NAMESPACE : svc.xmlNamespace;
  const w = new XmlWriter();
  w.open('ErrorResponse', ` xmlns="${ns}"`);
  w.open('Error').leaf('Type', sender ? 'Sender' : 'Receiver').leaf('Code', error.code);
  if (error.message !== undefined) w.leaf('Message', error.message);
  w.close('Error');
  w.leaf('RequestId', requestId);
  w.close('ErrorResponse');
  const body = w.toString();
  return { status, headers: headers(body, requestId), body };
}

function typeError(path: string, expected: string, value: unknown): TypeError {
  return new TypeError(`output ${path}: expected ${expected}, got ${value === null ? 'null' : typeof value}`);
}

function writeStructure(svc: ServiceDescriptor, w: XmlWriter, shapeName: string, tag: string, value: unknown, path: string): void {
  const shape = shapeOf(svc, shapeName);
  if (shape.type !== 'structure') throw new Error(`${shapeName} is not a structure`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw typeError(path, 'an object', value);
  const obj = value as Record<string, unknown>;
  const present = Object.keys(shape.members).filter((m) => Object.hasOwn(obj, m) && obj[m] !== undefined && obj[m] !== null);
  if (present.length === 0) {
    w.empty(tag);
    return;
  }
  w.open(tag);
  for (const m of present) writeValue(svc, w, shape.members[m]!.shape, m, obj[m], `${path}.${m}`);
  w.close(tag);
}

function writeValue(svc: ServiceDescriptor, w: XmlWriter, shapeName: string, tag: string, value: unknown, path: string): void {
  const shape = shapeOf(svc, shapeName);
  switch (shape.type) {
    case 'structure':
      writeStructure(svc, w, shapeName, tag, value, path);
      return;
    case 'list': {
      if (!Array.isArray(value)) throw typeError(path, 'an array', value);
      if (value.length === 0) {
        w.empty(tag);
        return;
      }
      w.open(tag);
      value.forEach((item, i) => writeValue(svc, w, shape.member.shape, 'member', item, `${path}[${i}]`));
      w.close(tag);
      return;
    }
    case 'map': {
      const entries = value instanceof Map ? [...value.entries()] : value && typeof value === 'object' ? Object.entries(value) : undefined;
      if (!entries) throw typeError(path, 'an object', value);
      if (entries.length === 0) {
        w.empty(tag);
        return;
      }
      w.open(tag);
      for (const [k, v] of entries) {
        w.open('entry');
        writeValue(svc, w, shape.key.shape, 'key', k, `${path}.key`);
        writeValue(svc, w, shape.value.shape, 'value', v, `${path}[${String(k)}]`);
        w.close('entry');
      }
      w.close(tag);
      return;
    }
    case 'string': {
      if (typeof value !== 'string') throw typeError(path, 'a string', value);
      w.leaf(tag, svc.urlEncodedShapes.has(shapeName) ? encodeURIComponent(value) : value);
      return;
    }
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw typeError(path, 'a finite number', value);
      w.leaf(tag, String(value));
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw typeError(path, 'a boolean', value);
      w.leaf(tag, value ? 'true' : 'false');
      return;
    case 'timestamp': {
      const d = asDate(value);
      if (!d) throw typeError(path, 'a Date', value);
      w.leaf(tag, isoSeconds(d));
      return;
    }
    case 'blob':
      if (!(value instanceof Uint8Array)) throw typeError(path, 'a Uint8Array', value);
      w.leaf(tag, toBase64(value));
      return;
  }
}
