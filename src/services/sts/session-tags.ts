/**
 * Session tags and source identity on AssumeRole: limits, transitive keys, inheritance through
 * role chaining. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
 */
import { AwsError } from '../../domain/aws-error.js';
import type { Tag } from '../../store/ports.js';

export interface ResolvedTags {
  /** The new session's tags: passed tags plus inherited transitive tags. */
  tags: Tag[];
  transitiveTagKeys: string[];
  /** Of those, the transitive tags inherited from the calling session (they also replace the next role's tags of the same key as `aws:ResourceTag`). */
  inherited: Tag[];
}

export function resolveSessionTags(passed: Tag[] | undefined, transitiveKeys: string[] | undefined, inherited: { tags: Tag[]; transitiveTagKeys: string[] } | undefined): ResolvedTags {
  const tags = passed ?? [];
  if (tags.length > 50) throw new AwsError('ValidationError', `1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50`);
  const seen = new Set<string>();
  for (const t of tags) {
    const k = t.Key.toLowerCase();
    if (seen.has(k)) throw new AwsError('InvalidParameterValue', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
  }
  const passedKeys = new Set(tags.map((t) => t.Key.toLowerCase()));
  for (const k of transitiveKeys ?? []) {
    if (!passedKeys.has(k.toLowerCase())) throw new AwsError('InvalidParameterValue', `The transitive tag key ${k} is not one of the session tags passed in the request.`);
  }
  const inheritedTransitive = inherited ? inherited.tags.filter((t) => inherited.transitiveTagKeys.some((k) => k.toLowerCase() === t.Key.toLowerCase())) : [];
  for (const t of inheritedTransitive) {
    if (passedKeys.has(t.Key.toLowerCase())) {
      throw new AwsError('InvalidParameterValue', `One or more tag keys conflict with transitive tag keys set on the session: ${t.Key}`);
    }
  }
  const allTags = [...tags, ...inheritedTransitive];
  if (allTags.length > 50) throw new AwsError('InvalidParameterValue', 'The number of session tags, including inherited transitive tags, cannot exceed 50.');
  const transitive = [...(transitiveKeys ?? []), ...inheritedTransitive.map((t) => t.Key)];
  return { tags: allTags, transitiveTagKeys: transitive, inherited: inheritedTransitive };
}

/** Role tags overridden by session tags of the same key (case-insensitive): the principal tags. */
export function principalTags(roleTags: readonly Tag[], sessionTags: readonly Tag[]): Tag[] {
  const out = roleTags.filter((r) => !sessionTags.some((s) => s.Key.toLowerCase() === r.Key.toLowerCase()));
  return [...out, ...sessionTags];
}
