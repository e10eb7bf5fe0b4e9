#!/usr/bin/env node
/**
 * Re-extracts the AWS service models Rolecall speaks (IAM, STS, CloudTrail, IAM Access Analyzer) from the botocore
 * package installed for python3, and regenerates everything derived from them:
 *
 *   models/{iam,sts,cloudtrail,accessanalyzer}.json   documentation-stripped, minified service models
 *   models/{iam,sts,cloudtrail}.paginators.json
 *   models/LICENSE-botocore.txt, NOTICE-botocore, PROVENANCE.json
 *   src/protocol/models/{iam,sts,cloudtrail}.ts      the same model as a pure TS data module
 *   src/protocol/generated/{svc}-types.ts            input/output interfaces + operation map
 *   src/protocol/generated/{svc}-errors.ts           wire error code -> HTTP status, Sender
 *
 * Usage: node scripts/update-models.mjs [--botocore DIR] [--check]
 *   --botocore DIR  the botocore package directory (default: asks `python3 -c "import botocore"`)
 *   --check         regenerate in memory and fail if any committed output differs
 *
 * botocore is Apache-2.0; its LICENSE and NOTICE are copied beside the models, and every
 * derived file says it was modified (Apache-2.0 section 4).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVICES = [
  { name: 'iam', dir: 'iam/2010-05-08', prefix: 'Iam', constName: 'IAM' },
  { name: 'sts', dir: 'sts/2011-06-15', prefix: 'Sts', constName: 'STS' },
  { name: 'cloudtrail', dir: 'cloudtrail/2013-11-01', prefix: 'CloudTrail', constName: 'CLOUDTRAIL' },
  { name: 'accessanalyzer', dir: 'accessanalyzer/2019-11-01', prefix: 'AccessAnalyzer', constName: 'ACCESSANALYZER' },
];
/** Keys that only carry prose for humans; removing them changes no wire behaviour. */
const DOC_ONLY_KEYS = ['documentation', 'documentationUrl', 'deprecatedMessage'];

const args = process.argv.slice(2);
const check = args.includes('--check');
const botocoreArg = args.indexOf('--botocore') >= 0 ? args[args.indexOf('--botocore') + 1] : undefined;

function locateBotocore() {
  if (botocoreArg) {
    const version = /__version__ = '([^']+)'/.exec(readFileSync(join(botocoreArg, '__init__.py'), 'utf8'))?.[1];
    return { dir: botocoreArg, version };
  }
  const out = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__)); print(botocore.__version__)'], { encoding: 'utf8' });
  const [dir, version] = out.trim().split('\n');
  return { dir, version };
}

function stripDocs(value, stripped) {
  if (Array.isArray(value)) return value.map((v) => stripDocs(v, stripped));
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    if (DOC_ONLY_KEYS.includes(k)) {
      stripped.add(k);
      continue;
    }
    out[k] = stripDocs(v, stripped);
  }
  return out;
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** Finds the dist-info folder beside botocore to copy LICENSE and NOTICE verbatim. */
function licenseFiles(botocoreDir, version) {
  const site = dirname(botocoreDir);
  const distInfo = join(site, `botocore-${version}.dist-info`);
  const pick = (...names) => names.map((n) => join(distInfo, n)).concat(names.map((n) => join(distInfo, 'licenses', n))).find((p) => existsSync(p));
  const license = pick('LICENSE.txt', 'LICENSE');
  const notice = pick('NOTICE');
  if (!license || !notice) throw new Error(`LICENSE/NOTICE not found in ${distInfo}`);
  return { license: readFileSync(license, 'utf8'), notice: readFileSync(notice, 'utf8') };
}

// ---------------------------------------------------------------- TypeScript generation

const TS_RESERVED = new Set(['Date', 'Uint8Array', 'Record', 'Partial', 'Array', 'String', 'Number', 'Boolean', 'Object', 'Error', 'Map', 'Set', 'Promise', 'Function', 'Symbol', 'JSON', 'Math', 'void', 'never', 'unknown', 'any', 'string', 'number', 'boolean', 'object', 'undefined', 'null', 'type', 'interface', 'class', 'enum', 'default', 'delete', 'new', 'function', 'var', 'let', 'const', 'in', 'of', 'do', 'if', 'for', 'while', 'switch', 'case', 'break', 'continue', 'return', 'throw', 'try', 'catch', 'finally', 'with', 'yield', 'export', 'import', 'extends', 'super', 'this', 'typeof', 'instanceof']);

function generateTypes(svc, model, version) {
  const shapes = model.shapes;
  const tsName = (name) => (TS_RESERVED.has(name) ? `${svc.prefix}${name}` : name);
  const reachable = new Set();
  const visit = (name) => {
    if (reachable.has(name)) return;
    reachable.add(name);
    const s = shapes[name];
    if (s.type === 'structure') for (const m of Object.values(s.members)) visit(m.shape);
    else if (s.type === 'list') visit(s.member.shape);
    else if (s.type === 'map') {
      visit(s.key.shape);
      visit(s.value.shape);
    }
  };
  const ops = Object.keys(model.operations).sort();
  for (const op of ops) {
    const o = model.operations[op];
    if (o.input) visit(o.input.shape);
    if (o.output) visit(o.output.shape);
  }
  const typeOf = (name) => {
    const s = shapes[name];
    switch (s.type) {
      case 'structure':
        return tsName(name);
      case 'string':
        return s.enum ? tsName(name) : 'string';
      case 'integer':
      case 'long':
      case 'double':
      case 'float':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'timestamp':
        return 'Date';
      case 'blob':
        return 'Uint8Array';
      case 'list': {
        const inner = typeOf(s.member.shape);
        return /[ |]/.test(inner) ? `Array<${inner}>` : `${inner}[]`;
      }
      case 'map': {
        const k = shapes[s.key.shape].enum ? tsName(s.key.shape) : 'string';
        return k === 'string' ? `Record<string, ${typeOf(s.value.shape)}>` : `Partial<Record<${k}, ${typeOf(s.value.shape)}>>`;
      }
      default:
        throw new Error(`unsupported shape type ${s.type} (${name})`);
    }
  };
  const lines = [];
  lines.push(`// GENERATED by scripts/update-models.mjs from botocore ${version} (${svc.dir}); do not edit.`);
  lines.push(`// Derived from the AWS service model (Apache-2.0, see models/LICENSE-botocore.txt); modified: types only.`);
  lines.push('/* eslint-disable */');
  lines.push('');
  const names = [...reachable].sort();
  for (const name of names) {
    const s = shapes[name];
    if (s.type === 'string' && s.enum) {
      lines.push(`export type ${tsName(name)} = ${s.enum.map((v) => JSON.stringify(v)).join(' | ')};`);
    }
  }
  lines.push('');
  for (const name of names) {
    const s = shapes[name];
    if (s.type !== 'structure') continue;
    const req = new Set(s.required ?? []);
    const members = Object.entries(s.members);
    if (members.length === 0) {
      lines.push(`export interface ${tsName(name)} {}`);
      continue;
    }
    lines.push(`export interface ${tsName(name)} {`);
    for (const [m, ref] of members) {
      const dep = ref.deprecated ? '/** @deprecated */ ' : '';
      lines.push(`  ${dep}${m}${req.has(m) ? '' : '?'}: ${typeOf(ref.shape)};`);
    }
    lines.push('}');
  }
  lines.push('');
  lines.push(`/** Every ${model.metadata.serviceId} operation with its input and output types (void: the output is empty). */`);
  lines.push(`export interface ${svc.prefix}Operations {`);
  for (const op of ops) {
    const o = model.operations[op];
    const input = o.input ? tsName(o.input.shape) : 'Record<string, never>';
    const output = o.output ? tsName(o.output.shape) : 'void';
    lines.push(`  ${op}: { input: ${input}; output: ${output} };`);
  }
  lines.push('}');
  lines.push(`export type ${svc.prefix}OperationName = keyof ${svc.prefix}Operations;`);
  lines.push('');
  return lines.join('\n');
}

function errorTable(model) {
  const rows = [];
  for (const [name, s] of Object.entries(model.shapes)) {
    if (!s.exception) continue;
    const code = s.error?.code ?? name;
    const status = s.error?.httpStatusCode ?? (s.fault ? 500 : 400);
    const sender = s.error ? s.error.senderFault === true : !s.fault;
    rows.push({ code, status, sender, shape: name });
  }
  rows.sort((a, b) => (a.code < b.code ? -1 : 1));
  return rows;
}

function generateErrors(svc, model, version) {
  const rows = errorTable(model);
  const lines = [];
  lines.push(`// GENERATED by scripts/update-models.mjs from botocore ${version} (${svc.dir}); do not edit.`);
  lines.push(`// Derived from the AWS service model (Apache-2.0, see models/LICENSE-botocore.txt); modified: error table only.`);
  lines.push("import type { ModeledErrorSpec } from '../wire.js';");
  lines.push('');
  lines.push(`/**`);
  lines.push(` * ${model.metadata.serviceId}'s modeled errors by wire code (the model's \`error.code\`, else the shape name):`);
  lines.push(` * HTTP status (\`error.httpStatusCode\`, else 400) and whether the sender is at fault (<Type>Sender</Type>).`);
  lines.push(` */`);
  lines.push(`export const ${svc.constName}_ERRORS = {`);
  for (const r of rows) lines.push(`  ${r.code}: { status: ${r.status}, sender: ${r.sender}, shape: '${r.shape}' },`);
  lines.push('} as const satisfies Record<string, ModeledErrorSpec>;');
  lines.push(`export type ${svc.prefix}ErrorCode = keyof typeof ${svc.constName}_ERRORS;`);
  lines.push('');
  return lines.join('\n');
}

function generateDataModule(svc, modelText, paginatorsText, version) {
  return [
    `// GENERATED by scripts/update-models.mjs from botocore ${version} (${svc.dir}); do not edit.`,
    `// The AWS ${svc.name} service model, Apache-2.0 (models/LICENSE-botocore.txt, models/NOTICE-botocore).`,
    `// Modified: ${DOC_ONLY_KEYS.join(', ')} stripped, minified. Kept as a JSON string so that the type checker`,
    `// parses one literal instead of inferring a type for ~${Math.round(modelText.length / 1024)} KB of object literal.`,
    "import type { PaginatorsModel, ServiceModel } from '../model-types.js';",
    '',
    `export const ${svc.constName}_MODEL_SHA256 = '${sha256(modelText)}';`,
    `export const ${svc.constName}_MODEL: ServiceModel = JSON.parse(${JSON.stringify(modelText)}) as ServiceModel;`,
    `export const ${svc.constName}_PAGINATORS: PaginatorsModel = JSON.parse(${JSON.stringify(paginatorsText)}) as PaginatorsModel;`,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------- main

const { dir: botocoreDir, version } = locateBotocore();
const outputs = new Map(); // relative path -> content
const provenanceFiles = [];
const strippedKeys = new Set();

for (const svc of SERVICES) {
  const srcModel = join(botocoreDir, 'data', svc.dir, 'service-2.json.gz');
  const srcPag = join(botocoreDir, 'data', svc.dir, 'paginators-1.json');
  const raw = JSON.parse(gunzipSync(readFileSync(srcModel)).toString('utf8'));
  const stripped = stripDocs(raw, strippedKeys);
  const notice = `Modified by Rolecall from botocore ${version} data/${svc.dir}/service-2.json.gz: ${DOC_ONLY_KEYS.join(', ')} removed, minified. Apache-2.0.`;
  const model = { _notice: notice, ...stripped };
  const modelText = JSON.stringify(model);
  const pag = JSON.parse(readFileSync(srcPag, 'utf8'));
  const pagText = JSON.stringify({ _notice: notice.replace('service-2.json.gz', 'paginators-1.json').replace(`${DOC_ONLY_KEYS.join(', ')} removed, `, ''), ...pag });

  outputs.set(`models/${svc.name}.json`, modelText + '\n');
  outputs.set(`models/${svc.name}.paginators.json`, pagText + '\n');
  outputs.set(`src/protocol/models/${svc.name}.ts`, generateDataModule(svc, modelText, pagText, version));
  outputs.set(`src/protocol/generated/${svc.name}-types.ts`, generateTypes(svc, model, version));
  outputs.set(`src/protocol/generated/${svc.name}-errors.ts`, generateErrors(svc, model, version));
  provenanceFiles.push({
    service: svc.name,
    source: `botocore/data/${svc.dir}/service-2.json.gz`,
    sourceSha256: sha256(readFileSync(srcModel)),
    output: `models/${svc.name}.json`,
    paginators: { source: `botocore/data/${svc.dir}/paginators-1.json`, output: `models/${svc.name}.paginators.json` },
    operations: Object.keys(model.operations).length,
    shapes: Object.keys(model.shapes).length,
  });
}

const lic = licenseFiles(botocoreDir, version);
outputs.set('models/LICENSE-botocore.txt', lic.license);
outputs.set('models/NOTICE-botocore', lic.notice);

const provenance = {
  source: 'botocore (pip package), https://github.com/boto/botocore',
  botocore: version,
  license: 'Apache-2.0 (models/LICENSE-botocore.txt, models/NOTICE-botocore)',
  stripped: [...strippedKeys].sort(),
  modifications: 'documentation-only keys removed, JSON minified, a top-level _notice added; nothing else changed',
  generator: 'scripts/update-models.mjs',
  files: provenanceFiles.map((f) => ({ ...f, outputSha256: sha256(outputs.get(f.output)), paginators: { ...f.paginators, outputSha256: sha256(outputs.get(f.paginators.output)) } })),
  generated: [...outputs.keys()].filter((p) => p.startsWith('src/')).map((p) => ({ path: p, sha256: sha256(outputs.get(p)) })),
};

let differs = 0;
const writeOut = (rel, content) => {
  const abs = join(ROOT, rel);
  const old = existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
  if (old === content) return;
  differs++;
  if (check) {
    console.error(`out of date: ${rel}`);
    return;
  }
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, content);
  console.log(`wrote ${rel} (${content.length} bytes)`);
};
for (const [rel, content] of outputs) writeOut(rel, content);

// PROVENANCE.json keeps the date of the last change, so re-running on the same botocore is a no-op.
const provPath = join(ROOT, 'models/PROVENANCE.json');
const oldProv = existsSync(provPath) ? JSON.parse(readFileSync(provPath, 'utf8')) : undefined;
const { date: oldDate, ...oldRest } = oldProv ?? {};
const same = oldProv && JSON.stringify(oldRest) === JSON.stringify(provenance);
const provText = JSON.stringify({ ...provenance, date: same ? oldDate : new Date().toISOString().slice(0, 10) }, null, 2) + '\n';
writeOut('models/PROVENANCE.json', provText);

if (check && differs) {
  console.error(`${differs} file(s) differ from botocore ${version}; run node scripts/update-models.mjs`);
  process.exit(1);
}
console.log(`${check ? 'checked' : 'done'}: botocore ${version} from ${botocoreDir}, ${differs} file(s) ${check ? 'differ' : 'changed'}`);
