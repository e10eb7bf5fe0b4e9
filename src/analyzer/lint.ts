/**
 * `lintPolicy`: every finding for one policy document. Grammar first (the engine's parser, with
 * IAM's messages); then, on the parsed model (repaired when the only problems are trust-policy
 * mistakes the checks understand), the semantic checks for the policy's type. Pure: no I/O.
 */
import { parsePolicy, type Policy, type PolicyType } from '../policy/index.js';
import { Analysis } from './analysis.js';
import { checkConditionPitfalls } from './checks/conditions.js';
import { checkFederationActions, checkOidc } from './checks/federation.js';
import { checkAllowNotPrincipal, checkOrphanedAndRedundant, checkTrustActionWildcards, checkTrustSize } from './checks/hygiene.js';
import { checkMfaBypass, checkSensitiveWithoutMfa, checkSessionDuration } from './checks/mfa.js';
import { reachChecks } from './checks/reach.js';
import { findingSpec, severityRank } from './findings.js';
import { detectType, mapDiagnostic, repair } from './grammar.js';
import { pathText, textLocator, valueLocator, type Locator } from './locate.js';
import type { Finding, LintOptions, LintResult } from './types.js';

export const POLICY_TYPES: readonly PolicyType[] = ['trust', 'identity', 'resource', 'boundary', 'session', 'scp', 'rcp'];

function sortFindings(fs: Finding[]): Finding[] {
  const offset = (f: Finding) => f.locations[0]?.span?.start.offset ?? 0;
  return fs.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || offset(a) - offset(b) || a.id.localeCompare(b.id));
}

/** Same id at the same place with the same message: once. */
function dedupe(fs: Finding[]): Finding[] {
  const seen = new Set<string>();
  return fs.filter((f) => {
    const k = `${f.id}\u0000${f.locations.map((l) => pathText(l.path)).join('|')}\u0000${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Lint a policy document (JSON text, or an already parsed value). Never throws. */
export function lintPolicy(doc: string | object, options: LintOptions = {}): LintResult {
  const text = typeof doc === 'string' ? doc : undefined;
  let raw: unknown = doc;
  let locator: Locator;
  if (text !== undefined) {
    const loc = textLocator(text);
    try {
      raw = JSON.parse(text);
    } catch {
      raw = undefined;
    }
    if (!loc || raw === undefined) {
      const type = options.type ?? 'identity';
      const r = parsePolicy(text, { type });
      const d = !r.ok ? r.errors[0] : undefined;
      const pos = d?.position;
      const span = pos ? { line: pos.Line, column: pos.Column - 1, offset: offsetOf(text, pos.Line, pos.Column) } : { line: 1, column: 0, offset: 0 };
      const spec = findingSpec('JSON_SYNTAX_ERROR');
      return {
        type,
        detected: options.type === undefined,
        findings: [{ id: spec.id, severity: 'ERROR', message: `${d?.message ?? 'This policy contains invalid Json'}: fix the JSON syntax at line ${span.line}, column ${span.column + 1}.`, locations: [{ path: [], span: { start: span, end: span } }], learnMoreLink: spec.learnMoreLink }],
        notes: [],
      };
    }
    locator = loc;
  } else locator = valueLocator();

  const type = options.type ?? detectType(raw);
  const findings: Finding[] = [];
  const notes: string[] = [];
  const parsed = parsePolicy(doc, { type });
  const diagnostics = parsed.ok ? parsed.warnings : [...parsed.errors, ...parsed.warnings];
  for (const d of diagnostics) {
    const m = mapDiagnostic(d);
    const spec = findingSpec(m.id);
    findings.push({ id: m.id, severity: d.severity === 'error' ? 'ERROR' : 'WARNING', message: m.message, locations: [locator.locate(locator.fromEnginePath(d.path))], learnMoreLink: spec.learnMoreLink });
  }

  let policy: Policy | undefined = parsed.ok ? parsed.policy : undefined;
  let neutralized = new Set<number>();
  if (!policy) {
    // Only the mistakes the checks understand are repaired; any other error stops here.
    const understood = !findings.some((f) => f.severity === 'ERROR' && (f.id === 'MALFORMED_POLICY_DOCUMENT' || f.id === 'JSON_SYNTAX_ERROR'));
    const fixed = understood ? repair(raw, type) : undefined;
    const again = fixed ? parsePolicy(fixed.doc, { type }) : undefined;
    if (fixed && again?.ok) {
      policy = again.policy;
      neutralized = fixed.neutralized;
    } else notes.push('Semantic checks skipped: fix the grammar errors first.');
  }
  if (policy) {
    const a = new Analysis({ raw, locator, type, policy, neutralized, options, ...(text !== undefined ? { text } : {}) });
    findings.push(...semanticChecks(a));
    notes.push(...a.notes);
  }
  return { type, detected: options.type === undefined, findings: sortFindings(dedupe(findings)), notes: [...new Set(notes)] };
}

function semanticChecks(a: Analysis): Finding[] {
  switch (a.type) {
    case 'trust':
      return [
        ...checkTrustSize(a),
        ...reachChecks(a),
        ...checkOidc(a),
        ...checkFederationActions(a),
        ...checkSensitiveWithoutMfa(a),
        ...checkMfaBypass(a),
        ...checkSessionDuration(a),
        ...checkTrustActionWildcards(a),
        ...checkConditionPitfalls(a),
        ...checkOrphanedAndRedundant(a),
      ];
    case 'resource':
      return [...checkAllowNotPrincipal(a), ...checkMfaBypass(a), ...checkConditionPitfalls(a), ...checkOrphanedAndRedundant(a)];
    default:
      return [...checkMfaBypass(a), ...checkConditionPitfalls(a), ...checkOrphanedAndRedundant(a)];
  }
}

function offsetOf(text: string, line: number, column: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) break;
    off = nl + 1;
  }
  return off + column - 1;
}
