/**
 * IAM tags: at most 50 per resource, keys 1..128 and values 0..256 characters of
 * `[\p{L}\p{Z}\p{N}_.:/=+\-@]`, keys unique case-insensitively, `aws:` prefix reserved.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
 */
import { AwsError } from '../../../domain/aws-error.js';
import type { Tag } from '../../../store/ports.js';

const CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export function validateTags(tags: Tag[] | undefined): Tag[] {
  const list = tags ?? [];
  if (list.length > 50) throw new AwsError('LimitExceeded', 'The number of tags has reached the maximum limit.');
  const seen = new Set<string>();
  for (const t of list) {
    if (typeof t.Key !== 'string' || t.Key.length < 1 || t.Key.length > 128 || !CHARS.test(t.Key)) {
      throw new AwsError('InvalidInput', `Invalid tag key: ${String(t.Key)}`);
    }
    if (typeof t.Value !== 'string' || t.Value.length > 256 || !CHARS.test(t.Value)) {
      throw new AwsError('InvalidInput', `Invalid tag value for key ${t.Key}`);
    }
    if (t.Key.toLowerCase().startsWith('aws:')) throw new AwsError('InvalidInput', 'User-defined tag keys can\'t start with "aws:". This prefix is reserved for AWS tags.');
    const lk = t.Key.toLowerCase();
    if (seen.has(lk)) throw new AwsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(lk);
  }
  return list.map((t) => ({ Key: t.Key, Value: t.Value }));
}

/** Adds or replaces tags (keys compared case-insensitively) and enforces the 50-tag cap. */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const out = existing.filter((t) => !added.some((a) => a.Key.toLowerCase() === t.Key.toLowerCase()));
  out.push(...added);
  if (out.length > 50) throw new AwsError('LimitExceeded', 'The number of tags has reached the maximum limit.');
  return out;
}

export function removeTags(existing: Tag[], keys: string[]): Tag[] {
  const drop = new Set(keys.map((k) => k.toLowerCase()));
  return existing.filter((t) => !drop.has(t.Key.toLowerCase()));
}

/** Tags as the List*Tags operations return them: "sorted by tag key" (API_ListRoleTags.html and siblings). */
export function sortedTags(tags: readonly Tag[]): Tag[] {
  return [...tags].sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
}

/** `aws:RequestTag/k` and `aws:TagKeys` for authorizing a request that passes tags. */
export function requestTagKeys(tags: Tag[] | undefined): Record<string, string | string[]> {
  if (!tags || tags.length === 0) return {};
  const ctx: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((t) => t.Key) };
  for (const t of tags) ctx[`aws:RequestTag/${t.Key}`] = t.Value;
  return ctx;
}
