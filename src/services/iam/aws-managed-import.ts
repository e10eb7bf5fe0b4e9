/**
 * AWS managed policies (`arn:aws:iam::aws:policy/...`) are AWS's, not an account's: every account
 * can attach them, use them as permissions boundaries or session policies, and none can change
 * them. Rolecall serves them from the reserved account `aws` (the store and the IAM operations
 * already treat it so). None ship with Rolecall: they are imported from what AWS itself returns,
 * `aws iam get-account-authorization-details` (its `Policies`, with every version), so their
 * documents, ids, versions and dates are AWS's own (docs/iam-roles.md, "AWS managed policies").
 *
 * Accepted: the AWS CLI's JSON output (documents decoded into objects, as botocore does), or the
 * API's URL-encoded document strings, or plain JSON text. A policy whose ARN is not an AWS managed
 * policy ARN, or whose documents do not parse as identity policies, is skipped and reported.
 * Importing again adds the versions it does not have yet and moves the default version; nothing
 * is deleted, and attachments are kept.
 */
import { parsePolicy } from '../../policy/index.js';
import type { ManagedPolicyRecord, PolicyVersionRecord, Store } from '../../store/ports.js';
import { parsePolicyArn } from './shared/operation-kit.js';

/** The account AWS managed policies live in (store/sql/policies.ts AWS_ACCOUNT). */
const AWS_ACCOUNT = 'aws';

export interface AwsManagedImportReport {
  imported: string[];
  updated: string[];
  unchanged: string[];
  skipped: Array<{ arn: string; reason: string }>;
}

interface Parsed {
  record: ManagedPolicyRecord;
  versions: PolicyVersionRecord[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A document as the CLI (object), the API (URL-encoded text) or a person (JSON text) gives it. */
function documentText(doc: unknown): string | undefined {
  if (isObject(doc)) return JSON.stringify(doc);
  if (typeof doc !== 'string') return undefined;
  const t = doc.trim();
  if (t.startsWith('{')) return t;
  try {
    return decodeURIComponent(t);
  } catch {
    return undefined;
  }
}

function date(v: unknown): Date | undefined {
  if (typeof v !== 'string' && !(v instanceof Date)) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** One `ManagedPolicyDetail` of get-account-authorization-details, checked; a reason if not importable. */
function parseDetail(p: Record<string, unknown>): Parsed | { arn: string; reason: string } {
  const arn = typeof p.Arn === 'string' ? p.Arn : '';
  const fail = (reason: string) => ({ arn: arn || String(p.PolicyName ?? '?'), reason });
  const parts = parsePolicyArn(arn);
  if (!parts || parts.account !== AWS_ACCOUNT) return fail('not an AWS managed policy ARN (arn:aws:iam::aws:policy/...)');
  const { path, name } = parts;
  if (p.PolicyName !== undefined && p.PolicyName !== name) return fail(`PolicyName ${String(p.PolicyName)} does not match the ARN`);
  if (typeof p.PolicyId !== 'string' || !/^[A-Z0-9]{16,128}$/.test(p.PolicyId)) return fail('PolicyId missing or not an IAM unique id');
  const createdAt = date(p.CreateDate);
  const updatedAt = date(p.UpdateDate) ?? createdAt;
  if (!createdAt || !updatedAt) return fail('CreateDate missing or not a date');
  const list = Array.isArray(p.PolicyVersionList) ? p.PolicyVersionList.filter(isObject) : [];
  if (list.length === 0) return fail('no PolicyVersionList (export with get-account-authorization-details)');
  const versions: PolicyVersionRecord[] = [];
  for (const v of list) {
    const versionId = typeof v.VersionId === 'string' && /^v[1-9][0-9]*$/.test(v.VersionId) ? v.VersionId : undefined;
    const document = documentText(v.Document);
    if (!versionId || document === undefined) return fail('a version without VersionId or Document');
    const parsed = parsePolicy(document, { type: 'identity' });
    if (!parsed.ok) return fail(`${versionId}: ${parsed.errors[0]!.message}`);
    versions.push({ policyArn: arn, versionId, document, isDefault: v.IsDefaultVersion === true, createdAt: date(v.CreateDate) ?? createdAt });
  }
  const defaultVersionId = typeof p.DefaultVersionId === 'string' ? p.DefaultVersionId : versions.find((v) => v.isDefault)?.versionId;
  if (!defaultVersionId || !versions.some((v) => v.versionId === defaultVersionId)) return fail('the default version is not in PolicyVersionList');
  for (const v of versions) v.isDefault = v.versionId === defaultVersionId;
  const record: ManagedPolicyRecord = { accountId: AWS_ACCOUNT, name, path, id: p.PolicyId, arn, createdAt, updatedAt, defaultVersionId, tags: [] };
  if (typeof p.Description === 'string' && p.Description !== '') record.description = p.Description;
  return { record, versions };
}

/** The policies of a get-account-authorization-details answer (or a bare list of them). */
export function awsManagedPolicyDetails(json: unknown): Array<Record<string, unknown>> {
  const list = isObject(json) ? json.Policies : json;
  if (!Array.isArray(list)) throw new Error('expected the output of `aws iam get-account-authorization-details` (an object with "Policies")');
  return list.filter(isObject);
}

/** Imports the AWS managed policies of `json` into the store (see the file comment). */
export async function importAwsManagedPolicies(store: Store, json: unknown): Promise<AwsManagedImportReport> {
  const report: AwsManagedImportReport = { imported: [], updated: [], unchanged: [], skipped: [] };
  for (const detail of awsManagedPolicyDetails(json)) {
    const parsed = parseDetail(detail);
    if (!('record' in parsed)) {
      report.skipped.push(parsed);
      continue;
    }
    const { record, versions } = parsed;
    const existing = await store.policies.get(record.arn);
    if (existing && existing.accountId !== AWS_ACCOUNT) {
      report.skipped.push({ arn: record.arn, reason: 'the ARN belongs to another account in this store' });
      continue;
    }
    if (!existing) {
      const [first, ...rest] = versions.sort((a, b) => Number(a.versionId.slice(1)) - Number(b.versionId.slice(1)));
      await store.transaction(async (tx) => {
        await tx.policies.create({ ...record, defaultVersionId: first!.versionId }, { ...first!, isDefault: true });
        for (const v of rest) await tx.policies.addVersion({ ...v, isDefault: false });
        if (record.defaultVersionId !== first!.versionId) await tx.policies.setDefaultVersion(record.arn, record.defaultVersionId, record.updatedAt);
      });
      report.imported.push(record.arn);
      continue;
    }
    let changed = false;
    await store.transaction(async (tx) => {
      for (const v of versions) {
        if (await tx.policies.getVersion(record.arn, v.versionId)) continue;
        await tx.policies.addVersion({ ...v, isDefault: false });
        changed = true;
      }
      if (existing.defaultVersionId !== record.defaultVersionId) {
        await tx.policies.setDefaultVersion(record.arn, record.defaultVersionId, record.updatedAt);
        changed = true;
      }
      if (changed || (record.description !== undefined && existing.description !== record.description)) {
        await tx.policies.update(record.arn, { updatedAt: record.updatedAt, ...(record.description !== undefined ? { description: record.description } : {}) });
        changed = true;
      }
    });
    (changed ? report.updated : report.unchanged).push(record.arn);
  }
  return report;
}
