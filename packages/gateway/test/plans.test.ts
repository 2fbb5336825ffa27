/**
 * Consumer plans (limits/plans.ts): the GCRA never lets twice the limit through at a window
 * edge, the monthly quota and the concurrency cap are exact, nothing is counted for a refused
 * request, and the Redis store (shared by replicas) and a worker's store (through the main
 * thread) agree with the memory store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { MessageChannel } from 'node:worker_threads';
import { REDIS_URL, serverUnavailable } from '@portico/kit/testing';
import {
  compilePlans,
  gcra,
  monthOf,
  PlanCounters,
  planFor,
  planRequest,
  type PlanRequest,
} from '../src/limits/plans.ts';
import { MemoryStore } from '../src/store/memory.ts';
import { deleteRedisKeys } from './helpers.ts';
import { RedisStore } from '../src/store/redis.ts';
import { SharedStateClient, serveSharedState } from '../src/workers/state-channel.ts';
import { SharedMemoryStore } from '../src/workers/shared-store.ts';
import { allocateSharedWindows } from '../src/workers/shared-windows.ts';

const skipRedis = await serverUnavailable('redis');

const plans = compilePlans({
  default: 'free',
  tiers: {
    free: { rate: { limit: 5, window: '10s' }, monthly_quota: 8, concurrency: 2 },
    pro: { rate: { limit: 100, window: '1s' } },
  },
});

describe('GCRA', () => {
  it('allows the limit at once, then one per interval: never 2 × limit around an edge', () => {
    const interval = 2000; // 5 per 10 s
    let tat = 0;
    let passed = 0;
    const t0 = 1_000_000;
    // A client hammering every 100 ms for 30 s: a fixed window would pass 10 at each edge.
    for (let t = t0; t < t0 + 30_000; t += 100) {
      const g = gcra(tat, t, interval, 10_000);
      if (g.ok) {
        passed++;
        tat = g.tat;
      }
    }
    // The burst, then one per interval: 5 + 14 over 29.9 s (a fixed window: 15, 10 of them within 0.2 s).
    expect(passed).toBe(5 + Math.floor(29_900 / interval));
  });

  it('never passes more than limit + elapsed / interval in any span', () => {
    const interval = 1000;
    const window = 4000;
    let tat = 0;
    const times: number[] = [];
    for (let t = 0; t < 20_000; t += 37) {
      const g = gcra(tat, t + 1e6, interval, window);
      if (g.ok) {
        times.push(t);
        tat = g.tat;
      }
    }
    for (let i = 0; i < times.length; i++)
      for (let j = i; j < times.length; j++)
        expect(j - i + 1).toBeLessThanOrEqual(4 + Math.floor((times[j]! - times[i]!) / interval));
  });

  it('reports what remains and when the next request conforms', () => {
    const a = gcra(0, 10_000, 2000, 10_000);
    expect(a).toMatchObject({ ok: true, remaining: 4, resetMs: 2000 });
    let tat = a.tat;
    for (let i = 0; i < 4; i++) tat = gcra(tat, 10_000, 2000, 10_000).tat;
    const refused = gcra(tat, 10_500, 2000, 10_000);
    expect(refused).toMatchObject({ ok: false, remaining: 0, resetMs: 1500 });
  });

  it('does not lose the last request of a burst to rounding (limit 3 per 2 s)', () => {
    let tat = 0;
    let ok = 0;
    for (let i = 0; i < 4; i++) {
      const g = gcra(tat, 5000, 2000 / 3, 2000);
      if (g.ok) {
        ok++;
        tat = g.tat;
      }
    }
    expect(ok).toBe(3);
  });
});

describe('plans', () => {
  it('falls back to the default for no plan or an unknown one', () => {
    expect(planFor(plans, undefined)?.name).toBe('free');
    expect(planFor(plans, 'gold')?.name).toBe('free');
    expect(planFor(plans, 'pro')?.name).toBe('pro');
    expect(planFor(compilePlans({ tiers: {} }), 'pro')).toBeNull();
  });

  it('keys the quota by calendar month (UTC)', () => {
    const m = monthOf(Date.UTC(2026, 11, 31, 23, 59, 59));
    expect(m).toEqual({ key: '2026-12', startMs: Date.UTC(2026, 11, 1), endMs: Date.UTC(2027, 0, 1) });
    const r = planRequest(plans.byName.get('free')!, 'k:1', Date.UTC(2027, 0, 1));
    expect(r.quotaKey).toBe('plan:quota:2027-01:k:1');
    expect(r.quotaEndMs).toBe(Date.UTC(2027, 1, 1));
  });
});

/** A request of `free` for a fresh consumer, with its own keys. */
function fresh(): PlanRequest {
  return planRequest(plans.byName.get('free')!, `k:${randomUUID()}`, Date.now());
}

describe('memory counters', () => {
  it('holds the concurrency cap and releases it', () => {
    const c = new PlanCounters();
    const r = { ...fresh(), rateKey: null };
    expect(c.acquire(r, 0).outcome).toBe('ok');
    expect(c.acquire(r, 0).outcome).toBe('ok');
    expect(c.acquire(r, 0).outcome).toBe('concurrency');
    c.release(r.concurrencyKey!);
    expect(c.acquire(r, 0).outcome).toBe('ok');
  });

  it('ends the quota exactly and counts no refused request', () => {
    const c = new PlanCounters();
    const r = { ...fresh(), concurrencyKey: null };
    const outcomes: string[] = [];
    // One request every 2 s (the rate's interval): only the quota refuses.
    for (let i = 0; i < 12; i++) outcomes.push(c.acquire(r, i * 2000).outcome);
    expect(outcomes).toEqual([...Array(8).fill('ok'), ...Array(4).fill('quota')]);
    // Refused by the rate: not counted in the quota.
    const r2 = { ...fresh(), concurrencyKey: null };
    for (let i = 0; i < 20; i++) c.acquire(r2, 0);
    expect(c.acquire(r2, 2000)).toMatchObject({ outcome: 'ok', quotaUsed: 6 });
  });
});

describe.skipIf(skipRedis)('Redis store (replicas sharing it)', () => {
  const prefix = `test:plans:${randomUUID()}:`;
  const a = new RedisStore(REDIS_URL, { prefix });
  const b = new RedisStore(REDIS_URL, { prefix });
  beforeAll(async () => {
    await a.ready();
    await b.ready();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await deleteRedisKeys(prefix);
  });

  it('lets exactly the burst through when two replicas race', async () => {
    const r = { ...fresh(), concurrencyKey: null };
    const verdicts = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).planAcquire(r)));
    expect(verdicts.filter((v) => v.outcome === 'ok')).toHaveLength(5);
    expect(verdicts.filter((v) => v.outcome === 'rate')).toHaveLength(15);
    expect(Math.max(...verdicts.map((v) => v.quotaUsed))).toBe(5);
  });

  it('holds each consumer of one batch to its own plan', async () => {
    // One tick, one script call: free (5 at once, quota 8, cap 2) and pro (100 at once) mixed.
    const free = { ...fresh(), concurrencyKey: null };
    const pro = planRequest(plans.byName.get('pro')!, `k:${randomUUID()}`, Date.now());
    const vs = await Promise.all(Array.from({ length: 20 }, (_, i) => a.planAcquire(i % 2 ? free : pro)));
    const freeVs = vs.filter((_, i) => i % 2);
    const proVs = vs.filter((_, i) => i % 2 === 0);
    expect(freeVs.map((v) => v.outcome)).toEqual([...Array(5).fill('ok'), ...Array(5).fill('rate')]);
    expect(proVs.every((v) => v.outcome === 'ok')).toBe(true);
    // pro has no quota: nothing counted; free counted its 5.
    expect(Math.max(...proVs.map((v) => v.quotaUsed))).toBe(0);
    expect(Math.max(...freeVs.map((v) => v.quotaUsed))).toBe(5);
    expect(proVs.at(-1)!.rateRemaining).toBe(90);
  });

  it('holds the quota and the concurrency cap across replicas', async () => {
    const q = { ...fresh(), rateKey: null, concurrencyKey: null };
    const vs = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).planAcquire(q)));
    expect(vs.filter((v) => v.outcome === 'ok')).toHaveLength(8);
    expect(vs.filter((v) => v.outcome === 'quota')).toHaveLength(4);

    const c = { ...fresh(), rateKey: null, quotaKey: null };
    const cs = await Promise.all(Array.from({ length: 5 }, (_, i) => (i % 2 ? a : b).planAcquire(c)));
    expect(cs.filter((v) => v.outcome === 'ok')).toHaveLength(2);
    await a.planRelease(c.concurrencyKey!);
    expect((await b.planAcquire(c)).outcome).toBe('ok');
    expect((await b.planAcquire(c)).outcome).toBe('concurrency');
  });
});

describe('gateway workers', () => {
  it('count plans in the main thread, so two workers hold one cap', async () => {
    const main = new MemoryStore();
    const ports = [new MessageChannel(), new MessageChannel()];
    for (const p of ports) serveSharedState(p.port1, main);
    const buffer = allocateSharedWindows(1024);
    const workers = ports.map((p) => new SharedMemoryStore(buffer, new SharedStateClient(p.port2)));
    const r = fresh();
    const vs = await Promise.all(Array.from({ length: 10 }, (_, i) => workers[i % 2]!.planAcquire(r)));
    expect(vs.filter((v) => v.outcome === 'ok')).toHaveLength(2); // the cap: 2 in flight
    await Promise.all([
      workers[0]!.planRelease(r.concurrencyKey!),
      workers[1]!.planRelease(r.concurrencyKey!),
    ]);
    const again = await Promise.all(Array.from({ length: 4 }, (_, i) => workers[i % 2]!.planAcquire(r)));
    expect(again.filter((v) => v.outcome === 'ok')).toHaveLength(2);
    expect(again.filter((v) => v.outcome === 'concurrency')).toHaveLength(2);
    for (const w of workers) await w.close();
    for (const p of ports) p.port1.close();
    await main.close();
  });
});
