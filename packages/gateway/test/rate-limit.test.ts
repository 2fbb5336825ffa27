import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import { REDIS_URL, serverUnavailable } from '@portico/kit/testing';
import {
  echoService,
  deleteRedisKeys,
  json,
  makeConfig,
  startGateway,
  startIdentity,
  until,
  type Identity,
  type RunningGateway,
  type TestServer,
} from './helpers.ts';
import type { GatewayConfig } from '../src/index.ts';
import { RedisStore } from '../src/store/redis.ts';

let orders: TestServer;
let identity: Identity;

beforeAll(async () => {
  orders = await echoService('orders');
  identity = await startIdentity();
});

afterAll(async () => {
  await orders.close();
  await identity.close();
});

function config(prefix: string, failMode: 'open' | 'closed' = 'open'): GatewayConfig {
  return makeConfig(
    { orders: [orders.url], identity: [identity.url] },
    [
      {
        path: '/api/v1/login',
        methods: ['POST'],
        service: 'orders',
        auth: 'none',
        rate_limits: ['login', 'per-caller'],
      },
      {
        path: '/api/v1/orders',
        methods: ['GET'],
        service: 'orders',
        auth: 'optional',
        rate_limits: ['per-caller'],
      },
      { path: '/api/v1/strict', methods: ['GET'], service: 'orders', auth: 'none', rate_limits: ['strict'] },
    ],
    {
      store: { prefix: `test:${prefix}:`, timeout: '200ms' },
      policies: {
        rate_limits: {
          'per-caller': { limit: 5, window: '1m', by: ['caller'], on_store_failure: failMode },
          login: { limit: 2, window: '1m', by: ['ip'], on_store_failure: 'closed' },
          strict: { limit: 100, window: '1m', by: ['ip'], on_store_failure: 'closed' },
        },
      },
    },
  );
}

describe('rate limits in memory', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway(config('mem'));
  });
  afterAll(async () => gw.close());

  it('sends the legacy and IETF rate-limit headers on every limited route', async () => {
    const res = await fetch(`${gw.url}/api/v1/orders`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBe('5');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
    expect(res.headers.get('ratelimit-policy')).toBe('"per-caller";q=5;w=60');
    expect(res.headers.get('ratelimit')).toMatch(/^"per-caller";r=4;t=\d+$/);
  });

  it('answers 429 problem+json with Retry-After past the limit', async () => {
    let last: Response | null = null;
    for (let i = 0; i < 3; i++) last = await fetch(`${gw.url}/api/v1/login`, { method: 'POST' });
    expect(last!.status).toBe(429);
    expect(last!.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('x-ratelimit-remaining')).toBe('0');
    const body = await json(last!);
    expect(body.code).toBe('rate_limited');
    expect(body.detail).toContain('login');
  });

  it('shows the tightest of several policies and lists them all', async () => {
    const res = await fetch(`${gw.url}/api/v1/login`, {
      method: 'POST',
      headers: { 'x-forwarded-for': '1.2.3.4' },
    });
    expect(res.headers.get('ratelimit-policy')).toBe('"login";q=2;w=60, "per-caller";q=5;w=60');
  });

  it('keys the per-caller limit by user, so another user keeps their own budget', async () => {
    const alice = await identity.sign({ sub: 'alice' });
    const bob = await identity.sign({ sub: 'bob' });
    for (let i = 0; i < 5; i++)
      await fetch(`${gw.url}/api/v1/orders`, { headers: { authorization: `Bearer ${alice}` } });
    const a = await fetch(`${gw.url}/api/v1/orders`, { headers: { authorization: `Bearer ${alice}` } });
    const b = await fetch(`${gw.url}/api/v1/orders`, { headers: { authorization: `Bearer ${bob}` } });
    expect(a.status).toBe(429);
    expect(b.status).toBe(200);
  });
});

describe('rate limits in Redis', async () => {
  const skip = await serverUnavailable('redis');
  const prefix = `gw-${randomUUID()}`;
  let a: RunningGateway;
  let b: RunningGateway;

  beforeAll(async () => {
    if (skip) return;
    a = await startGateway(config(prefix), { redisUrl: REDIS_URL });
    b = await startGateway(config(prefix), { redisUrl: REDIS_URL });
  });
  afterAll(async () => {
    if (skip) return;
    await a.close();
    await b.close();
    await deleteRedisKeys(`test:${prefix}:`);
  });

  it.skipIf(skip)('enforces one limit across two gateway instances sharing Redis', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const gw = i % 2 === 0 ? a : b;
      statuses.push((await fetch(`${gw.url}/api/v1/orders`)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const res = await fetch(`${b.url}/api/v1/orders`);
    expect(res.status).toBe(429);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it.skipIf(skip)('counts many concurrent requests exactly once each', async () => {
    const all = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(`${(i % 2 ? a : b).url}/api/v1/strict`, { headers: { 'x-forwarded-for': '9.9.9.9' } }),
      ),
    );
    const remaining = all.map((r) => Number(r.headers.get('x-ratelimit-remaining'))).sort((x, y) => x - y);
    expect(new Set(remaining).size).toBe(40);
    expect(remaining[0]).toBe(60);
  });
});

describe('the Redis store', async () => {
  const skip = await serverUnavailable('redis');

  it.skipIf(skip)('gives concurrent hits on shared keys the counts they would get one by one', async () => {
    const prefix = `test:gw-store-${randomUUID()}:`;
    const stores = [new RedisStore(REDIS_URL, { prefix }), new RedisStore(REDIS_URL, { prefix })];
    try {
      await Promise.all(stores.map((s) => s.ready()));
      // 300 requests in the same ticks, over two stores (two replicas), each counting against
      // a key of its own plus one shared by all.
      const hits = await Promise.all(
        Array.from({ length: 300 }, (_, i) => {
          const keys = [`own:${i % 3}`, 'all', ...(i % 10 === 0 ? ['tenth'] : [])];
          return stores[i % 2]!.hit(
            keys,
            keys.map(() => 60_000),
          ).then((r) => ({ keys, r }));
        }),
      );
      const seen = new Map<string, number[]>();
      for (const { keys, r } of hits)
        keys.forEach((k, i) => {
          seen.set(k, [...(seen.get(k) ?? []), r[i]!.count]);
          expect(r[i]!.resetMs).toBeGreaterThan(0);
          expect(r[i]!.resetMs).toBeLessThanOrEqual(60_000);
        });
      const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
      const sorted = (k: string) => [...seen.get(k)!].sort((x, y) => x - y);
      expect(sorted('all')).toEqual(oneToN(300));
      expect(sorted('own:0')).toEqual(oneToN(100));
      expect(sorted('own:2')).toEqual(oneToN(100));
      expect(sorted('tenth')).toEqual(oneToN(30));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await deleteRedisKeys(prefix);
    }
  });
});

describe('rate limits with the store down', () => {
  let blackhole: Server;
  let port: number;
  let open: RunningGateway;
  let closed: RunningGateway;

  beforeAll(async () => {
    // A TCP port that accepts and immediately drops connections: Redis "down" without touching the real one.
    blackhole = createServer((s) => s.destroy());
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    port = (blackhole.address() as { port: number }).port;
    open = await startGateway(config('down-open', 'open'), { redisUrl: `redis://127.0.0.1:${port}` });
    closed = await startGateway(config('down-closed', 'closed'), { redisUrl: `redis://127.0.0.1:${port}` });
  }, 20_000);
  afterAll(async () => {
    await open.close();
    await closed.close();
    blackhole.close();
  });

  it('lets requests through on a fail-open policy, without hanging', async () => {
    const t = Date.now();
    const res = await fetch(`${open.url}/api/v1/orders`);
    expect(res.status).toBe(200);
    expect(Date.now() - t).toBeLessThan(1500);
  });

  it('refuses requests with 503 on a fail-closed policy, without hanging', async () => {
    const t = Date.now();
    const res = await fetch(`${closed.url}/api/v1/strict`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await json(res)).code).toBe('service_unavailable');
    expect(Date.now() - t).toBeLessThan(1500);
  });

  it('shows in /metrics which fail mode applied', async () => {
    await fetch(`${open.url}/api/v1/orders`);
    await fetch(`${closed.url}/api/v1/strict`);
    const a = await (await fetch(`${open.url}/metrics`)).text();
    const b = await (await fetch(`${closed.url}/metrics`)).text();
    expect(a).toMatch(
      /portico_gateway_ratelimit_decisions_total\{policy="per-caller",decision="store_failed_open"\} [1-9]/,
    );
    expect(b).toMatch(
      /portico_gateway_ratelimit_decisions_total\{policy="strict",decision="store_failed_closed"\} [1-9]/,
    );
  });
});

describe('rate limits when Redis goes away and comes back', async () => {
  const skip = await serverUnavailable('redis');
  const prefix = `gw-${randomUUID()}`;
  const redis = new URL(REDIS_URL);
  let proxy: Server;
  let port = 0;
  const sockets = new Set<import('node:net').Socket>();
  let gw: RunningGateway;

  /** A TCP proxy to the real Redis, so "Redis down" never touches the machine's Redis. */
  async function startProxy(): Promise<void> {
    proxy = createServer((client) => {
      const upstream = connect(Number(redis.port || 6379), redis.hostname);
      sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
    port = (proxy.address() as { port: number }).port;
  }
  async function killProxy(): Promise<void> {
    const closed = new Promise((r) => proxy.close(r));
    for (const s of sockets) s.destroy();
    await closed;
  }

  beforeAll(async () => {
    if (skip) return;
    await startProxy();
    gw = await startGateway(config(prefix, 'open'), { redisUrl: `redis://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    if (skip) return;
    await gw.close();
    await killProxy().catch(() => {});
    await deleteRedisKeys(`test:${prefix}:`);
  });

  it.skipIf(skip)(
    'applies each policy’s fail mode at once while Redis is unreachable, then counts again',
    async () => {
      const up = await fetch(`${gw.url}/api/v1/strict`);
      expect(up.status).toBe(200);
      expect(up.headers.get('x-ratelimit-remaining')).toBe('99');
      await killProxy();
      const t = Date.now();
      const [open, closed] = await Promise.all([
        fetch(`${gw.url}/api/v1/orders`),
        fetch(`${gw.url}/api/v1/strict`),
      ]);
      expect(open.status).toBe(200);
      expect(closed.status).toBe(503);
      expect(Date.now() - t).toBeLessThan(1500);
      await startProxy();
      await until(async () => (await fetch(`${gw.url}/api/v1/strict`)).status === 200, 8000);
      const back = await fetch(`${gw.url}/api/v1/strict`);
      expect(Number(back.headers.get('x-ratelimit-remaining'))).toBeLessThan(99);
    },
  );
});
