/** The policies that apply to one request, by kind. */
import type { CompiledPolicy } from './compile.js';
import type { Policy } from './types.js';

/** A policy with the name it is reported under. */
export interface NamedPolicy {
  /** e.g. `PolicyInputList.1`, `arn:aws:iam::123:policy/x`, `role/inline/name`. */
  id: string;
  /** A compiled policy, a model from parsePolicy, or a raw document (object or JSON text), validated on first use. */
  policy: Policy | CompiledPolicy | string | Record<string, unknown>;
  /** Reported source type, e.g. IAM simulator `SourcePolicyType` (`user`, `role`, `resource`, `none`). */
  sourceType?: string;
}


/**
 * Everything that applies to one request. Absent lists mean "this policy type does not apply":
 * no boundary, not a session, no Organizations policies.
 */
export interface PolicySet {
  identity?: NamedPolicy[];
  /** The resource-based policy of the target (for sts:AssumeRole*, the role's trust policy). */
  resource?: NamedPolicy;
  boundary?: NamedPolicy;
  /** Session policies; `[]` for a session without one. Absent when the principal is no session. */
  session?: NamedPolicy[];
  /** SCPs: one list per level (root, OUs, account); each level must allow. */
  scp?: NamedPolicy[][];
  /** RCPs: one list per level, like SCPs, applied to the resource's account. */
  rcp?: NamedPolicy[][];
}

