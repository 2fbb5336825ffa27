/**
 * Which answers the gateway keeps for an Idempotency-Key: only final ones. A 504, the service's
 * own 409 `idempotency_in_progress` and any 5xx release the key, so the client's retry reaches
 * the service and, once the work committed there, gets its answer (issue 15). And with Redis
 * down, keyed POSTs pass through to the service (which owns the key) instead of answering 503.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  json,
  makeConfig,
  startGateway,
  startServer,
  type RunningGateway,
  type TestServer,
} from './helpers.ts';

/** The upstream's answer per Idempotency-Key, consumed one per call; then 201. */
const script = new Map<string, { status: number; code?: string; delayMs?: number }[]>();
let upstream: TestServer;
let calls = 0;

beforeAll(async () => {
  upstream = await startServer((req, res) => {
    if (req.url!.startsWith('/health')) {
      res.writeHead(200).end('{}');
      return;
    }
    calls++;
    const key = String(req.headers['idempotency-key']);
    const step = script.get(key)?.shift() ?? { status: 201 };
    setTimeout(() => {
      if (res.destroyed) return;
      if (step.status === 201) {
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ key, call: calls }));
        return;
      }
      res
        .writeHead(step.status, { 'content-type': 'application/problem+json', 'retry-after': '1' })
        .end(JSON.stringify({ status: step.status, code: step.code }));
    }, step.delayMs ?? 0);
  });
});
afterAll(() => upstream?.close());

const routes = [
  {
    path: '/api/v1/payments',
    methods: ['POST'],
    service: 'payments',
    auth: 'optional' as const,
    timeouts: { first_byte: '200ms', total: '1s' },
  },
];

function post(gw: RunningGateway, key: string) {
  return fetch(`${gw.url}/api/v1/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ amount: 1 }),
  });
}

describe('Idempotency-Key: only final answers are kept', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway(makeConfig({ payments: [upstream.url] }, routes));
  });
  afterAll(() => gw?.close());

  it('does not keep a 504: the retry after the work finished gets the 201', async () => {
    const key = randomUUID();
    script.set(key, [{ status: 201, delayMs: 600 }]);
    const first = await post(gw, key);
    expect(first.status).toBe(504);
    const retry = await post(gw, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    const again = await post(gw, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it("passes on the service's 409 idempotency_in_progress without keeping it", async () => {
    const key = randomUUID();
    script.set(key, [{ status: 409, code: 'idempotency_in_progress' }]);
    const busy = await post(gw, key);
    expect(busy.status).toBe(409);
    expect((await json(busy)).code).toBe('idempotency_in_progress');
    expect(busy.headers.get('retry-after')).toBe('1');
    const retry = await post(gw, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('does not keep a 503 or a 429', async () => {
    const key = randomUUID();
    // The gateway itself retries a 503 (twice, for a keyed POST): three in a row reach the client.
    const unavailable = { status: 503, code: 'service_unavailable' };
    script.set(key, [{ status: 429, code: 'rate_limited' }, unavailable, unavailable, unavailable]);
    expect((await post(gw, key)).status).toBe(429);
    expect((await post(gw, key)).status).toBe(503);
    expect((await post(gw, key)).status).toBe(201);
  });

  it('keeps a final 409 (a business conflict) and replays it', async () => {
    const key = randomUUID();
    script.set(key, [{ status: 409, code: 'conflict' }]);
    expect((await post(gw, key)).status).toBe(409);
    const before = calls;
    const replay = await post(gw, key);
    expect(replay.status).toBe(409);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(calls).toBe(before);
  });
});

describe('Idempotency-Key while Redis is down', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    // A port nothing listens on: Redis is down for this gateway's whole life.
    const closed = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => resolve(port));
      });
    });
    gw = await startGateway(makeConfig({ payments: [upstream.url] }, routes), {
      redisUrl: `redis://127.0.0.1:${closed}`,
    });
  });
  afterAll(() => gw?.close());

  it('passes keyed POSTs through to the service instead of answering 503', async () => {
    const key = randomUUID();
    const before = calls;
    const res = await post(gw, key);
    expect(res.status).toBe(201);
    expect(calls).toBe(before + 1);
  });

  it('says it is not ready, naming the store', async () => {
    const res = await fetch(`${gw.url}/health/ready`);
    expect(res.status).toBe(503);
    expect(await json(res)).toMatchObject({ status: 'degraded', store: 'failing' });
  });
});
