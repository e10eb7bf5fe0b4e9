/**
 * Two shapes that cost every request dearly on Node 20 (V8 11.3), kept out of the request path's
 * modules (docs/benchmarks.md, "Two V8 pitfalls"):
 * - properties after an object spread (`{ ...claims, v: 1 }`): ~2–5 µs, and a dictionary-mode
 *   object that is slow to read afterwards (put own properties first, the spread last);
 * - an object literal with a getter or setter built inside a function: a new accessor pair and
 *   closure per call, which kept each request's objects alive through young-generation GCs (use
 *   a class with the accessor on its prototype).
 * A literal on a line that says `cold path`, or right under one, is exempt (start-up, errors).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The modules every request runs through. */
const HOT = ['src/http', 'src/gateway', 'src/sigv4', 'src/protocol', 'src/tokens', 'src/audit', 'src/authz', 'src/policy', 'src/store/sql', 'src/store/sqlite', 'src/domain'];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts') && !p.endsWith('testkit.ts') && !p.endsWith('fixtures.ts')) out.push(p);
  }
  return out;
}

/** `file:line: text` of each offending object literal in `text`. */
function slowShapes(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const lines = text.split('\n');
  const at = (n: ts.Node, why: string) => {
    const line = sf.getLineAndCharacterOfPosition(n.getStart()).line;
    if (/cold path/.test(lines[line] ?? '') || /cold path/.test(lines[line - 1] ?? '')) return;
    found.push(`${file}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}: ${why}: ${n.getText().replace(/\s+/g, ' ').slice(0, 80)}`);
  };
  const visit = (n: ts.Node, inFunction: boolean): void => {
    if (ts.isObjectLiteralExpression(n)) {
      let spread = false;
      for (const p of n.properties) {
        if (ts.isSpreadAssignment(p)) {
          // A conditional spread of a literal (`...(c ? { k } : {})`) is a property, not a copy.
          const e = ts.isParenthesizedExpression(p.expression) ? p.expression.expression : p.expression;
          if (!ts.isConditionalExpression(e)) spread = true;
        } else if (spread) {
          at(n, 'property after an object spread');
          break;
        }
      }
      if (inFunction && n.properties.some((p) => ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p))) at(n, 'accessor in an object literal built per call');
    }
    ts.forEachChild(n, (c) => visit(c, inFunction || ts.isFunctionLike(n)));
  };
  visit(sf, false);
  return found;
}

describe('hot-path object shapes', () => {
  it('the checker finds both shapes (and leaves the fast ones alone)', () => {
    const bad = slowShapes('x.ts', 'function f(a: object) { const x = { ...a, v: 1 }; const y = { get k() { return 1; } }; return [x, y]; }');
    assert.equal(bad.length, 2, bad.join('\n'));
    assert.deepEqual(slowShapes('x.ts', 'function f(a: object) {\n  // cold path: once at start-up\n  return { ...a, v: 1 };\n}'), []);
    const good = slowShapes('x.ts', 'const top = { get k() { return 1; } }; function f(a: object, c: boolean) { return [{ v: 1, ...a }, { ...a }, { a: 1, ...(c ? { b: 2 } : {}), d: 3 }, top]; }');
    assert.deepEqual(good, []);
  });

  it('none in the request path', () => {
    const found = HOT.flatMap((d) => sources(d)).flatMap((f) => slowShapes(relative(root, join(root, f)), readFileSync(join(root, f), 'utf8')));
    assert.deepEqual(found, []);
  });
});
