/**
 * IAM authorizes against entity ARNs that carry the entity's path
 * (`arn:aws:iam::A:user/division/team/NAME`). Operations that only name an entity produce the
 * root-path ARN; this completes it from the store, so a policy on `user/division/*` applies.
 */
import type { Store } from '../store/ports.js';

const IAM_ENTITY_RE = /^arn:aws:iam::(\d{12}):(user|group|role|instance-profile)\/([\w+=,.@-]+)$/;

export async function withStoredPaths(store: Store, arns: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const arn of arns) {
    const m = IAM_ENTITY_RE.exec(arn);
    if (!m) {
      out.push(arn);
      continue;
    }
    const [, account, type, name] = m as unknown as [string, string, string, string];
    const entity =
      type === 'user' ? await store.users.get(account, name)
      : type === 'group' ? await store.groups.get(account, name)
      : type === 'role' ? await store.roles.get(account, name)
      : await store.instanceProfiles.get(account, name);
    out.push(entity ? entity.arn : arn);
  }
  return out;
}
