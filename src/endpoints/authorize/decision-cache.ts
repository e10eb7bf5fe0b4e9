/**
 * Decisions of the decision point, remembered per (principal, policies, request) while that is
 * safe. A decision is a pure function of the policy set and the request context, so an entry is
 * reused only when:
 * - no write went through this node's store since it was made (the store's change signal: its
 *   generation is part of the key), and it is younger than the store's read-cache TTL (another
 *   node's write is seen within twice that TTL: once for the store's read cache, once here);
 * - the principal is the same Caller object (the credential memo's: same entity, session
 *   policies, tags and session facts);
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

/** Stable text of a context map (sorted; time-varying keys left out). */
export function contextText(context: Record<string, ContextValue>): string {
  let k = '';
  const names = Object.keys(context).sort();
  for (const n of names) {
    if (VOLATILE_KEYS.has(n.toLowerCase())) continue;
    k += n + '\u0002' + valueText(context[n] as ContextValue) + '\u0001';
  }
  return k;
}

/**
 * The key of a decision for one principal (entries are kept per Caller object, see DecisionCache):
 * the action, resource, resource account, resource policy, and `contextKey`, a text that
 * determines every non-principal, non-time context key (the request's facts and the service's keys).
 */
export function decisionKey(action: string, resource: string, resourceAccount: string | undefined, resourcePolicyText: string | undefined, contextKey: string): string {
  return `${action}\u0001${resource}\u0001${resourceAccount ?? ''}\u0001${resourcePolicyText ?? ''}\u0001${contextKey}`;
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

/**
 * Entries per Caller object. The credential memo (credential-memo.ts) hands out one Caller object
 * per credential for as long as its lookups hold (same generation, within the TTL), so an object
 * stands for one principal with fixed facts (ARN, ids, tags, session policies, MFA, source
 * identity): the principal's context keys need not be in the key. A Caller built afresh (no memo)
 * simply never hits.
 */
export class DecisionCache {
  private byCaller = new WeakMap<Caller, Map<string, Entry>>();
  private readonly max: number;
  private readonly nowMs: () => number;
  private seen = -1;

  constructor(
    readonly signal: ChangeSignal,
    opts: DecisionCacheOptions = {},
  ) {
    this.max = opts.maxEntries ?? 10_000;
    this.nowMs = opts.nowMs ?? Date.now;
  }

  /** The store's generation now; entries made under an older one are dropped at once. */
  generation(): number {
    const g = this.signal.generation();
    if (g !== this.seen) {
      this.byCaller = new WeakMap();
      this.seen = g;
    }
    return g;
  }

  get(caller: Caller, key: string): EvaluationResult | undefined {
    const m = this.byCaller.get(caller);
    const e = m?.get(key);
    if (!e) return undefined;
    if (this.nowMs() - e.at >= this.signal.ttlMs) {
      m?.delete(key);
      return undefined;
    }
    return e.result;
  }

  /** Stores unless the store changed since `generation` was read (a read that raced a write). */
  set(caller: Caller, key: string, generation: number, result: EvaluationResult): void {
    if (this.generation() !== generation) return;
    let m = this.byCaller.get(caller);
    if (!m) {
      m = new Map();
      this.byCaller.set(caller, m);
    }
    if (m.size >= this.max) m.clear();
    m.set(key, { at: this.nowMs(), result });
  }
}
