/**
 * PackedPolicySize on the STS operations that take session policies or tags, and the
 * PackedPolicyTooLarge refusal over 100 %, in the wording AWS uses for what filled the space:
 * "Packed policy consumes N% of allotted space, please use smaller policy." or "Packed size of
 * session tags consumes N% of allotted space." (https://repost.aws/knowledge-center/iam-role-aws-sts-error).
 * The size itself is a model (src/tokens/packed-size.ts).
 */
import { AwsError } from '../../domain/aws-error.js';
import type { Tag } from '../../store/ports.js';
import { packedPolicySizePercent } from '../../tokens/packed-size.js';

/**
 * The session's PackedPolicySize; undefined with neither policies nor tags. Throws
 * PackedPolicyTooLarge over 100. `tags` are all the session's tags (inherited ones included),
 * `transitiveTagKeys` all its transitive keys.
 */
export function checkedPackedPolicySize(policies: readonly string[], tags: readonly Tag[], transitiveTagKeys: readonly string[] = []): number | undefined {
  if (policies.length === 0 && tags.length === 0) return undefined;
  const packed = packedPolicySizePercent(policies, tags, transitiveTagKeys);
  if (packed <= 100) return packed;
  // The policies alone fit: the tags are what filled the space.
  if (tags.length > 0 && packedPolicySizePercent(policies, []) <= 100) {
    throw new AwsError('PackedPolicyTooLarge', `Packed size of session tags consumes ${packed}% of allotted space.`);
  }
  throw new AwsError('PackedPolicyTooLarge', `Packed policy consumes ${packed}% of allotted space, please use smaller policy.`);
}
