/**
 * Tag parameters of role and managed-policy operations, with the errors IAM returns (recorded
 * against AWS in 2026):
 * - more than 50 tags, or a key/value too long or with a bad character: `ValidationError`
 *   ("Value at 'tags.1.member.key' failed to satisfy constraint: ..."; IAM does not echo the value);
 * - duplicate keys: `InvalidInput`. Role tag keys are case-insensitive ("Duplicate tag keys
 *   found. Please note that Tag keys are case insensitive."); managed-policy tag keys are
 *   case-sensitive (`a` and `A` may coexist; "Duplicate tag keys found.");
 * - adding tags that would leave more than 50 on the resource: `LimitExceeded`.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
 */
import { AwsError } from '../../../domain/aws-error.js';
import type { Tag } from '../../../store/ports.js';
import { checkFields, PATTERNS, type FieldRule } from './validation.js';

export const MAX_TAGS = 50;

export type TagKeyCase = 'insensitive' | 'sensitive';

const norm = (k: string, c: TagKeyCase) => (c === 'insensitive' ? k.toLowerCase() : k);

/** Model checks of a Tags list (`tags.N.member.key` / `.value`). */
function tagRules(tags: unknown[]): FieldRule[] {
  const out: FieldRule[] = [{ name: 'tags', value: tags, maxLength: MAX_TAGS, showValue: false }];
  tags.forEach((t, i) => {
    const tag = (t ?? {}) as Partial<Tag>;
    out.push({ name: `tags.${i + 1}.member.key`, value: tag.Key, required: true, minLength: 1, maxLength: 128, pattern: PATTERNS.tagKey, showValue: false });
    out.push({ name: `tags.${i + 1}.member.value`, value: tag.Value, required: true, minLength: 0, maxLength: 256, pattern: PATTERNS.tagValue, showValue: false });
  });
  return out;
}

/** Validates a Tags parameter and returns a clean copy. */
export function validateTagList(tags: unknown, keyCase: TagKeyCase, required = false): Tag[] {
  if (tags === undefined || tags === null) {
    if (required) checkFields([{ name: 'tags', value: undefined, required: true }]);
    return [];
  }
  const list = Array.isArray(tags) ? tags : [];
  checkFields(tagRules(list));
  const seen = new Set<string>();
  const out: Tag[] = [];
  for (const t of list as Tag[]) {
    if (t.Key.toLowerCase().startsWith('aws:')) throw new AwsError('InvalidInput', 'User-defined tag keys can\'t start with "aws:". This prefix is reserved for AWS tags.');
    const k = norm(t.Key, keyCase);
    if (seen.has(k)) {
      throw new AwsError('InvalidInput', keyCase === 'insensitive' ? 'Duplicate tag keys found. Please note that Tag keys are case insensitive.' : 'Duplicate tag keys found.');
    }
    seen.add(k);
    out.push({ Key: t.Key, Value: t.Value });
  }
  return out;
}

/** Validates an Untag* `TagKeys` parameter. */
export function validateTagKeys(keys: unknown): string[] {
  if (keys === undefined || keys === null) {
    checkFields([{ name: 'tagKeys', value: undefined, required: true }]);
    return [];
  }
  const list = Array.isArray(keys) ? keys : [];
  checkFields([{ name: 'tagKeys', value: list, maxLength: MAX_TAGS, showValue: false }]);
  for (const k of list) {
    if (typeof k !== 'string' || k.length < 1 || k.length > 128 || !PATTERNS.tagKey.re.test(k)) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ${PATTERNS.tagKey.text}, Member must not be null]`,
      );
    }
  }
  return list as string[];
}

/** Adds or replaces tags (by key, with the resource's key case rule); the result must hold at most 50. */
export function mergeTagList(existing: Tag[], added: Tag[], keyCase: TagKeyCase): Tag[] {
  const out = existing.map((t) => ({ ...t }));
  for (const a of added) {
    const i = out.findIndex((t) => norm(t.Key, keyCase) === norm(a.Key, keyCase));
    if (i >= 0) out[i] = { Key: keyCase === 'insensitive' ? (out[i] as Tag).Key : a.Key, Value: a.Value };
    else out.push({ Key: a.Key, Value: a.Value });
  }
  if (out.length > MAX_TAGS) throw new AwsError('LimitExceeded', 'The number of tags has reached the maximum limit.');
  return out;
}

export function removeTagKeys(existing: Tag[], keys: string[], keyCase: TagKeyCase): Tag[] {
  const drop = new Set(keys.map((k) => norm(k, keyCase)));
  return existing.filter((t) => !drop.has(norm(t.Key, keyCase)));
}

export { resourceTagKeys } from '../../../domain/resource-tags.js';
