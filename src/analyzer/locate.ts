/**
 * Where things are in the policy text: a JSON path (ValidatePolicy's path elements) to a span
 * with line, column and offset. Built once per document from jsonc-parser's tree, which keeps
 * offsets for every node, including keys.
 */
import { parseTree, type Node } from 'jsonc-parser';
import type { Location, PathElement, SpanPosition } from './types.js';

export interface Locator {
  /** The location of the node at `path`; the deepest existing ancestor when it does not exist. */
  locate(path: PathElement[]): Location;
  /** The path elements of an engine diagnostic path such as `Statement[1].Condition.StringLike.aws:SourceArn`. */
  fromEnginePath(path: string): PathElement[];
  /** True when the node exists. */
  has(path: PathElement[]): boolean;
}

/** `Statement[0].Principal.AWS` as people read it. */
export function pathText(path: PathElement[]): string {
  let s = '';
  for (const e of path) {
    if ('index' in e) s += `[${e.index}]`;
    else {
      const k = 'value' in e ? e.value : e.key;
      s += s === '' ? k : `.${k}`;
    }
  }
  return s;
}

function positionMapper(text: string): (offset: number) => SpanPosition {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] as number), offset };
  };
}

/** A locator for JSON text; undefined when the text is not JSON. */
export function textLocator(text: string): Locator | undefined {
  const errors: Array<{ error: number; offset: number; length: number }> = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (!root || errors.length) return undefined;
  const at = positionMapper(text);
  const spanOf = (n: Node) => ({ start: at(n.offset), end: at(n.offset + n.length) });

  /** The node at the path: member values (or keys) and array items. */
  const walk = (path: PathElement[]): { node: Node; depth: number } => {
    let node = root;
    let depth = 0;
    for (const el of path) {
      let next: Node | undefined;
      if ('index' in el) {
        if (node.type === 'array') next = node.children?.[el.index];
      } else if (node.type === 'object') {
        const name = 'value' in el ? el.value : el.key;
        // Several members may share a key (IAM rejects it); the first one is the one reported.
        const prop = node.children?.find((p) => p.children?.[0]?.value === name);
        next = prop ? ('key' in el ? prop.children?.[0] : prop.children?.[1]) : undefined;
      }
      if (!next) break;
      node = next;
      depth++;
    }
    return { node, depth };
  };

  return {
    locate(path) {
      const { node, depth } = walk(path);
      return { path: path.slice(0, depth === path.length ? path.length : depth), span: spanOf(node) };
    },
    has(path) {
      return walk(path).depth === path.length;
    },
    fromEnginePath(p) {
      // Keys may contain dots (`token.actions.githubusercontent.com:aud`): match the longest
      // member name of the current object that the remaining text starts with.
      const out: PathElement[] = [];
      let rest = p;
      let node: Node | undefined = root;
      while (rest.length && node) {
        if (rest.startsWith('.')) rest = rest.slice(1);
        const idx = /^\[(\d+)\]/.exec(rest);
        if (idx) {
          const i = Number(idx[1]);
          out.push({ index: i });
          node = node.type === 'array' ? node.children?.[i] : undefined;
          rest = rest.slice(idx[0].length);
          continue;
        }
        let best: Node | undefined;
        let bestName = '';
        if (node.type === 'object') {
          for (const prop of node.children ?? []) {
            const name = String(prop.children?.[0]?.value ?? '');
            const after = rest.charAt(name.length);
            if (rest.startsWith(name) && (after === '' || after === '.' || after === '[') && name.length >= bestName.length && name.length > 0) {
              best = prop;
              bestName = name;
            }
          }
        }
        if (!best) {
          // Not in the document (a synthesized element): keep the rest as one key.
          out.push({ value: rest });
          break;
        }
        out.push({ value: bestName });
        node = best.children?.[1];
        rest = rest.slice(bestName.length);
      }
      return out;
    },
  };
}

/** A locator for documents given as values: paths only, no spans. */
export function valueLocator(): Locator {
  return {
    locate: (path) => ({ path }),
    has: () => true,
    fromEnginePath: (p) => (p === '' ? [] : p.split('.').map((value) => ({ value }))),
  };
}
