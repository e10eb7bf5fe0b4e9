/**
 * One tree shape for a policy document, whether it came as text (with positions, duplicate
 * keys kept so they can be reported) or as an already-parsed value (no positions).
 */
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { Position, Span } from './types.js';

export type JsonNode =
  | { kind: 'object'; props: JsonProp[]; span?: Span }
  | { kind: 'array'; items: JsonNode[]; span?: Span }
  | { kind: 'string'; value: string; span?: Span }
  | { kind: 'number'; value: number; raw: string; span?: Span }
  | { kind: 'boolean'; value: boolean; span?: Span }
  | { kind: 'null'; span?: Span };

export interface JsonProp {
  key: string;
  value: JsonNode;
  keySpan?: Span;
}

/** Maps offsets to 1-based line/column. */
function positionMapper(text: string): (offset: number) => Position {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { Line: lo + 1, Column: offset - (lineStarts[lo] as number) + 1 };
  };
}

export type TextParse = { ok: true; tree: JsonNode } | { ok: false; position: Position; detail: string };

export function treeFromText(text: string): TextParse {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const at = positionMapper(text);
  const first = errors[0];
  if (first || !root) {
    return { ok: false, position: at(first?.offset ?? 0), detail: first ? printParseErrorCode(first.error) : 'empty' };
  }
  const span = (n: Node): Span => ({ start: at(n.offset), end: at(n.offset + n.length) });
  const convert = (n: Node): JsonNode => {
    switch (n.type) {
      case 'object':
        return {
          kind: 'object',
          span: span(n),
          props: (n.children ?? []).map((p) => {
            const [k, v] = p.children as [Node, Node | undefined];
            return { key: String(k.value), keySpan: span(k), value: v ? convert(v) : { kind: 'null' } };
          }),
        };
      case 'array':
        return { kind: 'array', span: span(n), items: (n.children ?? []).map(convert) };
      case 'string':
        return { kind: 'string', value: String(n.value), span: span(n) };
      case 'number':
        return { kind: 'number', value: Number(n.value), raw: text.slice(n.offset, n.offset + n.length), span: span(n) };
      case 'boolean':
        return { kind: 'boolean', value: Boolean(n.value), span: span(n) };
      default:
        return { kind: 'null', span: span(n) };
    }
  };
  return { ok: true, tree: convert(root) };
}

export function treeFromValue(v: unknown): JsonNode {
  if (v === null || v === undefined) return { kind: 'null' };
  if (Array.isArray(v)) return { kind: 'array', items: v.map(treeFromValue) };
  switch (typeof v) {
    case 'string':
      return { kind: 'string', value: v };
    case 'number':
      return { kind: 'number', value: v, raw: String(v) };
    case 'boolean':
      return { kind: 'boolean', value: v };
    case 'object':
      return {
        kind: 'object',
        props: Object.entries(v as Record<string, unknown>).map(([key, value]) => ({ key, value: treeFromValue(value) })),
      };
    default:
      return { kind: 'null' };
  }
}
