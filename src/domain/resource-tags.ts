/**
 * `aws:ResourceTag/k` (and the IAM alias `iam:ResourceTag/k`) for authorizing against a tagged
 * resource: IAM users, roles, policies, instance profiles, identity providers, MFA devices.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html
 */
import type { Tag } from '../store/ports.js';

export function resourceTagKeys(tags: readonly Tag[]): Record<string, string> {
  const ctx: Record<string, string> = {};
  for (const t of tags) {
    ctx[`aws:ResourceTag/${t.Key}`] = t.Value;
    ctx[`iam:ResourceTag/${t.Key}`] = t.Value;
  }
  return ctx;
}
