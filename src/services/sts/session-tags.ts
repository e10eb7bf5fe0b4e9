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
  if ((transitiveKeys?.length ?? 0) > 50) throw new AwsError('ValidationError', `1 validation error detected: Value at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to 50`);
  const seen = new Set<string>();
  for (const t of tags) {
    checkTagText(t);
    const k = t.Key.toLowerCase();
    if (seen.has(k)) throw new AwsError('InvalidParameterValue', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
  }
  const passedKeys = new Set(tags.map((t) => t.Key.toLowerCase()));
  for (const k of transitiveKeys ?? []) {
    if (!passedKeys.has(k.toLowerCase())) throw new AwsError('InvalidParameterValue', 'The specified transitive tag key must be included in the requested tags.');
  }
  const inheritedTransitive = inherited ? inherited.tags.filter((t) => inherited.transitiveTagKeys.some((k) => k.toLowerCase() === t.Key.toLowerCase())) : [];
  for (const t of inheritedTransitive) {
    if (passedKeys.has(t.Key.toLowerCase())) {
      throw new AwsError('InvalidParameterValue', "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.");
    }
  }
  const allTags = [...tags, ...inheritedTransitive];
  if (allTags.length > 50) throw new AwsError('InvalidParameterValue', 'The number of session tags, including inherited transitive tags, cannot exceed 50.');
  const transitive = [...(transitiveKeys ?? []), ...inheritedTransitive.map((t) => t.Key)];
  return { tags: allTags, transitiveTagKeys: transitive, inherited: inheritedTransitive };
}

const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * The naming rules of session tags (id_tags.html, "Naming tags"; id_session-tags.html: "can fail
 * if ... session tag keys exceed 128 characters ... values exceed 256"). The request's Tags
 * parameter meets the lengths and characters already (the model checks them first, with
 * ValidationError); tags an identity provider passes (OIDC claims, SAML attributes) meet them here.
 * The `aws:` prefix is reserved for every kind.
 */
function checkTagText(t: Tag): void {
  if (t.Key.length < 1 || t.Key.length > 128 || !TAG_CHARS.test(t.Key)) {
    throw new AwsError('InvalidParameterValue', 'Session tag keys must be 1 to 128 characters of letters, digits, spaces and _.:/=+-@.');
  }
  if (t.Value.length > 256 || !TAG_CHARS.test(t.Value)) {
    throw new AwsError('InvalidParameterValue', `The value of session tag ${t.Key} must be at most 256 characters of letters, digits, spaces and _.:/=+-@.`);
  }
  if (t.Key.toLowerCase().startsWith('aws:')) throw new AwsError('InvalidParameterValue', 'User-defined tag keys can\'t start with "aws:". This prefix is reserved for AWS tags.');
}

/** Role tags overridden by session tags of the same key (case-insensitive): the principal tags. */
export function principalTags(roleTags: readonly Tag[], sessionTags: readonly Tag[]): Tag[] {
  const out = roleTags.filter((r) => !sessionTags.some((s) => s.Key.toLowerCase() === r.Key.toLowerCase()));
  return [...out, ...sessionTags];
}
