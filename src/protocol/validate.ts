/**
 * Constraint validation of a decoded input against the model, with AWS's (Coral's) messages:
 *
 *   Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64
 *   Value null at 'roleArn' failed to satisfy constraint: Member must not be null
 *   Value at 'webIdentityToken' failed to satisfy constraint: …          (sensitive: value withheld)
 *
 * Paths are member names with the first letter lower-cased (`sAMLAssertion`), list elements
 * `tags.1.member.key`. For one member the checks run in the order live STS reports them:
 * pattern, then length, then enum/range. Members follow the model's order.
 */
import type { Shape } from './model-types.js';
import { codePointLength, compilePattern } from './pattern.js';
import { shapeOf, type ServiceDescriptor } from './services.js';

export function lowerFirst(name: string): string {
  return name.length === 0 ? name : name[0]!.toLowerCase() + name.slice(1);
}

/** Validates a decoded input structure; returns the violations in AWS's wording (empty: valid). */
export function validateInput(svc: ServiceDescriptor, shapeName: string, value: unknown): string[] {
  const out: string[] = [];
  checkStructure(svc, shapeOf(svc, shapeName), value as Record<string, unknown>, '', out);
  return out;
}

function render(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return `[${value.map(render).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k}: ${render(v)}`).join(', ')}}`;
  }
  return String(value);
}

function fail(out: string[], path: string, value: unknown, sensitive: boolean, constraint: string): void {
  const shown = value === undefined || value === null ? 'null' : sensitive ? '' : `'${render(value)}'`;
  out.push(`Value ${shown}${shown ? ' ' : ''}at '${path}' failed to satisfy constraint: ${constraint}`);
}

function checkStructure(svc: ServiceDescriptor, shape: Shape, value: Record<string, unknown>, path: string, out: string[]): void {
  if (shape.type !== 'structure') return;
  const required = shape.required ?? [];
  for (const [member, ref] of Object.entries(shape.members)) {
    const memberPath = path ? `${path}.${lowerFirst(member)}` : lowerFirst(member);
    const v = Object.hasOwn(value, member) ? value[member] : undefined;
    if (v === undefined || v === null) {
      if (required.includes(member)) fail(out, memberPath, null, false, 'Member must not be null');
      continue;
    }
    checkValue(svc, ref.shape, v, memberPath, out);
  }
}

function checkValue(svc: ServiceDescriptor, shapeName: string, value: unknown, path: string, out: string[]): void {
  const shape = shapeOf(svc, shapeName);
  const sensitive = shape.sensitive === true;
  switch (shape.type) {
    case 'string': {
      const s = value as string;
      if (shape.pattern !== undefined && !compilePattern(shape.pattern).test(s)) {
        fail(out, path, s, sensitive, `Member must satisfy regular expression pattern: ${shape.pattern}`);
      }
      checkLength(codePointLength(s), shape.min, shape.max, out, path, s, sensitive);
      if (shape.enum && !shape.enum.includes(s)) {
        fail(out, path, s, sensitive, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      }
      return;
    }
    case 'integer':
    case 'long':
    case 'double':
    case 'float': {
      const n = value as number;
      if (shape.min !== undefined && n < shape.min) fail(out, path, n, sensitive, `Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && n > shape.max) fail(out, path, n, sensitive, `Member must have value less than or equal to ${shape.max}`);
      return;
    }
    case 'blob': {
      checkLength((value as Uint8Array).length, shape.min, shape.max, out, path, value, sensitive);
      return;
    }
    case 'list': {
      const items = value as unknown[];
      checkLength(items.length, shape.min, shape.max, out, path, items, sensitive);
      items.forEach((item, i) => {
        const itemPath = `${path}.${i + 1}.member`;
        if (item === undefined || item === null) fail(out, itemPath, null, false, 'Member must not be null');
        else checkValue(svc, shape.member.shape, item, itemPath, out);
      });
      return;
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>);
      checkLength(entries.length, shape.min, shape.max, out, path, value, sensitive);
      entries.forEach(([k, v], i) => {
        checkValue(svc, shape.key.shape, k, `${path}.entry.${i + 1}.key`, out);
        if (v === undefined || v === null) fail(out, `${path}.entry.${i + 1}.value`, null, false, 'Member must not be null');
        else checkValue(svc, shape.value.shape, v, `${path}.entry.${i + 1}.value`, out);
      });
      return;
    }
    case 'structure':
      checkStructure(svc, shape, value as Record<string, unknown>, path, out);
      return;
    default:
      return;
  }
}

function checkLength(len: number, min: number | undefined, max: number | undefined, out: string[], path: string, value: unknown, sensitive: boolean): void {
  if (min !== undefined && len < min) fail(out, path, value, sensitive, `Member must have length greater than or equal to ${min}`);
  if (max !== undefined && len > max) fail(out, path, value, sensitive, `Member must have length less than or equal to ${max}`);
}
