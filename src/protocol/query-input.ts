/**
 * awsQuery request parameters -> the operation's typed input, walking the input shape:
 *
 *   structure  X.Field                          Tags.member.1.Key=k
 *   list       X.member.N (N from 1, gaps closed, order by N); `X=` alone is an empty list
 *   map        X.entry.N.key / X.entry.N.value
 *   scalars    string as sent; integer/long/double/float/boolean/timestamp/blob parsed
 *
 * Names not in the model are ignored (live STS ignores `Unknown=value`). A value that does not
 * parse is `MalformedInput`; the decoded input is then validated (`ValidationError`).
 */
import { malformedInput, validationError } from './errors.js';
import { parseBase64, parseBooleanText, parseFloatText, parseIntegerText, parseTimestampText } from './scalars.js';
import { shapeOf, type ServiceDescriptor } from './services.js';
import { validateInput } from './validate.js';
import type { QueryParams, WireError } from './wire.js';

export type InputResult = { ok: true; input: Record<string, unknown> } | { ok: false; error: WireError };

class Malformed {
  constructor(readonly message: string | undefined) {}
}

/** Index of the parameter names: for every dotted prefix, the next segments seen after it. */
function indexNames(params: QueryParams): Map<string, Set<string>> {
  const children = new Map<string, Set<string>>();
  for (const name of params.keys()) {
    let dot = name.indexOf('.');
    while (dot >= 0) {
      const prefix = name.slice(0, dot);
      const next = name.indexOf('.', dot + 1);
      const segment = name.slice(dot + 1, next < 0 ? undefined : next);
      let set = children.get(prefix);
      if (!set) children.set(prefix, (set = new Set()));
      set.add(segment);
      dot = next;
    }
  }
  return children;
}

/** Decodes and validates the input of `shapeName` (an operation's input structure). */
export function readQueryInput(svc: ServiceDescriptor, shapeName: string | undefined, params: QueryParams): InputResult {
  if (shapeName === undefined) return { ok: true, input: {} };
  const walker = new Walker(svc, params);
  let input: Record<string, unknown>;
  try {
    input = walker.structure(shapeName, '') ?? {};
  } catch (e) {
    if (e instanceof Malformed) return { ok: false, error: malformedInput(e.message) };
    throw e;
  }
  const problems = validateInput(svc, shapeName, input);
  if (problems.length > 0) return { ok: false, error: validationError('ValidationError', problems) };
  return { ok: true, input };
}

class Walker {
  private readonly children: Map<string, Set<string>>;
  constructor(
    private readonly svc: ServiceDescriptor,
    private readonly params: QueryParams,
  ) {
    this.children = indexNames(params);
  }

  private present(name: string): boolean {
    return this.params.has(name) || this.children.has(name);
  }

  value(shapeName: string, name: string): unknown {
    const shape = shapeOf(this.svc, shapeName);
    switch (shape.type) {
      case 'structure':
        return this.present(name) ? this.structure(shapeName, name) : undefined;
      case 'list':
        return this.list(shape.member.shape, name);
      case 'map':
        return this.map(shape.key.shape, shape.value.shape, name);
      default: {
        const text = this.params.get(name);
        return text === undefined ? undefined : this.scalar(shape.type, text);
      }
    }
  }

  structure(shapeName: string, prefix: string): Record<string, unknown> | undefined {
    const shape = shapeOf(this.svc, shapeName);
    if (shape.type !== 'structure') return undefined;
    const out: Record<string, unknown> = {};
    for (const [member, ref] of Object.entries(shape.members)) {
      const v = this.value(ref.shape, prefix ? `${prefix}.${member}` : member);
      if (v !== undefined) out[member] = v;
    }
    return out;
  }

  private indices(prefix: string): number[] {
    const seen = this.children.get(prefix);
    if (!seen) return [];
    const out: number[] = [];
    for (const s of seen) if (/^[1-9]\d{0,8}$/.test(s)) out.push(Number(s));
    return out.sort((a, b) => a - b);
  }

  private list(memberShape: string, name: string): unknown[] | undefined {
    const idx = this.indices(`${name}.member`);
    if (idx.length === 0) return this.params.has(name) ? [] : undefined;
    const out: unknown[] = [];
    for (const i of idx) {
      const v = this.value(memberShape, `${name}.member.${i}`);
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  private map(keyShape: string, valueShape: string, name: string): Record<string, unknown> | undefined {
    const idx = this.indices(`${name}.entry`);
    if (idx.length === 0) return this.params.has(name) ? {} : undefined;
    const out: Record<string, unknown> = {};
    for (const i of idx) {
      const k = this.value(keyShape, `${name}.entry.${i}.key`);
      if (typeof k !== 'string') continue;
      // defineProperty: a key named __proto__ stays an ordinary entry.
      Object.defineProperty(out, k, { value: this.value(valueShape, `${name}.entry.${i}.value`), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  private scalar(type: string, text: string): unknown {
    switch (type) {
      case 'string':
        return text;
      case 'integer':
      case 'long': {
        // Live STS: DurationSeconds= -> "missing value for decimal type"; abc, 900.0 and
        // 2147483648 -> MalformedInput with no <Message> at all.
        if (text === '') throw new Malformed('missing value for decimal type');
        const n = parseIntegerText(text, type);
        if (n === undefined) throw new Malformed(undefined);
        return n;
      }
      case 'double':
      case 'float': {
        if (text === '') throw new Malformed('missing value for decimal type');
        const n = parseFloatText(text);
        if (n === undefined) throw new Malformed(undefined);
        return n;
      }
      case 'boolean': {
        const b = parseBooleanText(text);
        if (b === undefined) throw new Malformed(undefined);
        return b;
      }
      case 'timestamp': {
        const d = parseTimestampText(text);
        if (d === undefined) throw new Malformed(undefined);
        return d;
      }
      case 'blob': {
        const b = parseBase64(text);
        if (b === undefined) throw new Malformed(undefined);
        return b;
      }
      default:
        return text;
    }
  }
}
