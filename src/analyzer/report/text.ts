/**
 * Lint results for people: per file, findings grouped by severity (most severe first), each with
 * `line:column`, its id, the message, the JSON path, the witness and the AWS page. Colours only
 * when asked (the CLI asks when standard output is a terminal).
 */
import { pathText } from '../locate.js';
import { SEVERITIES, type Finding, type LintResult, type Severity } from '../types.js';

export interface FileResult extends LintResult {
  file: string;
}

const COLOUR: Record<Severity, string> = { ERROR: '31', SECURITY_WARNING: '35', WARNING: '33', SUGGESTION: '36' };
const LABEL: Record<Severity, string> = { ERROR: 'error', SECURITY_WARNING: 'security warning', WARNING: 'warning', SUGGESTION: 'suggestion' };

export function countBySeverity(results: LintResult[]): Record<Severity, number> {
  const n: Record<Severity, number> = { ERROR: 0, SECURITY_WARNING: 0, WARNING: 0, SUGGESTION: 0 };
  for (const r of results) for (const f of r.findings) n[f.severity]++;
  return n;
}

export function formatText(results: FileResult[], opts: { color?: boolean } = {}): string {
  const c = (code: string, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const lines: string[] = [];
  for (const r of results) {
    lines.push(c('1', `${r.file}`) + c('2', ` (${r.type} policy${r.detected ? ', detected' : ''})`));
    if (!r.findings.length) lines.push(`  ${c('32', 'no findings')}`);
    for (const sev of SEVERITIES) {
      const fs = r.findings.filter((f) => f.severity === sev);
      if (!fs.length) continue;
      lines.push(`  ${c(`1;${COLOUR[sev]}`, `${sev} (${fs.length})`)}`);
      for (const f of fs) lines.push(...findingLines(r.file, f, c));
    }
    lines.push('');
  }
  // Notes (checks that could not run) are the same for every file: once, at the end.
  for (const n of [...new Set(results.flatMap((r) => r.notes))]) lines.push(c('2', `note: ${n}`));
  const n = countBySeverity(results);
  const total = SEVERITIES.reduce((s, k) => s + n[k], 0);
  const parts = SEVERITIES.filter((s) => n[s]).map((s) => `${n[s]} ${LABEL[s]}${n[s] === 1 ? '' : 's'}`);
  lines.push(`${total} finding${total === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''} in ${results.length} file${results.length === 1 ? '' : 's'}`);
  return lines.join('\n') + '\n';
}

function findingLines(file: string, f: Finding, c: (code: string, s: string) => string): string[] {
  const loc = f.locations[0];
  const at = loc?.span ? `${file}:${loc.span.start.line}:${loc.span.start.column + 1}` : file;
  const out = [`    ${c(COLOUR[f.severity], f.id)}  ${c('2', at)}`, ...wrap(f.message, 96).map((l) => `      ${l}`)];
  if (loc && loc.path.length) out.push(c('2', `      at ${pathText(loc.path)}`));
  out.push(c('2', `      see ${f.learnMoreLink}`));
  return out;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
