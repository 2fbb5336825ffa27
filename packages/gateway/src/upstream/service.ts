/**
 * An upstream service: its instances (each an undici keep-alive Pool, a breaker and an
 * active health state), the balancing rule and the active health checker. Instances outlive a
 * config reload when their URL and pool settings stay, so connections and health history are
 * kept across reloads.
 */
import { Pool } from 'undici';
import { Breaker, type BreakerState } from './breaker.ts';
import { RetryBudget } from './retry-budget.ts';
import type { Balancing } from '../config/schema.ts';

export interface Timeouts {
  connectMs: number;
  firstByteMs: number;
  totalMs: number;
  idleMs: number;
}

export interface RetryPolicy {
  retries: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export interface HealthCheck {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  unhealthyAfter: number;
  healthyAfter: number;
}

export interface ServiceSettings {
  name: string;
  instances: string[];
  balancing: Balancing;
  timeouts: Timeouts;
  retry: RetryPolicy;
  budgetRatio: number;
  budgetMinPerSecond: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  connections: number;
  keepAliveMs: number;
  health: HealthCheck | null;
  openapiPath: string | null;
}

export class Instance {
  readonly origin: string;
  readonly pool: Pool;
  readonly poolKey: string;
  breaker: Breaker;
  /** Active health state; starts healthy so a fresh gateway serves before the first check. */
  healthy = true;
  inflight = 0;
  #okStreak = 0;
  #failStreak = 0;

  constructor(origin: string, poolKey: string, pool: Pool, breaker: Breaker) {
    this.origin = origin;
    this.poolKey = poolKey;
    this.pool = pool;
    this.breaker = breaker;
  }

  recordCheck(ok: boolean, check: HealthCheck): void {
    if (ok) {
      this.#failStreak = 0;
      if (++this.#okStreak >= check.healthyAfter) this.healthy = true;
    } else {
      this.#okStreak = 0;
      if (++this.#failStreak >= check.unhealthyAfter) this.healthy = false;
    }
  }
}

export type ServiceStatus = 'healthy' | 'degraded' | 'unhealthy';

export class UpstreamService {
  readonly settings: ServiceSettings;
  readonly name: string;
  readonly instances: Instance[];
  readonly budget: RetryBudget;
  #rr = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(settings: ServiceSettings, instances: Instance[]) {
    this.settings = settings;
    this.name = settings.name;
    this.instances = instances;
    this.budget = new RetryBudget(settings.budgetRatio, settings.budgetMinPerSecond);
  }

  /**
   * Picks an instance for the next attempt, skipping `tried`: healthy ones with a closed
   * breaker first; when active checks mark every one down, any whose breaker allows
   * (a failed health endpoint should not black-hole a working service).
   */
  pick(now: number, tried: Instance[] | null): Instance | null {
    let chosen = this.#choose(now, tried, true) ?? this.#choose(now, tried, false);
    if (chosen === null && tried !== null)
      chosen = this.#choose(now, null, true) ?? this.#choose(now, null, false);
    if (chosen) chosen.breaker.acquire(now);
    return chosen;
  }

  #choose(now: number, tried: Instance[] | null, healthyOnly: boolean): Instance | null {
    const list = this.instances;
    const n = list.length;
    if (this.settings.balancing === 'least_request') {
      let best: Instance | null = null;
      const start = this.#rr++ % n;
      for (let i = 0; i < n; i++) {
        const inst = list[(start + i) % n]!;
        if ((healthyOnly && !inst.healthy) || !inst.breaker.available(now) || tried?.includes(inst)) continue;
        if (best === null || inst.inflight < best.inflight) best = inst;
      }
      return best;
    }
    for (let i = 0; i < n; i++) {
      const inst = list[this.#rr++ % n]!;
      if ((healthyOnly && !inst.healthy) || !inst.breaker.available(now) || tried?.includes(inst)) continue;
      return inst;
    }
    return null;
  }

  /** Seconds a client should wait when no instance can take a request (for Retry-After). */
  retryAfterSeconds(now: number): number {
    let ms = Infinity;
    for (const i of this.instances)
      ms = Math.min(ms, i.breaker.state === 'open' ? i.breaker.retryAfterMs(now) : 1000);
    return Math.max(1, Math.ceil((Number.isFinite(ms) ? ms : 1000) / 1000));
  }

  status(): ServiceStatus {
    let up = 0;
    for (const i of this.instances) if (i.healthy && i.breaker.state !== 'open') up++;
    return up === this.instances.length ? 'healthy' : up === 0 ? 'unhealthy' : 'degraded';
  }

  breakerStates(): { origin: string; state: BreakerState; healthy: boolean }[] {
    return this.instances.map((i) => ({ origin: i.origin, state: i.breaker.state, healthy: i.healthy }));
  }

  /** Starts active health checks (no-op without a health config). */
  startHealthChecks(): void {
    const check = this.settings.health;
    if (!check || this.#timer) return;
    const run = (): void => {
      for (const inst of this.instances) void probe(inst, check).then((ok) => inst.recordCheck(ok, check));
    };
    run();
    this.#timer = setInterval(run, check.intervalMs);
    this.#timer.unref();
  }

  stopHealthChecks(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

async function probe(inst: Instance, check: HealthCheck): Promise<boolean> {
  try {
    const res = await inst.pool.request({
      method: 'GET',
      path: check.path,
      headersTimeout: check.timeoutMs,
      bodyTimeout: check.timeoutMs,
      signal: AbortSignal.timeout(check.timeoutMs),
    });
    await res.body.dump();
    return res.statusCode >= 200 && res.statusCode < 300;
  } catch {
    return false;
  }
}

/**
 * Keeps instances (and their pools, breakers and health) across config reloads, keyed by
 * service, origin and pool settings.
 */
export class InstanceRegistry {
  #instances = new Map<string, Instance>();
  /** Told of every breaker change (a gateway worker passes it on to the other workers). */
  onBreakerChange: ((service: string, origin: string, state: BreakerState, openedAt: number) => void) | null =
    null;

  #breaker(service: string, origin: string, failures: number, cooldownMs: number): Breaker {
    const breaker = new Breaker(failures, cooldownMs);
    breaker.onChange = (state, openedAt) => this.onBreakerChange?.(service, origin, state, openedAt);
    return breaker;
  }

  /** Applies a breaker change another worker made to this worker's instance of `service` at `origin`. */
  adoptBreaker(service: string, origin: string, state: BreakerState, openedAt: number): void {
    for (const [key, inst] of this.#instances)
      if (inst.origin === origin && key.startsWith(`${service}|`)) inst.breaker.adopt(state, openedAt);
  }

  build(settings: ServiceSettings): UpstreamService {
    const instances = settings.instances.map((url) => {
      const origin = new URL(url).origin;
      const poolKey = `${origin}|${settings.connections}|${settings.keepAliveMs}|${settings.timeouts.connectMs}`;
      const key = `${settings.name}|${poolKey}`;
      let inst = this.#instances.get(key);
      if (!inst) {
        const pool = new Pool(origin, {
          connections: settings.connections,
          pipelining: 1,
          keepAliveTimeout: settings.keepAliveMs,
          connect: { timeout: settings.timeouts.connectMs },
          headersTimeout: settings.timeouts.firstByteMs,
          bodyTimeout: settings.timeouts.idleMs,
        });
        inst = new Instance(
          origin,
          poolKey,
          pool,
          this.#breaker(settings.name, origin, settings.breakerFailures, settings.breakerCooldownMs),
        );
        this.#instances.set(key, inst);
      } else if (
        inst.breaker.threshold !== settings.breakerFailures ||
        inst.breaker.cooldownMs !== settings.breakerCooldownMs
      ) {
        inst.breaker = this.#breaker(
          settings.name,
          origin,
          settings.breakerFailures,
          settings.breakerCooldownMs,
        );
      }
      return inst;
    });
    return new UpstreamService(settings, instances);
  }

  /** Closes pools no longer used by `live` services (after their in-flight requests finish). */
  async prune(live: UpstreamService[]): Promise<void> {
    const keep = new Set<Instance>();
    for (const s of live) for (const i of s.instances) keep.add(i);
    const closing: Promise<void>[] = [];
    for (const [key, inst] of this.#instances)
      if (!keep.has(inst)) {
        this.#instances.delete(key);
        closing.push(inst.pool.close().catch(() => {}));
      }
    await Promise.all(closing);
  }

  async closeAll(): Promise<void> {
    await this.prune([]);
  }
}
