/**
 * A model of STS's PackedPolicySize: how full the session's packed policy space is, in percent.
 *
 * AWS compresses the session policies and session tags "into a packed binary format that has a
 * separate limit" and reports the result as PackedPolicySize; a request over 100 % fails with
 * PackedPolicyTooLarge (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
 * AWS's exact formula is not public, so this is a model, not a copy. Policies and tags add up
 * (AWS reports 37 % for a set of custom tags, 74 % for an EKS Pod Identity session's inherited
 * tags, 112 % for both: aws/containers-roadmap#2413):
 *
 *   policies = each session policy minified (JSON re-serialized without whitespace; text that is
 *              not JSON as given), joined by "\n", raw DEFLATE (level 9, no dictionary), in bytes
 *   tags     = UTF-8 bytes of every tag key and value, and of every transitive tag key
 *   percent  = ceil(100 * policies / PACKED_POLICY_BUDGET_BYTES + 100 * tags / PACKED_TAGS_BUDGET_BYTES),
 *              0 when there is nothing to pack
 *
 * The policy budget is chosen so that a typical 2,048-character inline policy (the AssumeRole
 * plaintext maximum) lands around 40-50 %, and that a session cannot carry more than a few KB of
 * compressed policy text (which keeps session tokens well under MAX_TOKEN_CHARS). Minifying first
 * makes the figure independent of indentation, as in AWS where whitespace does not count. The
 * tag budget puts EKS Pod Identity's six transitive tags, with everyday values, at AWS's 74 %:
 * tags fill the space far sooner than policies, which is why sessions with a few long tags fail
 * long before the 50-tag limit (aws-actions/configure-aws-credentials#1803).
 *
 * INVARIANT: pure and deterministic: same inputs, same percentage, on every node.
 */
import { deflateRawSync } from 'node:zlib';
import type { Tag } from '../store/ports.js';

export const PACKED_POLICY_BUDGET_BYTES = 1_600;
export const PACKED_TAGS_BUDGET_BYTES = 500;

export function packedPolicySizePercent(sessionPolicies: readonly string[], tags: readonly Tag[], transitiveTagKeys: readonly string[] = []): number {
  if (sessionPolicies.length === 0 && tags.length === 0) return 0;
  const policyBytes = sessionPolicies.length === 0 ? 0 : deflateRawSync(Buffer.from(sessionPolicies.map(minify).join('\n'), 'utf8'), { level: 9 }).length;
  let tagBytes = 0;
  for (const t of tags) tagBytes += Buffer.byteLength(t.Key, 'utf8') + Buffer.byteLength(t.Value, 'utf8');
  for (const k of transitiveTagKeys) tagBytes += Buffer.byteLength(k, 'utf8');
  return Math.ceil((100 * policyBytes) / PACKED_POLICY_BUDGET_BYTES + (100 * tagBytes) / PACKED_TAGS_BUDGET_BYTES);
}

function minify(policy: string): string {
  try {
    return JSON.stringify(JSON.parse(policy));
  } catch {
    return policy;
  }
}
