/**
 * Decisions of the decision point, remembered per (principal, policies, request) while that is
 * safe. A decision is a pure function of the policy set and the request context, so an entry is
 * reused only when:
 * - no write went through this node's store since it was made (the store's change signal: its
 *   generation is part of the key), and it is younger than the store's read-cache TTL (another
 *   node's write is seen within twice that TTL: once for the store's read cache, once here);
 * - the principal is the same entity with the same session policies, tags and session facts
 *   (all in the key, through the principal keys of the context);
 * - the action, resource, resource account, resource policy and every context key are the same;
 * - no policy involved reads a key that changes with time (aws:CurrentTime, aws:EpochTime,
 *   aws:MultiFactorAuthAge): those decisions are never cached, so time keys stay out of the key.
 * A store without a change signal (no read cache) gets no decision cache at all.
 */
import type { Caller } from '../../domain/caller.js';
import type { ContextValue, EvaluationResult, NamedPolicy, PolicySet } from '../../policy/index.js';
import type { ChangeSignal } from '../../store/cached-store.js';

/** Context keys whose value changes from one request to the next for the same principal. */
const VOLATILE_KEYS = new Set(['aws:currenttime', 'aws:epochtime', 'aws:multifactorauthage']);
const VOLATILE_TEXT = /aws:(CurrentTime|EpochTime|MultiFactorAuthAge)/i;

const objectMemo = new WeakMap<object, boolean>();
const textMemo = new Map<string, boolean>();
const TEXT_MEMO_MAX = 5000;

/** Does this policy mention a time-varying key anywhere (conditions or policy variables)? */
function mentionsVolatileKey(p: NamedPolicy['policy']): boolean {
  if (typeof p === 'string') {
    let v = textMemo.get(p);
    if (v === undefined) {
      v = VOLATILE_TEXT.test(p);
      if (textMemo.size >= TEXT_MEMO_MAX) textMemo.clear();
      textMemo.set(p, v);
    }
    return v;
  }
  let v = objectMemo.get(p);
  if (v === undefined) {
    // A compiled policy keeps its parsed model in `.policy`; a parsed model or raw object is plain data.
    const model = 'compiled' in p && (p as { compiled?: unknown }).compiled === true ? (p as { policy: unknown }).policy : p;
    v = VOLATILE_TEXT.test(JSON.stringify(model));
    objectMemo.set(p, v);
  }
  return v;
}

export function timeSensitive(set: PolicySet): boolean {
  const all: Array<NamedPolicy | undefined> = [...(set.identity ?? []), set.resource, set.boundary, ...(set.session ?? []), ...(set.scp ?? []).flat(), ...(set.rcp ?? []).flat()];
  return all.some((np) => np !== undefined && mentionsVolatileKey(np.policy));
}

function valueText(v: ContextValue): string {
  return Array.isArray(v) ? '[' + v.map(String).join('\u0003') : 's' + String(v);
}

/** Everything a decision depends on except the store's contents (covered by the generation). */
export function decisionKey(generation: number, caller: Caller, action: string, resource: string, resourceAccount: string | undefined, resourcePolicyText: string | undefined, context: Record<string, ContextValue>): string {
  const p = caller.principal;
  let k = `${generation}\u0001${caller.kind}\u0001${caller.accountId}\u0001${caller.arn}\u0001${p.id ?? ''}\u0001${p.roleId ?? ''}\u0001${caller.userName ?? ''}\u0001`;
  if (caller.session) k += caller.session.policies.join('\u0002');
  k += `\u0001${action}\u0001${resource}\u0001${resourceAccount ?? ''}\u0001${resourcePolicyText ?? ''}\u0001`;
  const names = Object.keys(context).sort();
  for (const n of names) {
    if (VOLATILE_KEYS.has(n.toLowerCase())) continue;
    k += n + '\u0002' + valueText(context[n] as ContextValue) + '\u0001';
  }
  return k;
}

interface Entry {
  at: number;
  result: EvaluationResult;
}

export interface DecisionCacheOptions {
  maxEntries?: number;
  /** Wall-clock milliseconds (not the request clock: the TTL bounds staleness in real time). */
  nowMs?: () => number;
}

export class DecisionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly max: number;
  private readonly nowMs: () => number;
  private seen = -1;

  constructor(
    readonly signal: ChangeSignal,
    opts: DecisionCacheOptions = {},
  ) {
    this.max = opts.maxEntries ?? 50_000;
    this.nowMs = opts.nowMs ?? Date.now;
  }

  /** The store's generation now; entries made under an older one are dropped at once. */
  generation(): number {
    const g = this.signal.generation();
    if (g !== this.seen) {
      this.entries.clear();
      this.seen = g;
    }
    return g;
  }

  get(key: string): EvaluationResult | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.nowMs() - e.at >= this.signal.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e.result;
  }

  /** Stores unless the store changed since `generation` was read (a read that raced a write). */
  set(key: string, generation: number, result: EvaluationResult): void {
    if (this.signal.generation() !== generation) return;
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { at: this.nowMs(), result });
  }

  get size(): number {
    return this.entries.size;
  }
}
