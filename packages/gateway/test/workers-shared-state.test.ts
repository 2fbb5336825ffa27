/**
 * `workers: 2` without Redis: an Idempotency-Key reserved on one worker is reserved on both (the
 * main thread holds the records), so retries that land on different workers reach the upstream
 * once and replay one answer; a breaker one worker opens is open on the other too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { makeConfig, quietLogger, SECRET, startServer, until, type TestServer } from './helpers.ts';
import { MessageChannel } from 'node:worker_threads';
import { startGatewayWorkers, type GatewayWorkerPool } from '../src/index.ts';
import { MemoryStore } from '../src/store/memory.ts';
import { serveSharedState, SharedStateClient } from '../src/workers/state-channel.ts';

let payments: TestServer;
let broken: TestServer;
let pool: GatewayWorkerPool;
let executed = 0;

beforeAll(async () => {
  payments = await startServer((req, res, body) => {
    if (req.url!.startsWith('/health')) {
      res.writeHead(200).end('{}');
      return;
    }
    const n = ++executed;
    // Slow enough that concurrent retries overlap the first one.
    setTimeout(() => {
      res.writeHead(201, { 'content-type': 'application/json', location: `/api/v1/payments/${n}` });
      res.end(JSON.stringify({ id: n, received: JSON.parse(body.toString() || '{}') }));
    }, 150);
  });
  broken = await startServer((req, res) => {
    if (req.url!.startsWith('/health')) res.writeHead(200).end('{}');
    else res.writeHead(502).end();
  });
  pool = await startGatewayWorkers({
    workers: 2,
    config: makeConfig(
      { payments: [payments.url], broken: [broken.url] },
      [
        { path: '/api/v1/payments', methods: ['POST'], service: 'payments', auth: 'none' },
        { path: '/api/v1/broken', methods: ['GET'], service: 'broken', auth: 'none', retry: false },
      ],
      {
        workers: 2,
        services: { broken: { instances: [], breaker: { failures: 3, cooldown: '1m' }, health: false } },
      },
    ),
    passportSecret: SECRET,
    logger: quietLogger,
    port: 0,
    host: '127.0.0.1',
  });
}, 90_000);

afterAll(async () => {
  await pool?.close();
  await payments?.close();
  await broken?.close();
});

interface Answer {
  status: number;
  worker: string;
  replayed: boolean;
  body: string;
}

/** One GET on a connection of its own; answers with the status and the worker that served it. */
async function getFresh(path: string): Promise<{ status: number; worker: string }> {
  return await new Promise((resolve, reject) => {
    const req = request(`${pool.url}${path}`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode!, worker: String(res.headers['x-portico-worker']) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** One POST on a connection of its own: the kernel picks the worker anew each time. */
function post(key: string, amount: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${pool.url}/api/v1/payments`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            worker: String(res.headers['x-portico-worker']),
            replayed: res.headers['idempotent-replayed'] === 'true',
            body,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ amount }));
  });
}

describe('two gateway workers share idempotency records', () => {
  it('sends concurrent retries on many connections upstream once, whichever worker takes them', async () => {
    const key = randomUUID();
    const before = executed;
    const concurrent = await Promise.all(Array.from({ length: 16 }, () => post(key, 100)));
    const statuses = concurrent.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);

    // Later retries replay the one answer, from both workers.
    const first = concurrent.find((a) => a.status === 201)!;
    const replays: Answer[] = [];
    for (let i = 0; i < 40 && new Set(replays.map((r) => r.worker)).size < 2; i++)
      replays.push(await post(key, 100));
    expect(new Set(replays.map((r) => r.worker))).toEqual(new Set(['0', '1']));
    for (const r of replays) {
      expect(r.status).toBe(201);
      expect(r.replayed).toBe(true);
      expect(r.body).toBe(first.body);
    }
    expect(executed - before).toBe(1);
  });

  it('refuses the key with another body on either worker', async () => {
    const key = randomUUID();
    expect((await post(key, 1)).status).toBe(201);
    const seen = new Map<string, number>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const a = await post(key, 2);
      seen.set(a.worker, a.status);
    }
    expect([...seen.values()]).toEqual([422, 422]);
  });
});

describe('two gateway workers share breaker state', () => {
  it('opens the breaker on both workers when one sees the upstream fail', async () => {
    // Three failures on one keep-alive connection: one worker sees them all.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const res = await new Promise<{ status: number; worker: string }>((resolve, reject) => {
        const req = request(`${pool.url}/api/v1/broken`, { agent }, (r) => {
          r.resume();
          r.on('end', () =>
            resolve({ status: r.statusCode!, worker: String(r.headers['x-portico-worker']) }),
          );
        });
        req.on('error', reject);
        req.end();
      });
      expect(res.status).toBe(502);
      seen.add(res.worker);
    }
    agent.destroy();
    expect(seen.size).toBe(1);
    expect(broken.apiHits).toBe(3);

    // The other worker adopts the open breaker: neither sends the upstream another request.
    await until(async () => {
      const m = await (await fetch(`${pool.url}/metrics`)).text();
      return (m.match(/portico_gateway_breaker_state\{[^}]*service="broken"[^}]*\} 2/g) ?? []).length === 2;
    }, 10_000);
    const workers = new Set<string>();
    for (let i = 0; i < 40 && workers.size < 2; i++) {
      const res = await getFresh('/api/v1/broken');
      expect(res.status).toBe(503);
      workers.add(res.worker);
    }
    expect(workers).toEqual(new Set(['0', '1']));
    expect(broken.apiHits).toBe(3);
  });
});

describe('the main thread’s shared state', () => {
  it('lets a WebSocket ticket minted through one worker’s port be taken once through another’s', async () => {
    const store = new MemoryStore();
    const ports = [new MessageChannel(), new MessageChannel()];
    for (const c of ports) serveSharedState(c.port1, store);
    const [a, b] = ports.map((c) => new SharedStateClient(c.port2));
    try {
      await a!.ticketPut('t1', 'principal', 30_000);
      expect(await b!.ticketTake('t1')).toBe('principal');
      expect(await a!.ticketTake('t1')).toBeNull();
    } finally {
      a!.close();
      b!.close();
      for (const c of ports) c.port1.close();
      await store.close();
    }
  });
});
