/**
 * IAM authorizes against entity ARNs that carry the entity's path
 * (`arn:aws:iam::A:user/division/team/NAME`). Operations that only name an entity produce the
 * root-path ARN; this completes it from the store, so a policy on `user/division/*` applies.
 * The entities read for that also give their tags, `aws:ResourceTag/k` of the request
 * (access_iam-tags.html: "control access to IAM users and roles" by their tags).
 */
import type { Store, Tag } from '../store/ports.js';

const IAM_ENTITY_RE = /^arn:aws:iam::(\d{12}):(user|group|role|instance-profile)\/([\w+=,.@-]+)$/;

/** The ARNs with their stored paths, and the tags of the entities that exist (groups have none). */
export async function storedResources(store: Store, arns: string[]): Promise<{ arns: string[]; tags: Tag[] }> {
  const out: string[] = [];
  const tags: Tag[] = [];
  for (const arn of arns) {
    const m = IAM_ENTITY_RE.exec(arn);
    if (!m) {
      out.push(arn);
      continue;
    }
    const [, account, type, name] = m as unknown as [string, string, string, string];
    const entity: { arn: string; tags?: Tag[] } | undefined =
      type === 'user' ? await store.users.get(account, name)
      : type === 'group' ? await store.groups.get(account, name)
      : type === 'role' ? await store.roles.get(account, name)
      : await store.instanceProfiles.get(account, name);
    out.push(entity ? entity.arn : arn);
    if (entity?.tags) tags.push(...entity.tags);
  }
  return { arns: out, tags };
}
