import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  echoService,
  json,
  makeConfig,
  ejected,
  sleep,
  startGateway,
  startIdentity,
  startServer,
  until,
  type Identity,
  type RunningGateway,
  type TestServer,
} from './helpers.ts';

let identity: Identity;

beforeAll(async () => {
  identity = await startIdentity();
});
afterAll(async () => identity.close());

async function freePort(): Promise<number> {
  const s = await startServer(() => {});
  const port = s.port;
  await s.close();
  return port;
}

async function breakerState(gw: RunningGateway, service: string): Promise<number | null> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const m = new RegExp(`portico_gateway_breaker_state\\{service="${service}",[^}]*\\} (\\d)`).exec(text);
  return m ? Number(m[1]) : null;
}

describe('an upstream that is down', () => {
  let gw: RunningGateway;
  let port: number;
  let revived: TestServer | null = null;

  beforeAll(async () => {
    port = await freePort();
    gw = await startGateway(
      makeConfig(
        { orders: [`http://127.0.0.1:${port}`], identity: [identity.url] },
        [{ prefix: '/api/v1/orders', service: 'orders', auth: 'none' }],
        {
          services: {
            orders: {
              instances: [],
              breaker: { failures: 3, cooldown: '500ms' },
              timeouts: { connect: '500ms' },
              health: false,
            },
          },
        },
      ),
    );
  });
  afterAll(async () => {
    await gw.close();
    await revived?.close();
  });

  it('answers 503 problem+json with Retry-After within the connect timeout', async () => {
    const t = Date.now();
    const res = await fetch(`${gw.url}/api/v1/orders`);
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await json(res)).code).toBe('service_unavailable');
    expect(Date.now() - t).toBeLessThan(1000);
  });

  it('opens the breaker, half-opens after the cooldown and closes once the upstream recovers', async () => {
    for (let i = 0; i < 3; i++) await fetch(`${gw.url}/api/v1/orders`);
    expect(await breakerState(gw, 'orders')).toBe(2);
    const open = await fetch(`${gw.url}/api/v1/orders`);
    expect(open.status).toBe(503);
    revived = await echoService('orders', port);
    await sleep(550);
    const probe = await fetch(`${gw.url}/api/v1/orders`);
    expect(probe.status).toBe(200);
    expect(await breakerState(gw, 'orders')).toBe(0);
  });
});

describe('a slow upstream', () => {
  let slow: TestServer;
  let gw: RunningGateway;
  beforeAll(async () => {
    slow = await startServer((req, res) => {
      if (req.url!.startsWith('/health')) return void res.end('{}');
      setTimeout(() => res.writeHead(200).end('late'), 1500);
    });
    gw = await startGateway(
      makeConfig({ slow: [slow.url], identity: [identity.url] }, [
        { prefix: '/api/v1/slow', service: 'slow', auth: 'none', timeouts: { total: '300ms' }, retry: false },
      ]),
    );
  });
  afterAll(async () => {
    await gw.close();
    await slow.close();
  });

  it('answers 504 at the timeout', async () => {
    const t = Date.now();
    const res = await fetch(`${gw.url}/api/v1/slow`);
    expect(res.status).toBe(504);
    expect((await json(res)).code).toBe('gateway_timeout');
    expect(Date.now() - t).toBeLessThan(1200);
  });
});

describe('retries', () => {
  let broken: TestServer;
  let healthy: TestServer;
  let gw: RunningGateway;
  let postsSeen = 0;

  beforeAll(async () => {
    broken = await startServer((req, res) => {
      if (req.url!.startsWith('/health')) return void res.end('{}');
      if (req.method === 'POST') postsSeen++;
      req.socket.destroy(); // connection reset after the request was sent
    });
    healthy = await echoService('orders');
    gw = await startGateway(
      makeConfig(
        { orders: [broken.url, healthy.url], identity: [identity.url] },
        [{ prefix: '/api/v1/orders', service: 'orders', auth: 'none' }],
        {
          services: { orders: { instances: [], breaker: { failures: 1000, cooldown: '10s' } } },
        },
      ),
    );
  });
  afterAll(async () => {
    await gw.close();
    await broken.close();
    await healthy.close();
  });

  it('retries a GET after a connection reset on a healthy instance', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${gw.url}/api/v1/orders/${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/portico_gateway_upstream_retries_total\{service="orders"\} [1-9]/);
  });

  it('never retries a POST without an Idempotency-Key', async () => {
    const results: number[] = [];
    postsSeen = 0;
    for (let i = 0; i < 4; i++)
      results.push((await fetch(`${gw.url}/api/v1/orders`, { method: 'POST', body: '{}' })).status);
    // Half the POSTs land on the broken instance: each is answered 502, and it saw each only once.
    expect(results.filter((s) => s === 502).length).toBe(postsSeen);
    expect(postsSeen).toBeGreaterThan(0);
  });

  it('retries a POST that carries an Idempotency-Key', async () => {
    const results: number[] = [];
    for (let i = 0; i < 4; i++)
      results.push(
        (
          await fetch(`${gw.url}/api/v1/orders`, {
            method: 'POST',
            body: '{}',
            headers: { 'idempotency-key': `k-${i}-${Date.now()}` },
          })
        ).status,
      );
    expect(results).toEqual([201, 201, 201, 201]);
  });
});

describe('an instance killed under load', () => {
  let a: TestServer;
  let b: TestServer;
  let gw: RunningGateway;

  beforeAll(async () => {
    a = await echoService('orders');
    b = await echoService('orders');
    gw = await startGateway(
      makeConfig(
        { orders: [a.url, b.url], identity: [identity.url] },
        [{ prefix: '/api/v1/orders', service: 'orders', auth: 'none' }],
        {
          services: {
            orders: {
              instances: [],
              breaker: { failures: 3, cooldown: '5s' },
              timeouts: { connect: '300ms' },
            },
          },
        },
      ),
    );
  });
  afterAll(async () => {
    await gw.close();
    await b.close();
  });

  it('fails no request once the dead instance is ejected (and GETs are retried meanwhile)', async () => {
    const failures: { at: number; status: number }[] = [];
    let ok = 0;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const res = await fetch(`${gw.url}/api/v1/orders`).catch(() => null);
        if (res?.status === 200) ok++;
        else failures.push({ at: Date.now(), status: res?.status ?? 0 });
        await res?.arrayBuffer();
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await sleep(300);
    const dead = a.url;
    await a.close();
    // Ejected: its breaker opened or the active health check marked it down.
    await until(() => ejected(gw.url, 'orders', dead), 3000);
    const ejectedAt = Date.now();
    await sleep(700);
    stop = true;
    await Promise.all(workers);
    expect(ok).toBeGreaterThan(50);
    expect(failures.filter((f) => f.at >= ejectedAt)).toEqual([]);
    expect(failures).toEqual([]);
  });
});

describe('least-request balancing', () => {
  let slow: TestServer;
  let fast: TestServer;
  let gw: RunningGateway;
  beforeAll(async () => {
    slow = await startServer((req, res) => {
      if (req.url!.startsWith('/health')) return void res.end('{}');
      setTimeout(() => res.writeHead(200).end('slow'), 300);
    });
    fast = await startServer((req, res) => {
      if (req.url!.startsWith('/health')) return void res.end('{}');
      setTimeout(() => res.writeHead(200).end('fast'), 5);
    });
    gw = await startGateway(
      makeConfig(
        { orders: [slow.url, fast.url], identity: [identity.url] },
        [{ prefix: '/api/v1/orders', service: 'orders', auth: 'none' }],
        {
          services: { orders: { instances: [], balancing: 'least_request' } },
        },
      ),
    );
  });
  afterAll(async () => {
    await gw.close();
    await slow.close();
    await fast.close();
  });

  it('sends new requests to the instance with fewer requests in flight', async () => {
    const bodies: string[] = [];
    const workers = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 8; i++) bodies.push(await (await fetch(`${gw.url}/api/v1/orders`)).text());
    });
    await Promise.all(workers);
    const fastShare = bodies.filter((b) => b === 'fast').length / bodies.length;
    expect(fastShare).toBeGreaterThan(0.75);
  });
});
