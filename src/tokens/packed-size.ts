/**
 * A model of STS's PackedPolicySize: how full the session's packed policy space is, in percent.
 *
 * AWS compresses the session policies and session tags "into a packed binary format that has a
 * separate limit" and reports the result as PackedPolicySize; a request over 100 % fails with
 * PackedPolicyTooLarge (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
 * AWS's exact formula is not public, so this is a model, not a copy:
 *
 *   text    = each session policy minified (JSON re-serialized without whitespace; text that is
 *             not JSON as given), joined by "\n", then "\n", then the tags as compact JSON
 *             [{"Key":..,"Value":..}, ...] (tags are counted only when there are any)
 *   packed  = raw DEFLATE (level 9, no preset dictionary) of text, in bytes
 *   percent = ceil(100 * packed / PACKED_POLICY_BUDGET_BYTES), 0 when there is nothing to pack
 *
 * The budget is chosen so that a typical 2,048-character inline policy (the AssumeRole plaintext
 * maximum) lands around 40-50 %, that 50 maximal random tags exceed 100 %, and that a session
 * cannot carry more than a few KB of compressed policy text (which keeps session tokens well
 * under MAX_TOKEN_CHARS). Minifying first makes the figure independent of indentation, as in
 * AWS where whitespace does not count.
 *
 * INVARIANT: pure and deterministic: same inputs, same percentage, on every node.
 */
import { deflateRawSync } from 'node:zlib';
import type { Tag } from '../store/ports.js';

export const PACKED_POLICY_BUDGET_BYTES = 1_600;

export function packedPolicySizePercent(sessionPolicies: readonly string[], tags: readonly Tag[]): number {
  if (sessionPolicies.length === 0 && tags.length === 0) return 0;
  const parts = sessionPolicies.map(minify);
  if (tags.length > 0) parts.push(JSON.stringify(tags.map((t) => ({ Key: t.Key, Value: t.Value }))));
  const packed = deflateRawSync(Buffer.from(parts.join('\n'), 'utf8'), { level: 9 }).length;
  return Math.ceil((100 * packed) / PACKED_POLICY_BUDGET_BYTES);
}

function minify(policy: string): string {
  try {
    return JSON.stringify(JSON.parse(policy));
  } catch {
    return policy;
  }
}
