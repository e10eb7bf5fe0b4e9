/** Lint results as JSON: per file the policy type, the findings (ValidatePolicy's location shape plus a readable path) and notes. */
import { pathText } from '../locate.js';
import type { Finding } from '../types.js';
import { countBySeverity, type FileResult } from './text.js';

export function findingJson(f: Finding): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: f.id,
    severity: f.severity,
    message: f.message,
    learnMoreLink: f.learnMoreLink,
    locations: f.locations.map((l) => ({ path: l.path, pathText: pathText(l.path), ...(l.span ? { span: l.span } : {}) })),
  };
  if (f.witness) out.witness = f.witness;
  return out;
}

export function formatJson(results: FileResult[]): string {
  return (
    JSON.stringify(
      {
        files: results.map((r) => ({ file: r.file, type: r.type, detected: r.detected, findings: r.findings.map(findingJson), notes: r.notes })),
        summary: countBySeverity(results),
      },
      null,
      2,
    ) + '\n'
  );
}
