/**
 * Lint results as SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html)
 * for code-scanning tools: one run, one rule per finding id used, one result per finding with
 * its physical location (1-based lines and columns) and its JSON path as a logical location.
 * Security warnings carry a `security-severity` so GitHub code scanning ranks them.
 */
import { FINDINGS, type FindingId } from '../findings.js';
import { pathText } from '../locate.js';
import type { Severity } from '../types.js';
import type { FileResult } from './text.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { ERROR: 'error', SECURITY_WARNING: 'warning', WARNING: 'warning', SUGGESTION: 'note' };
const SECURITY_SEVERITY: Partial<Record<Severity, string>> = { SECURITY_WARNING: '7.5' };

const ruleName = (id: string) => id.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _u, ch: string) => ch.toUpperCase());

export function formatSarif(results: FileResult[], tool: { version: string; informationUri?: string }): string {
  const ids = [...new Set(results.flatMap((r) => r.findings.map((f) => f.id)))].sort();
  const index = new Map(ids.map((id, i) => [id, i]));
  const rules = ids.map((id) => {
    const spec = (FINDINGS as Record<string, { title: string; severity: Severity; learnMoreLink: string }>)[id as FindingId];
    const rule: Record<string, unknown> = {
      id,
      name: ruleName(id),
      shortDescription: { text: spec?.title ?? id },
      helpUri: spec?.learnMoreLink,
      defaultConfiguration: { level: LEVEL[spec?.severity ?? 'WARNING'] },
      properties: { tags: spec?.severity === 'SECURITY_WARNING' ? ['security', 'iam'] : ['iam'], ...(spec && SECURITY_SEVERITY[spec.severity] ? { 'security-severity': SECURITY_SEVERITY[spec.severity] } : {}) },
    };
    return rule;
  });
  const sarifResults = results.flatMap((r) =>
    r.findings.map((f) => {
      const res: Record<string, unknown> = {
        ruleId: f.id,
        ruleIndex: index.get(f.id),
        level: LEVEL[f.severity],
        message: { text: f.message },
        locations: f.locations.map((l) => ({
          physicalLocation: {
            artifactLocation: { uri: r.file },
            ...(l.span ? { region: { startLine: l.span.start.line, startColumn: l.span.start.column + 1, endLine: l.span.end.line, endColumn: l.span.end.column + 1, charOffset: l.span.start.offset, charLength: l.span.end.offset - l.span.start.offset } } : {}),
          },
          logicalLocations: [{ fullyQualifiedName: pathText(l.path) || '(document)', kind: 'element' }],
        })),
        properties: { severity: f.severity, learnMoreLink: f.learnMoreLink, ...(SECURITY_SEVERITY[f.severity] ? { 'security-severity': SECURITY_SEVERITY[f.severity] } : {}), ...(f.witness ? { witness: f.witness } : {}) },
      };
      return res;
    }),
  );
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'rolecall', semanticVersion: tool.version, version: tool.version, ...(tool.informationUri ? { informationUri: tool.informationUri } : {}), rules } },
        artifacts: results.map((r) => ({ location: { uri: r.file }, mimeType: 'application/json' })),
        results: sarifResults,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
