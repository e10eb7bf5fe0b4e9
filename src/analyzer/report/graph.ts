/**
 * who-can-assume / what-can-assume answers as text for people, JSON, and graphs (Mermaid, DOT).
 * Cross-account edges are dashed; edge labels say what the request must carry.
 */
import type { AssumeAnswer, AssumeEdge, AssumeNode, EdgeCondition } from '../assume-graph.js';

export function describeCondition(c: EdgeCondition): string {
  const v = Array.isArray(c.value) ? `[${c.value.map((x) => JSON.stringify(String(x))).join(', ')}]` : JSON.stringify(String(c.value));
  switch (c.kind) {
    case 'mfa':
      return c.key.toLowerCase() === 'aws:multifactorauthpresent' ? 'MFA' : `MFA (${c.key} = ${v})`;
    case 'external-id':
      return `external id ${v}`;
    case 'source-identity':
      return `source identity ${v}`;
    default: {
      // A pattern or a choice reads as such (the witness is one value that passes).
      const t = c.test;
      if (t && (/like/i.test(t.operator) || t.values.length > 1)) {
        const vs = t.values.length === 1 ? JSON.stringify(t.values[0]) : `[${t.values.map((x) => JSON.stringify(x)).join(', ')}]`;
        return `${c.key} ${t.operator} ${vs}`;
      }
      return `${c.key} = ${v}`;
    }
  }
}

function edgeNeeds(e: AssumeEdge): string {
  return e.conditions.length ? e.conditions.map(describeCondition).join(', ') : 'nothing more';
}

const short = (id: string) => (id.startsWith('arn:') ? id.slice(id.lastIndexOf('/') + 1) : id.replace(/^(service|federated|account):/, ''));

export function formatAnswerText(a: AssumeAnswer, opts: { color?: boolean; stats?: string } = {}): string {
  const c = (code: string, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const lines: string[] = [];
  const cross = a.results.filter((r) => r.crossAccount).length;
  lines.push(c('1', a.direction === 'who' ? `Who can assume ${a.subject.label}` : `What ${a.subject.label} can assume`));
  lines.push(c('2', `  ${a.results.length} ${a.direction === 'who' ? 'principal' : 'role'}${a.results.length === 1 ? '' : 's'}, ${cross} across accounts${opts.stats ? `; ${opts.stats}` : ''}`));
  lines.push('');
  if (!a.results.length) lines.push(a.direction === 'who' ? '  nobody: no principal of the inventory, and no principal the trust policy names, gets in' : '  nothing');
  for (const r of a.results) {
    const k = a.direction === 'who' ? r.node.kind : 'role';
    const kind = k.length < 9 ? k.padEnd(9) : `${k} `; // 'federated' is as long as the column
    const tags = [r.crossAccount ? c('35', 'cross-account') : '', r.node.external ? c('2', 'outside the inventory') : ''].filter(Boolean).join(' ');
    lines.push(`  ${c('1', kind)}${r.node.label}${tags ? `  ${tags}` : ''}`);
    for (const p of r.paths) {
      if (!p.chained) {
        lines.push(`           direct; needs ${edgeNeeds(p.edges[0] as AssumeEdge)}${p.edges[0]?.action !== 'sts:AssumeRole' ? ` (${p.edges[0]?.action})` : ''}`);
        continue;
      }
      const via = (a.direction === 'who' ? p.nodes.slice(1, -1) : p.nodes.slice(1, -1)).map(short).join(' → ');
      lines.push(`           via ${via} (${p.edges.length} hops; role chaining: chained sessions last at most 1 h)`);
      p.edges.forEach((e, i) => lines.push(c('2', `             hop ${i + 1} ${short(e.from)} → ${short(e.to)}: needs ${edgeNeeds(e)}${e.crossAccount ? ', cross-account' : ''}`)));
    }
  }
  for (const n of a.notes) lines.push(c('2', `  note: ${n}`));
  return lines.join('\n') + '\n';
}

export function formatAnswerJson(a: AssumeAnswer): string {
  return (
    JSON.stringify(
      {
        direction: a.direction,
        subject: a.subject,
        results: a.results.map((r) => ({
          ...r.node,
          distance: r.distance,
          crossAccount: r.crossAccount,
          paths: r.paths.map((p) => ({ nodes: p.nodes, chained: p.chained, crossAccount: p.crossAccount, hops: p.edges.map((e) => ({ from: e.from, to: e.to, action: e.action, crossAccount: e.crossAccount, statement: e.statement, conditions: e.conditions })) })),
        })),
        graph: { nodes: a.nodes, edges: a.edges },
        notes: a.notes,
      },
      null,
      2,
    ) + '\n'
  );
}

function nodeText(n: AssumeNode): string {
  const name = n.kind === 'user' || n.kind === 'role' ? short(n.id) : n.label;
  return `${n.kind} ${name}${n.account && n.kind !== 'account' ? ` (${n.account})` : ''}`;
}

const mermaidEscape = (s: string) => s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');

export function formatMermaid(a: AssumeAnswer): string {
  const ids = new Map(a.nodes.map((n, i) => [n.id, `n${i}`]));
  const shape = (n: AssumeNode) => {
    const t = `"${mermaidEscape(nodeText(n))}"`;
    switch (n.kind) {
      case 'user':
        return `(${t})`;
      case 'service':
        return `{{${t}}}`;
      case 'federated':
        return `[/${t}/]`;
      case 'account':
        return `[(${t})]`;
      case 'anyone':
        return `((${t}))`;
      default:
        return `[${t}]`;
    }
  };
  const lines = ['graph LR'];
  for (const n of a.nodes) lines.push(`  ${ids.get(n.id)}${shape(n)}`);
  const seen = new Set<string>();
  for (const e of a.edges) {
    const k = `${e.from}\u0000${e.to}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const label = [e.crossAccount ? 'cross-account' : '', ...e.conditions.map(describeCondition)].filter(Boolean).join(', ');
    const arrow = e.crossAccount ? '-.->' : '-->';
    lines.push(`  ${ids.get(e.from)} ${arrow}${label ? `|"${mermaidEscape(label)}"|` : ''} ${ids.get(e.to)}`);
  }
  lines.push(`  style ${ids.get(a.subject.id)} stroke-width:3px`);
  return lines.join('\n') + '\n';
}

const dotEscape = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

export function formatDot(a: AssumeAnswer): string {
  const shape: Record<string, string> = { user: 'ellipse', role: 'box', service: 'hexagon', federated: 'parallelogram', account: 'cylinder', anyone: 'doublecircle' };
  const lines = ['digraph assume {', '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  for (const n of a.nodes) lines.push(`  "${dotEscape(n.id)}" [label="${dotEscape(nodeText(n))}", shape=${shape[n.kind] ?? 'box'}${n.id === a.subject.id ? ', penwidth=3' : ''}${n.external ? ', style=dashed' : ''}];`);
  const seen = new Set<string>();
  for (const e of a.edges) {
    const k = `${e.from}\u0000${e.to}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const label = [e.crossAccount ? 'cross-account' : '', ...e.conditions.map(describeCondition)].filter(Boolean).join('\\n');
    lines.push(`  "${dotEscape(e.from)}" -> "${dotEscape(e.to)}" [label="${dotEscape(label).replace(/\\\\n/g, '\\n')}"${e.crossAccount ? ', style=dashed' : ''}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
