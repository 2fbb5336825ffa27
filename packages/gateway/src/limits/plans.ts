/**
 * Consumer plans (`plans:` in portico.yaml, docs/plans.md): each authenticated consumer (an API
 * key, or a user signed in with a token) is held to its plan's rate, monthly quota and
 * concurrency cap, besides the route's own rate-limit policies.
 *
 * - Rate: GCRA (the generic cell rate algorithm, a token bucket kept as one timestamp). With
 *   `limit` per `window`, one request is earned every `window / limit` and at most `limit` can
 *   be spent at once; unlike a fixed window, there is no edge at which twice the limit passes.
 * - Quota: requests per calendar month (UTC), reset at the first instant of the next month.
 * - Concurrency: requests of the consumer in flight, released when each answer is over.
 *
 * One store operation (`planAcquire`) checks all three and commits all three only when every
 * check passes, atomically (a Lua script in Redis, a synchronous step in memory), so replicas
 * sharing Redis enforce the plan exactly.
 */
import type { PlanConfig } from '../config/schema-plans.ts';
import { parseDuration } from '../config/units.ts';

export interface CompiledPlan {
  name: string;
  description: string | null;
  /** GCRA: emission interval (ms per request) and the window (tolerance + one interval). */
  rate: { limit: number; windowMs: number; intervalMs: number } | null;
  quota: number | null;
  concurrency: number | null;
  /** `RateLimit-Policy` items of the rate (the quota's window depends on the month). */
  rateItem: string | null;
}

export interface Plans {
  byName: Map<string, CompiledPlan>;
  default: CompiledPlan | null;
}

export function compilePlans(cfg: {
  default?: string | undefined;
  tiers: Record<string, PlanConfig>;
}): Plans {
  const byName = new Map<string, CompiledPlan>();
  for (const [name, p] of Object.entries(cfg.tiers)) {
    const windowMs = p.rate ? parseDuration(p.rate.window) : 0;
    byName.set(name, {
      name,
      description: p.description ?? null,
      rate: p.rate ? { limit: p.rate.limit, windowMs, intervalMs: windowMs / p.rate.limit } : null,
      quota: p.monthly_quota ?? null,
      concurrency: p.concurrency ?? null,
      rateItem: p.rate ? `"${name}/rate";q=${p.rate.limit};w=${Math.ceil(windowMs / 1000)}` : null,
    });
  }
  return { byName, default: cfg.default === undefined ? null : (byName.get(cfg.default) ?? null) };
}

/** The plan a consumer is held to: its own when it names a listed one, else the default. */
export function planFor(plans: Plans, name: string | undefined): CompiledPlan | null {
  if (name !== undefined) {
    const p = plans.byName.get(name);
    if (p !== undefined) return p;
  }
  return plans.default;
}

/** The calendar month (UTC) of `now`: its key (`2026-12`) and when the next one starts. */
let lastMonth = { key: '', startMs: 0, endMs: 0 };

export function monthOf(now: number): { key: string; startMs: number; endMs: number } {
  // Every request asks: the month is computed once and kept until it ends.
  if (now >= lastMonth.startMs && now < lastMonth.endMs) return lastMonth;
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  lastMonth = {
    key: `${y}-${String(m + 1).padStart(2, '0')}`,
    startMs: Date.UTC(y, m, 1),
    endMs: Date.UTC(y, m + 1, 1),
  };
  return lastMonth;
}

/** What one request asks of the store for its consumer's plan. */
export interface PlanRequest {
  /** GCRA state key, or null when the plan has no rate. */
  rateKey: string | null;
  intervalMs: number;
  windowMs: number;
  /** Monthly counter key, or null when the plan has no quota. */
  quotaKey: string | null;
  quota: number;
  /** When the quota counter may be forgotten (epoch ms: the month's end). */
  quotaEndMs: number;
  /** In-flight counter key, or null when the plan has no cap. */
  concurrencyKey: string | null;
  concurrency: number;
}

export interface PlanVerdict {
  /** `ok`, or the check that refused (quota first, then concurrency, then rate). */
  outcome: 'ok' | 'quota' | 'concurrency' | 'rate';
  /** Requests the rate still allows at once after this one. */
  rateRemaining: number;
  /** Ms until the rate is back to its full burst (ok) or until the next request is allowed (rate). */
  rateResetMs: number;
  /** Requests counted this month, this one included when allowed. */
  quotaUsed: number;
}

/**
 * GCRA on a theoretical arrival time `tat` (epoch ms, 0 when none): whether a request at `now`
 * conforms, the new `tat` when it does, and how long until it would.
 */
export function gcra(
  tat: number,
  now: number,
  intervalMs: number,
  windowMs: number,
): { ok: boolean; tat: number; remaining: number; resetMs: number } {
  const next = Math.max(tat, now) + intervalMs;
  const allowAt = next - windowMs;
  // (a hair of slack: window / limit × limit may round past the window)
  if (now < allowAt - 1e-6) return { ok: false, tat, remaining: 0, resetMs: Math.ceil(allowAt - now) };
  return {
    ok: true,
    tat: next,
    remaining: Math.floor((now - allowAt) / intervalMs),
    resetMs: Math.ceil(next - now),
  };
}

/** How long an in-flight counter outlives its last request (a replica that died mid-request). */
export const CONCURRENCY_TTL_MS = 10 * 60_000;

/** The store keys of a consumer's plan counters (`scope`: `k:<id>` / `u:<id>`). */
export function planRequest(plan: CompiledPlan, scope: string, now: number): PlanRequest {
  const month = monthOf(now);
  return {
    rateKey: plan.rate ? `plan:rate:${plan.name}:${scope}` : null,
    intervalMs: plan.rate?.intervalMs ?? 0,
    windowMs: plan.rate?.windowMs ?? 0,
    quotaKey: plan.quota !== null ? `plan:quota:${month.key}:${scope}` : null,
    quota: plan.quota ?? 0,
    quotaEndMs: month.endMs,
    concurrencyKey: plan.concurrency !== null ? `plan:inflight:${scope}` : null,
    concurrency: plan.concurrency ?? 0,
  };
}

/** The memory store's plan state and its one synchronous step (embedded mode, one process). */
export class PlanCounters {
  #tat = new Map<string, number>();
  #quota = new Map<string, { used: number; until: number }>();
  #inflight = new Map<string, number>();

  acquire(r: PlanRequest, now: number): PlanVerdict {
    const q = r.quotaKey === null ? undefined : this.#quota.get(r.quotaKey);
    const used = q === undefined || q.until <= now ? 0 : q.used;
    if (r.quotaKey !== null && used >= r.quota)
      return { outcome: 'quota', rateRemaining: 0, rateResetMs: 0, quotaUsed: used };
    const held = r.concurrencyKey === null ? 0 : (this.#inflight.get(r.concurrencyKey) ?? 0);
    if (r.concurrencyKey !== null && held >= r.concurrency)
      return { outcome: 'concurrency', rateRemaining: 0, rateResetMs: 0, quotaUsed: used };
    let rateRemaining = 0;
    let rateResetMs = 0;
    if (r.rateKey !== null) {
      const g = gcra(this.#tat.get(r.rateKey) ?? 0, now, r.intervalMs, r.windowMs);
      if (!g.ok) return { outcome: 'rate', rateRemaining: 0, rateResetMs: g.resetMs, quotaUsed: used };
      this.#tat.set(r.rateKey, g.tat);
      rateRemaining = g.remaining;
      rateResetMs = g.resetMs;
    }
    if (r.quotaKey !== null) this.#quota.set(r.quotaKey, { used: used + 1, until: r.quotaEndMs });
    if (r.concurrencyKey !== null) this.#inflight.set(r.concurrencyKey, held + 1);
    return { outcome: 'ok', rateRemaining, rateResetMs, quotaUsed: used + (r.quotaKey === null ? 0 : 1) };
  }

  release(concurrencyKey: string): void {
    const n = (this.#inflight.get(concurrencyKey) ?? 0) - 1;
    if (n > 0) this.#inflight.set(concurrencyKey, n);
    else this.#inflight.delete(concurrencyKey);
  }

  sweep(now: number): void {
    for (const [k, tat] of this.#tat) if (tat <= now) this.#tat.delete(k);
    for (const [k, q] of this.#quota) if (q.until <= now) this.#quota.delete(k);
  }
}

/**
 * Collects the calls of one event-loop tick and runs them as one batch (one Redis script call,
 * one message to the main thread), each caller getting its own result: a loaded gateway pays one
 * round trip per tick for its plan checks instead of one per request.
 */
export class TickBatch<I, O> {
  readonly #run: (inputs: I[]) => Promise<O[]>;
  #pending: { input: I; resolve: (o: O) => void; reject: (err: unknown) => void }[] = [];

  constructor(run: (inputs: I[]) => Promise<O[]>) {
    this.#run = run;
  }

  add(input: I): Promise<O> {
    return new Promise((resolve, reject) => {
      if (this.#pending.push({ input, resolve, reject }) === 1) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    this.#run(batch.map((b) => b.input)).then(
      (out) => batch.forEach((b, i) => b.resolve(out[i]!)),
      (err: unknown) => batch.forEach((b) => b.reject(err)),
    );
  }
}
