/**
 * The Redis store: state shared by every gateway replica. Each operation is one Lua script, so
 * a counter or a reservation is atomic across replicas. Commands never queue while Redis is
 * away (`enableOfflineQueue: false`) and time out after `timeoutMs`: a caller sees a
 * `StoreUnavailableError` at once and applies its fail mode instead of hanging.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { CONCURRENCY_TTL_MS, TickBatch, type PlanRequest, type PlanVerdict } from '../limits/plans.ts';
import {
  StoreUnavailableError,
  type GatewayStore,
  type IdempotencyBegin,
  type StoredResponse,
  type WindowHit,
} from './store.ts';

// ARGV: for each key its window (ms) then the number of hits it takes.
const HIT = `
local out = {}
for i, key in ipairs(KEYS) do
  local c = redis.call('INCRBY', key, tonumber(ARGV[2 * i]))
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    ttl = tonumber(ARGV[2 * i - 1])
    redis.call('PEXPIRE', key, ttl)
  end
  out[#out + 1] = c
  out[#out + 1] = ttl
end
return out`;

// Consumers' plans (limits/plans.ts), on Redis's clock so every replica shares one; the plan
// checks of one tick in one call, in order. Per request i: KEYS[3i-2..3i] = GCRA state, monthly
// counter, in-flight counter; ARGV[9(i-1)+1..9i] = has rate, interval ms, window ms, has quota,
// quota, month end (epoch ms), has cap, cap, in-flight TTL ms. Nothing is counted for a request
// unless its every check passes. Returns per request {outcome (0 ok, 1 quota, 2 concurrency,
// 3 rate), remaining, reset ms, used}.
const PLAN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
local function check(k, a)
  local used = 0
  if ARGV[a + 4] == '1' then
    used = tonumber(redis.call('GET', KEYS[k + 2]) or '0')
    if used >= tonumber(ARGV[a + 5]) then return {1, 0, 0, used} end
  end
  if ARGV[a + 7] == '1' then
    local held = tonumber(redis.call('GET', KEYS[k + 3]) or '0')
    if held >= tonumber(ARGV[a + 8]) then return {2, 0, 0, used} end
  end
  local remaining, reset = 0, 0
  if ARGV[a + 1] == '1' then
    local interval = tonumber(ARGV[a + 2])
    local window = tonumber(ARGV[a + 3])
    local tat = tonumber(redis.call('GET', KEYS[k + 1]) or '0')
    local nxt = math.max(tat, now) + interval
    local allowAt = nxt - window
    if now < allowAt - 0.000001 then return {3, 0, math.ceil(allowAt - now), used} end
    redis.call('SET', KEYS[k + 1], string.format('%.3f', nxt), 'PX', math.ceil(nxt - now) + 1)
    remaining = math.floor((now - allowAt) / interval)
    reset = math.ceil(nxt - now)
  end
  if ARGV[a + 4] == '1' then
    used = redis.call('INCR', KEYS[k + 2])
    redis.call('PEXPIREAT', KEYS[k + 2], tonumber(ARGV[a + 6]) + 86400000)
  end
  if ARGV[a + 7] == '1' then
    redis.call('INCR', KEYS[k + 3])
    redis.call('PEXPIRE', KEYS[k + 3], tonumber(ARGV[a + 9]))
  end
  return {0, remaining, reset, used}
end
-- ARGV[1] = S, the distinct plan shapes of the batch; then 9 values per shape; then each
-- request's shape (0-based). KEYS: 3 per request.
local shapes = tonumber(ARGV[1])
for i = 0, #KEYS / 3 - 1 do
  local shape = tonumber(ARGV[2 + 9 * shapes + i])
  local r = check(3 * i, 1 + 9 * shape)
  for j = 1, 4 do out[#out + 1] = r[j] end
end
return out`;

// The in-flight counters of the requests of one tick that are over.
const PLAN_RELEASE = `
for _, key in ipairs(KEYS) do
  local n = redis.call('DECR', key)
  if n <= 0 then redis.call('DEL', key) end
end
return 0`;

const OUTCOMES = ['ok', 'quota', 'concurrency', 'rate'] as const;

/** One request's hits waiting for the tick's script call. */
interface PendingHit {
  keys: string[];
  windowsMs: number[];
  resolve: (hits: WindowHit[]) => void;
  reject: (err: unknown) => void;
}

// ARGV: marker JSON, lock ms. Returns nil when reserved, else the stored value.
const BEGIN = `
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

// ARGV: token, new value, ttl ms. Only the holder of the reservation completes or releases it.
const COMPLETE = `
local v = redis.call('GET', KEYS[1])
if not v or cjson.decode(v).t ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;

interface Scripts {
  porticoHit(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  porticoBegin(numKeys: number, key: string, marker: string, lockMs: number): Promise<string | null>;
  porticoComplete(numKeys: number, key: string, token: string, value: string, ttlMs: number): Promise<number>;
  porticoPlan(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  porticoPlanRelease(numKeys: number, ...keys: string[]): Promise<number>;
}

interface IdemValue {
  t: string;
  f: string;
  r?: StoredResponse;
}

export class RedisStore implements GatewayStore {
  readonly kind = 'redis';
  #redis: Redis & Scripts;
  #prefix: string;
  #pending: PendingHit[] = [];
  readonly #plans = new TickBatch<PlanRequest, PlanVerdict>((rs) => this.#planMany(rs));
  readonly #releases = new TickBatch<string, void>(async (keys) => {
    await this.#call(() => this.#redis.porticoPlanRelease(keys.length, ...keys.map((k) => this.#prefix + k)));
    return [];
  });

  constructor(url: string, opts: { prefix?: string; timeoutMs?: number } = {}) {
    this.#prefix = opts.prefix ?? 'portico:gw:';
    const redis = new Redis(url, {
      enableOfflineQueue: false,
      commandTimeout: opts.timeoutMs ?? 250,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
      lazyConnect: false,
    });
    // Errors surface on commands; the connection keeps retrying in the background.
    redis.on('error', () => {});
    redis.defineCommand('porticoHit', { lua: HIT });
    redis.defineCommand('porticoBegin', { lua: BEGIN });
    redis.defineCommand('porticoComplete', { lua: COMPLETE });
    redis.defineCommand('porticoPlan', { lua: PLAN });
    redis.defineCommand('porticoPlanRelease', { lua: PLAN_RELEASE });
    this.#redis = redis as Redis & Scripts;
  }

  /** Resolves once connected, or after `ms` (the store then works as fail modes say). */
  async ready(ms = 2000): Promise<boolean> {
    if (this.#redis.status === 'ready') return true;
    return await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => {
        this.#redis.off('ready', onReady);
        resolve(false);
      }, ms);
      const onReady = (): void => {
        clearTimeout(t);
        resolve(true);
      };
      this.#redis.once('ready', onReady);
    });
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new StoreUnavailableError(err);
    }
  }

  /**
   * Counts one request against its windows. The hits of every request in the same tick go to
   * Redis as one script call that adds each key's total (INCRBY), and each request gets the count
   * it would have seen alone: the k-th of n hits on a key whose total became c sees c − n + k. So
   * the limit stays exact across replicas while a loaded gateway pays one round trip and one
   * script run per tick instead of one per request (docs/gateway.md, bench/gateway).
   */
  hit(keys: string[], windowsMs: number[]): Promise<WindowHit[]> {
    return new Promise((resolve, reject) => {
      if (this.#pending.push({ keys, windowsMs, resolve, reject }) === 1) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    const totals = new Map<string, { windowMs: number; n: number }>();
    const order: number[][] = []; // for each request, its ordinal on each of its keys
    for (const p of batch) {
      order.push(
        p.keys.map((k, i) => {
          const t = totals.get(k);
          if (t) return ++t.n;
          totals.set(k, { windowMs: p.windowsMs[i]!, n: 1 });
          return 1;
        }),
      );
    }
    const keys = [...totals.keys()];
    const args: (string | number)[] = keys.map((k) => this.#prefix + k);
    for (const k of keys) {
      const t = totals.get(k)!;
      args.push(t.windowMs, t.n);
    }
    this.#redis.porticoHit(keys.length, ...args).then(
      (flat) => {
        const result = new Map<string, WindowHit & { n: number }>();
        keys.forEach((k, i) =>
          result.set(k, { count: flat[2 * i]!, resetMs: flat[2 * i + 1]!, n: totals.get(k)!.n }),
        );
        batch.forEach((p, j) =>
          p.resolve(
            p.keys.map((k, i) => {
              const r = result.get(k)!;
              return { count: r.count - r.n + order[j]![i]!, resetMs: r.resetMs };
            }),
          ),
        );
      },
      (err: unknown) => {
        const unavailable = new StoreUnavailableError(err);
        for (const p of batch) p.reject(unavailable);
      },
    );
  }

  async idempotencyBegin(key: string, fingerprint: string, lockMs: number): Promise<IdempotencyBegin> {
    const token = randomUUID();
    const marker = JSON.stringify({ t: token, f: fingerprint } satisfies IdemValue);
    const existing = await this.#call(() => this.#redis.porticoBegin(1, this.#prefix + key, marker, lockMs));
    if (existing === null) return { state: 'started', token };
    const v = JSON.parse(existing) as IdemValue;
    if (v.f !== fingerprint) return { state: 'mismatch' };
    return v.r ? { state: 'replay', response: v.r } : { state: 'in_progress' };
  }

  async idempotencyComplete(
    key: string,
    token: string,
    fingerprint: string,
    response: StoredResponse,
    ttlMs: number,
  ): Promise<void> {
    const value = JSON.stringify({ t: token, f: fingerprint, r: response } satisfies IdemValue);
    await this.#call(() => this.#redis.porticoComplete(1, this.#prefix + key, token, value, ttlMs));
  }

  async idempotencyRelease(key: string, token: string): Promise<void> {
    await this.#call(() => this.#redis.porticoComplete(1, this.#prefix + key, token, '', 0));
  }

  async denylistAdd(entry: string, untilMs: number): Promise<void> {
    const key = this.#prefix + 'denylist';
    await this.#call(() =>
      this.#redis.multi().zadd(key, 'GT', untilMs, entry).zremrangebyscore(key, '-inf', Date.now()).exec(),
    );
  }

  async denylistEntries(): Promise<[string, number][]> {
    const flat = await this.#call(() =>
      this.#redis.zrangebyscore(this.#prefix + 'denylist', Date.now(), '+inf', 'WITHSCORES'),
    );
    const out: [string, number][] = [];
    for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, Number(flat[i + 1])]);
    return out;
  }

  async ticketPut(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#call(() => this.#redis.set(this.#prefix + 'ticket:' + key, value, 'PX', ttlMs));
  }

  async ticketTake(key: string): Promise<string | null> {
    // GETDEL: one replica wins a ticket, however many try it at once.
    return await this.#call(() => this.#redis.getdel(this.#prefix + 'ticket:' + key));
  }

  /** A consumer's plan check; the checks of one tick go to Redis as one script call (`TickBatch`). */
  planAcquire(r: PlanRequest): Promise<PlanVerdict> {
    return this.#plans.add(r);
  }

  planRelease(concurrencyKey: string): Promise<void> {
    return this.#releases.add(concurrencyKey);
  }

  async #planMany(requests: PlanRequest[]): Promise<PlanVerdict[]> {
    const none = this.#prefix + 'plan:none';
    const keys: string[] = [];
    // A batch's requests share few plans: each distinct shape's nine values go once, and each
    // request names its shape (fewer arguments to encode and to send per request).
    const shapes = new Map<string, number>();
    const shapeArgs: (string | number)[] = [];
    const which: number[] = [];
    for (const r of requests) {
      keys.push(
        r.rateKey === null ? none : this.#prefix + r.rateKey,
        r.quotaKey === null ? none : this.#prefix + r.quotaKey,
        r.concurrencyKey === null ? none : this.#prefix + r.concurrencyKey,
      );
      const rate = r.rateKey === null ? 0 : 1;
      const quota = r.quotaKey === null ? 0 : 1;
      const cap = r.concurrencyKey === null ? 0 : 1;
      const id = `${rate}:${r.intervalMs}:${r.windowMs}:${quota}:${r.quota}:${r.quotaEndMs}:${cap}:${r.concurrency}`;
      let shape = shapes.get(id);
      if (shape === undefined) {
        shapes.set(id, (shape = shapes.size));
        shapeArgs.push(
          rate,
          r.intervalMs,
          r.windowMs,
          quota,
          r.quota,
          r.quotaEndMs,
          cap,
          r.concurrency,
          CONCURRENCY_TTL_MS,
        );
      }
      which.push(shape);
    }
    const args = [shapes.size, ...shapeArgs, ...which];
    const flat = await this.#call(() => this.#redis.porticoPlan(keys.length, ...keys, ...args));
    return requests.map((_, i) => ({
      outcome: OUTCOMES[flat[4 * i]!] ?? 'ok',
      rateRemaining: flat[4 * i + 1]!,
      rateResetMs: flat[4 * i + 2]!,
      quotaUsed: flat[4 * i + 3]!,
    }));
  }

  isReady(): boolean {
    return this.#redis.status === 'ready';
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}
