/**
 * Parse and validate a policy document into the engine's model, with AWS's MalformedPolicyDocument
 * wording. Never throws: every problem is a Diagnostic with a JSON path (and line/column for text).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 */
import { malformed, MSG } from './diagnostics.js';
import { treeFromText, treeFromValue, type JsonNode } from './json-tree.js';
import { classifyAwsPrincipal } from './principal.js';
import { parseOperator, compileCondition } from './conditions/index.js';
import type { ConditionClause, Diagnostic, ParseResult, Policy, PolicyType, PrincipalBlock, Statement } from './types.js';

export interface ParseOptions {
  /** Which kind of policy this is; decides which elements are allowed. Default `identity`. */
  type?: PolicyType;
  /** Size limit in non-whitespace characters (IAM's way of counting); exceeding it is LimitExceeded. */
  maxSize?: number;
}

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const IAM_TYPES: ReadonlySet<PolicyType> = new Set(['identity', 'boundary', 'session', 'trust', 'scp', 'rcp']);
const ACTION_RE = /^[A-Za-z0-9-]+:[^:\s]+$/;
const SERVICE_PRINCIPAL_RE = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/i;

/** Models made by parsePolicy: evaluate() trusts these without re-validating. */
const PARSED = new WeakSet<object>();
export function isParsedPolicy(p: unknown): p is Policy {
  return typeof p === 'object' && p !== null && PARSED.has(p);
}

/** Counts characters the way IAM does for policy size quotas: whitespace is not counted. */
export function policySize(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) n++;
  }
  return n;
}

function firstInvalidChar(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!(c === 9 || c === 10 || c === 13 || (c >= 0x20 && c <= 0xff))) return i;
  }
  return -1;
}

export function parsePolicy(doc: string | object, options: ParseOptions = {}): ParseResult {
  const type = options.type ?? 'identity';
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  let tree: JsonNode;
  if (typeof doc === 'string') {
    if (doc.trim() === '') return { ok: false, errors: [malformed(MSG.invalidJson, '')], warnings };
    const bad = firstInvalidChar(doc);
    if (bad >= 0) {
      const before = doc.slice(0, bad);
      const line = before.split('\n').length;
      const col = bad - before.lastIndexOf('\n');
      return { ok: false, errors: [malformed(MSG.invalidChars, '', { Line: line, Column: col })], warnings };
    }
    if (options.maxSize !== undefined && policySize(doc) > options.maxSize) {
      return { ok: false, errors: [{ code: 'LimitExceeded', message: MSG.sizeLimit(options.maxSize), path: '', severity: 'error' }], warnings };
    }
    const parsed = treeFromText(doc);
    if (!parsed.ok) return { ok: false, errors: [malformed(MSG.invalidJson, '', parsed.position)], warnings };
    tree = parsed.tree;
  } else {
    tree = treeFromValue(doc);
  }

  const err = (message: string, path: string, node?: JsonNode) => {
    errors.push(malformed(message, path, node?.span?.start));
  };
  const warn = (message: string, path: string, node?: JsonNode) => {
    warnings.push(malformed(message, path, node?.span?.start, 'warning'));
  };

  if (tree.kind !== 'object') {
    err(MSG.syntax, '', tree);
    return { ok: false, errors, warnings };
  }

  const policy: Policy = { Statement: [] };
  const seen = new Set<string>();
  let statementNode: JsonNode | undefined;
  for (const prop of tree.props) {
    if (seen.has(prop.key)) {
      err(MSG.syntax, prop.key, prop.value);
      continue;
    }
    seen.add(prop.key);
    if (prop.key === 'Version') {
      if (prop.value.kind === 'string' && (prop.value.value === '2012-10-17' || prop.value.value === '2008-10-17')) policy.Version = prop.value.value;
      else err(MSG.version, 'Version', prop.value);
    } else if (prop.key === 'Id') {
      if (prop.value.kind !== 'string') err(MSG.syntax, 'Id', prop.value);
      else {
        policy.Id = prop.value.value;
        // The grammar page says Id "must not be included in identity-based policies" but not that
        // IAM rejects such documents; IAM accepts them, so this is a warning, not an error.
        if (type === 'identity' || type === 'boundary' || type === 'session') warn('The Id element is not used in identity-based policies.', 'Id', prop.value);
      }
    } else if (prop.key === 'Statement') {
      statementNode = prop.value;
    } else err(MSG.syntax, prop.key, prop.value);
  }
  if (!statementNode) {
    err(MSG.missingStatement, 'Statement', tree);
    return { ok: false, errors, warnings };
  }
  let stmtNodes: JsonNode[];
  if (statementNode.kind === 'array') stmtNodes = statementNode.items;
  else if (statementNode.kind === 'object') {
    stmtNodes = [statementNode];
    policy.singleStatement = true;
  } else {
    err(MSG.syntax, 'Statement', statementNode);
    return { ok: false, errors, warnings };
  }

  const variablesOn = policy.Version === '2012-10-17';
  const sids = new Set<string>();
  stmtNodes.forEach((node, index) => {
    const base = policy.singleStatement ? 'Statement' : `Statement[${index}]`;
    const st = parseStatement(node, index, base);
    if (st) policy.Statement.push(st);
  });
  if (errors.length) return { ok: false, errors, warnings };
  PARSED.add(policy);
  return { ok: true, policy, warnings };

  function strings(node: JsonNode, path: string, allowScalars = false): string[] | undefined {
    const one = (n: JsonNode): string | undefined => {
      if (n.kind === 'string') return n.value;
      if (allowScalars && n.kind === 'number') return n.raw;
      if (allowScalars && n.kind === 'boolean') return String(n.value);
      return undefined;
    };
    if (node.kind === 'array') {
      const out: string[] = [];
      for (const item of node.items) {
        const s = one(item);
        if (s === undefined) {
          err(MSG.syntax, path, item);
          return undefined;
        }
        out.push(s);
      }
      return out;
    }
    const s = one(node);
    if (s === undefined) {
      err(MSG.syntax, path, node);
      return undefined;
    }
    return [s];
  }

  function parsePrincipalBlock(node: JsonNode, path: string): PrincipalBlock | undefined {
    if (node.kind === 'string') {
      if (node.value === '*') return { kind: 'any' };
      err(MSG.invalidPrincipal('', node.value).replace('"":', ''), path, node);
      return undefined;
    }
    if (node.kind !== 'object') {
      err(MSG.syntax, path, node);
      return undefined;
    }
    const block: PrincipalBlock = { kind: 'map' };
    for (const p of node.props) {
      const ppath = `${path}.${p.key}`;
      if (!PRINCIPAL_TYPES.has(p.key)) {
        err(MSG.invalidPrincipalType(p.key), ppath, p.value);
        continue;
      }
      const vals = strings(p.value, ppath);
      if (!vals) continue;
      if (block[p.key as 'AWS'] !== undefined) {
        err(MSG.syntax, ppath, p.value);
        continue;
      }
      for (const v of vals) {
        if (p.key === 'AWS' && !classifyAwsPrincipal(v)) err(MSG.invalidPrincipal('AWS', v), ppath, p.value);
        // AWS spells the type in capitals here: `"SERVICE":"amazonaws.com"` (aws-samples/aws-cdk-examples#801).
        if (p.key === 'Service' && !SERVICE_PRINCIPAL_RE.test(v)) err(MSG.invalidPrincipal('SERVICE', v), ppath, p.value);
        if ((p.key === 'Federated' || p.key === 'CanonicalUser') && (v === '' || v.includes('*'))) err(MSG.invalidPrincipal(p.key, v), ppath, p.value);
      }
      block[p.key as 'AWS'] = vals;
    }
    // No principal at all: `{}`, or only empty lists of known types.
    if (node.props.every((p) => PRINCIPAL_TYPES.has(p.key) && p.value.kind === 'array' && p.value.items.length === 0)) {
      err(MSG.noPrincipals, path, node);
      return undefined;
    }
    return block;
  }

  function parseStatement(node: JsonNode, index: number, path: string): Statement | undefined {
    if (node.kind !== 'object') {
      err(MSG.syntax, path, node);
      return undefined;
    }
    const st: Partial<Statement> & { index: number } = { index };
    if (node.span) st.span = node.span;
    const present = new Map<string, JsonNode>();
    for (const p of node.props) {
      const ppath = `${path}.${p.key}`;
      if (!STATEMENT_KEYS.has(p.key) || present.has(p.key)) {
        err(MSG.syntax, ppath, p.value);
        continue;
      }
      present.set(p.key, p.value);
      switch (p.key) {
        case 'Sid': {
          if (p.value.kind !== 'string') {
            err(MSG.syntax, ppath, p.value);
            break;
          }
          st.Sid = p.value.value;
          if (IAM_TYPES.has(type)) {
            if (!/^[0-9A-Za-z]*$/.test(st.Sid)) err(MSG.sidChars, ppath, p.value);
            else if (st.Sid !== '' && sids.has(st.Sid)) err(MSG.sidUnique, ppath, p.value);
            sids.add(st.Sid);
          }
          break;
        }
        case 'Effect':
          if (p.value.kind === 'string' && (p.value.value === 'Allow' || p.value.value === 'Deny')) st.Effect = p.value.value;
          else err(MSG.badEffect(p.value.kind === 'string' ? p.value.value : JSON.stringify(p.value.kind)), ppath, p.value);
          break;
        case 'Principal':
        case 'NotPrincipal': {
          const b = parsePrincipalBlock(p.value, ppath);
          if (b) st[p.key] = b;
          break;
        }
        case 'Action':
        case 'NotAction': {
          const vals = strings(p.value, ppath);
          if (!vals) break;
          if (vals.length === 0) err(MSG.missingAction, ppath, p.value);
          for (const a of vals) {
            if (a === '*') continue;
            if (!ACTION_RE.test(a)) err(MSG.actionVendor, ppath, p.value);
            else if (/[*?]/.test(a.slice(0, a.indexOf(':')))) err(MSG.actionVendorWildcard(a), ppath, p.value);
          }
          st[p.key] = vals;
          break;
        }
        case 'Resource':
        case 'NotResource': {
          const vals = strings(p.value, ppath);
          if (!vals) break;
          if (vals.length === 0) err(MSG.missingResource, ppath, p.value);
          for (const r of vals) {
            if (r === '*') continue;
            if (!r.startsWith('arn:') || r.split(':').length < 6) err(MSG.resourceArn(r), ppath, p.value);
          }
          st[p.key] = vals;
          break;
        }
        case 'Condition': {
          const c = parseCondition(p.value, ppath);
          if (c) st.Condition = c;
          break;
        }
      }
    }
    if (!present.has('Effect')) err(MSG.missingEffect, path, node);
    if (present.has('Action') && present.has('NotAction')) err(MSG.syntax, `${path}.NotAction`, present.get('NotAction'));
    if (!present.has('Action') && !present.has('NotAction')) err(MSG.missingAction, path, node);
    if (present.has('Resource') && present.has('NotResource')) err(MSG.syntax, `${path}.NotResource`, present.get('NotResource'));
    if (present.has('Principal') && present.has('NotPrincipal')) err(MSG.syntax, `${path}.NotPrincipal`, present.get('NotPrincipal'));
    const hasPrincipal = present.has('Principal') || present.has('NotPrincipal');
    const hasResource = present.has('Resource') || present.has('NotResource');
    switch (type) {
      case 'trust':
        if (present.has('NotPrincipal')) err(MSG.prohibited('NotPrincipal'), `${path}.NotPrincipal`, present.get('NotPrincipal'));
        else if (!present.has('Principal')) err(MSG.missingPrincipal, path, node);
        if (hasResource) {
          const k = present.has('Resource') ? 'Resource' : 'NotResource';
          err(MSG.prohibited(k), `${path}.${k}`, present.get(k));
        }
        for (const a of st.Action ?? st.NotAction ?? []) {
          if (a !== '*' && !a.toLowerCase().startsWith('sts:')) {
            err(MSG.trustActions, `${path}.${st.Action ? 'Action' : 'NotAction'}`, present.get(st.Action ? 'Action' : 'NotAction'));
            break;
          }
        }
        break;
      case 'resource':
        if (!hasPrincipal) err(MSG.missingPrincipal, path, node);
        if (!hasResource) err(MSG.missingResource, path, node);
        break;
      case 'rcp':
        if (!hasResource) err(MSG.missingResource, path, node);
        break;
      default:
        if (hasPrincipal) err(MSG.principalInIdentity, `${path}.${present.has('Principal') ? 'Principal' : 'NotPrincipal'}`, present.get('Principal') ?? present.get('NotPrincipal'));
        if (!hasResource) err(MSG.missingResource, path, node);
    }
    return st.Effect ? (st as Statement) : undefined;
  }

  function parseCondition(node: JsonNode, path: string): ConditionClause[] | undefined {
    if (node.kind !== 'object') {
      err(MSG.syntax, path, node);
      return undefined;
    }
    const out: ConditionClause[] = [];
    const ops = new Set<string>();
    for (const opProp of node.props) {
      const opPath = `${path}.${opProp.key}`;
      if (ops.has(opProp.key)) {
        err(MSG.syntax, opPath, opProp.value);
        continue;
      }
      ops.add(opProp.key);
      const op = parseOperator(opProp.key);
      if (!op) {
        err(MSG.conditionType(opProp.key), opPath, opProp.value);
        continue;
      }
      if (opProp.value.kind !== 'object') {
        err(MSG.syntax, opPath, opProp.value);
        continue;
      }
      const keys = new Set<string>();
      for (const kp of opProp.value.props) {
        const kpath = `${opPath}.${kp.key}`;
        if (kp.key.trim() === '') {
          err(MSG.conditionKeyEmpty, kpath, kp.value);
          continue;
        }
        if (keys.has(kp.key.toLowerCase())) {
          err(MSG.syntax, kpath, kp.value);
          continue;
        }
        keys.add(kp.key.toLowerCase());
        const values = strings(kp.value, kpath, true);
        if (!values) continue;
        const clause: ConditionClause = { operator: opProp.key, key: kp.key, values };
        const compiled = compileCondition(clause, variablesOn);
        if (!compiled.ok) {
          // Bool/Null accept any text in AWS; values other than true/false simply never match.
          const lenient = op.name === 'Bool' || op.name === 'Null';
          (lenient ? warn : err)(MSG.conditionValue(opProp.key, kp.key, compiled.detail), kpath, kp.value);
          if (!lenient) continue;
        }
        out.push(clause);
      }
    }
    return out;
  }
}
