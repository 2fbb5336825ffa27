/**
 * Rate limits: fixed windows counted in the store (one atomic round trip for every policy of
 * a route), keyed by the policy's dimensions (`ip`, `user`, `api_key`, `caller`, `route`).
 * Answers carry the legacy `X-RateLimit-*` headers of the tightest policy and the IETF
 * httpapi draft fields `RateLimit-Policy` / `RateLimit` for all of them
 * (draft-ietf-httpapi-ratelimit-headers). When the store cannot answer, each policy applies
 * its declared fail mode and the decision is counted in a metric.
 */
import type { GatewayStore, WindowHit } from '../store/store.ts';
import type { FailMode, RateLimitDimension } from '../config/schema.ts';
import type { Counter } from '../observe/metrics.ts';

export interface CompiledPolicy {
  name: string;
  limit: number;
  windowMs: number;
  by: RateLimitDimension[];
  failMode: FailMode;
  /** `"name";q=100;w=60` */
  policyItem: string;
  /** Pre-bound decision counters. */
  count: Record<'allowed' | 'limited' | 'store_failed_open' | 'store_failed_closed', () => void>;
}

export interface LimitSubject {
  ip: string;
  /** `u:<id>` / `k:<id>` or null when anonymous. */
  scope: string | null;
  userId: string | null;
  apiKeyId: string | null;
  route: string;
}

export type LimitDecision =
  | { kind: 'allowed'; headers: [string, string][] }
  | { kind: 'limited'; headers: [string, string][]; retryAfter: number; policy: CompiledPolicy }
  | { kind: 'store_down'; headers: [string, string][]; policy: CompiledPolicy };

export function compilePolicy(
  name: string,
  limit: number,
  windowMs: number,
  by: RateLimitDimension[],
  failMode: FailMode,
  decisions: Counter,
): CompiledPolicy {
  const bind = (decision: string) => decisions.bind({ policy: name, decision });
  return {
    name,
    limit,
    windowMs,
    by,
    failMode,
    policyItem: `"${name}";q=${limit};w=${Math.ceil(windowMs / 1000)}`,
    count: {
      allowed: bind('allowed'),
      limited: bind('limited'),
      store_failed_open: bind('store_failed_open'),
      store_failed_closed: bind('store_failed_closed'),
    },
  };
}

function keyFor(p: CompiledPolicy, s: LimitSubject): string {
  let key = `rl:${p.name}`;
  for (const d of p.by) {
    switch (d) {
      case 'ip':
        key += `:ip=${s.ip}`;
        break;
      case 'user':
        key += s.userId ? `:u=${s.userId}` : `:ip=${s.ip}`;
        break;
      case 'api_key':
        key += s.apiKeyId ? `:k=${s.apiKeyId}` : `:ip=${s.ip}`;
        break;
      case 'caller':
        key += s.scope ? `:${s.scope}` : `:ip=${s.ip}`;
        break;
      case 'route':
        key += `:r=${s.route}`;
        break;
    }
  }
  return key;
}

/** With a cost, each window's last hit is the count the decision reads. */
const lastHits = (h: WindowHit[], n: number) => (h.length === n ? h : h.slice(-n));

export class RateLimiter {
  #store: GatewayStore;

  constructor(store: GatewayStore) {
    this.#store = store;
  }

  /**
   * Counts one request (`cost` 1) or a request that weighs more (a GraphQL query counts its
   * cost): each window is hit `cost` times in the same store call, so the decision is the one
   * its last unit meets.
   */
  check(
    policies: CompiledPolicy[],
    policyHeader: string,
    s: LimitSubject,
    cost = 1,
  ): LimitDecision | Promise<LimitDecision> {
    const n = policies.length;
    const keys = new Array<string>(n * cost);
    const windows = new Array<number>(n * cost);
    for (let i = 0; i < n; i++) {
      keys[i] = keyFor(policies[i]!, s);
      windows[i] = policies[i]!.windowMs;
    }
    for (let i = n; i < n * cost; i++) {
      keys[i] = keys[i - n]!;
      windows[i] = windows[i - n]!;
    }
    let hits: WindowHit[] | Promise<WindowHit[]>;
    try {
      hits = this.#store.hit(keys, windows);
    } catch {
      return this.#storeDown(policies, policyHeader);
    }
    if (hits instanceof Promise)
      return hits.then(
        (h) => this.#decide(policies, policyHeader, lastHits(h, n)),
        () => this.#storeDown(policies, policyHeader),
      );
    return this.#decide(policies, policyHeader, lastHits(hits, n));
  }

  #decide(policies: CompiledPolicy[], policyHeader: string, hits: WindowHit[]): LimitDecision {
    let tight = 0;
    let tightRemaining = Infinity;
    let limited: number | null = null;
    let rate = '';
    for (let i = 0; i < policies.length; i++) {
      const p = policies[i]!;
      const h = hits[i]!;
      const remaining = Math.max(0, p.limit - h.count);
      if (remaining < tightRemaining || (h.count > p.limit && limited === null)) {
        tight = i;
        tightRemaining = remaining;
      }
      if (h.count > p.limit && (limited === null || h.resetMs > hits[limited]!.resetMs)) limited = i;
      rate += `${i ? ', ' : ''}"${p.name}";r=${remaining};t=${Math.ceil(h.resetMs / 1000)}`;
    }
    const show = limited ?? tight;
    const p = policies[show]!;
    const reset = Math.max(1, Math.ceil(hits[show]!.resetMs / 1000));
    const headers: [string, string][] = [
      ['x-ratelimit-limit', String(p.limit)],
      ['x-ratelimit-remaining', String(Math.max(0, p.limit - hits[show]!.count))],
      ['x-ratelimit-reset', String(reset)],
      ['ratelimit-policy', policyHeader],
      ['ratelimit', rate],
    ];
    if (limited !== null) {
      p.count.limited();
      headers.push(['retry-after', String(reset)]);
      return { kind: 'limited', headers, retryAfter: reset, policy: p };
    }
    for (const q of policies) q.count.allowed();
    return { kind: 'allowed', headers };
  }

  #storeDown(policies: CompiledPolicy[], policyHeader: string): LimitDecision {
    const closed = policies.find((p) => p.failMode === 'closed');
    for (const p of policies)
      (p.failMode === 'closed' ? p.count.store_failed_closed : p.count.store_failed_open)();
    const headers: [string, string][] = [['ratelimit-policy', policyHeader]];
    if (closed) return { kind: 'store_down', headers, policy: closed };
    return { kind: 'allowed', headers };
  }
}
