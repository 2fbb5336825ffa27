import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import { REDIS_URL, serverUnavailable } from '@portico/kit/testing';
import {
  deleteRedisKeys,
  json,
  makeConfig,
  startGateway,
  startIdentity,
  startServer,
  type Identity,
  type RunningGateway,
  type TestServer,
} from './helpers.ts';

let payments: TestServer;
let identity: Identity;
let calls = 0;
let delayMs = 0;
let failNext = false;

beforeAll(async () => {
  identity = await startIdentity();
  payments = await startServer((req, res, body) => {
    if (req.url!.startsWith('/health')) {
      res.writeHead(200).end('{}');
      return;
    }
    calls++;
    const n = calls;
    setTimeout(() => {
      if (failNext) {
        failNext = false;
        res.writeHead(500, { 'content-type': 'application/problem+json' }).end('{"code":"internal_error"}');
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json', location: `/api/v1/payments/${n}` });
      res.end(JSON.stringify({ id: n, received: JSON.parse(body.toString() || '{}') }));
    }, delayMs);
  });
});

afterAll(async () => {
  await payments.close();
  await identity.close();
});

for (const mode of ['memory', 'redis'] as const) {
  describe(`Idempotency-Key (${mode} store)`, async () => {
    const skip = mode === 'redis' ? await serverUnavailable('redis') : null;
    const prefix = `idem-${randomUUID()}`;
    let gw: RunningGateway;

    beforeAll(async () => {
      if (skip) return;
      gw = await startGateway(
        makeConfig(
          { payments: [payments.url], identity: [identity.url] },
          [{ path: '/api/v1/payments', methods: ['POST'], service: 'payments', auth: 'optional' }],
          {
            store: { prefix: `test:${prefix}:` },
          },
        ),
        mode === 'redis' ? { redisUrl: REDIS_URL } : {},
      );
    });
    afterAll(async () => {
      if (skip) return;
      await gw.close();
      if (mode === 'redis') {
        await deleteRedisKeys(`test:${prefix}:`);
      }
    });

    const post = (key: string, body: unknown, token?: string) =>
      fetch(`${gw.url}/api/v1/payments`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': key,
          ...(token && { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(body),
      });

    it.skipIf(skip)('sends two identical POSTs upstream once and replays the same response', async () => {
      const before = calls;
      const key = randomUUID();
      const first = await post(key, { amount: 100 });
      const second = await post(key, { amount: 100 });
      expect(calls - before).toBe(1);
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.headers.get('location')).toBe(first.headers.get('location'));
      expect(await second.text()).toBe(await first.text());
    });

    it.skipIf(skip)('answers 422 when the key is reused with a different body', async () => {
      const key = randomUUID();
      await post(key, { amount: 100 });
      const res = await post(key, { amount: 999 });
      expect(res.status).toBe(422);
      expect((await json(res)).code).toBe('idempotency_key_reused');
    });

    it.skipIf(skip)('answers 409 while the first request is still in flight', async () => {
      delayMs = 300;
      try {
        const key = randomUUID();
        const first = post(key, { amount: 5 });
        await new Promise((r) => setTimeout(r, 50));
        const second = await post(key, { amount: 5 });
        expect(second.status).toBe(409);
        expect((await json(second)).code).toBe('idempotency_in_progress');
        expect((await first).status).toBe(201);
      } finally {
        delayMs = 0;
      }
    });

    it.skipIf(skip)('scopes keys per caller', async () => {
      const key = randomUUID();
      const alice = await identity.sign({ sub: 'alice' });
      const bob = await identity.sign({ sub: 'bob' });
      const before = calls;
      await post(key, { amount: 1 }, alice);
      const res = await post(key, { amount: 2 }, bob);
      expect(res.status).toBe(201);
      expect(res.headers.get('idempotent-replayed')).toBeNull();
      expect(calls - before).toBe(2);
    });

    it.skipIf(skip)('does not store a 5xx: the key is released and a retry reaches the service', async () => {
      const key = randomUUID();
      failNext = true;
      const before = calls;
      expect((await post(key, { amount: 7 })).status).toBe(500);
      const retry = await post(key, { amount: 7 });
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      expect(calls - before).toBe(2);
    });
  });
}

describe('Idempotency-Key across two gateways sharing Redis', async () => {
  const skip = await serverUnavailable('redis');
  const prefix = `idem-x-${randomUUID()}`;
  let slowStore: Server;
  let a: RunningGateway;
  let b: RunningGateway;

  beforeAll(async () => {
    if (skip) return;
    // Gateway A reaches Redis through a proxy that holds each of its writes for 150 ms: its
    // response is stored well after the upstream answered.
    const redis = new URL(REDIS_URL);
    slowStore = createServer((client) => {
      const server = connect(Number(redis.port || 6379), redis.hostname);
      client.on('data', (chunk) => setTimeout(() => server.write(chunk), 150));
      server.pipe(client);
      client.on('close', () => server.destroy());
      server.on('close', () => client.destroy());
      client.on('error', () => server.destroy());
      server.on('error', () => client.destroy());
    });
    await new Promise<void>((r) => slowStore.listen(0, '127.0.0.1', r));
    const config = makeConfig(
      { payments: [payments.url], identity: [identity.url] },
      [{ path: '/api/v1/payments', methods: ['POST'], service: 'payments', auth: 'optional' }],
      { store: { prefix: `test:${prefix}:`, timeout: '2s' } },
    );
    a = await startGateway(config, {
      redisUrl: `redis://127.0.0.1:${(slowStore.address() as { port: number }).port}`,
    });
    b = await startGateway(config, { redisUrl: REDIS_URL });
  });
  afterAll(async () => {
    if (skip) return;
    await a.close();
    await b.close();
    slowStore.close();
    await deleteRedisKeys(`test:${prefix}:`);
  });

  it.skipIf(skip)(
    'replays on the other gateway a repeat sent the moment the first answer arrives',
    async () => {
      const key = randomUUID();
      const send = (gw: RunningGateway) =>
        fetch(`${gw.url}/api/v1/payments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ amount: 42 }),
        });
      const before = calls;
      const first = await send(a);
      const firstBody = await first.text();
      const repeat = await send(b);
      expect(first.status).toBe(201);
      expect(repeat.status).toBe(201);
      expect(repeat.headers.get('idempotent-replayed')).toBe('true');
      expect(await repeat.text()).toBe(firstBody);
      expect(calls - before).toBe(1);
    },
    10_000,
  );
});

describe('Idempotency-Key with a response over idempotency.max_body', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway(
      makeConfig(
        { payments: [payments.url], identity: [identity.url] },
        [{ path: '/api/v1/payments', methods: ['POST'], service: 'payments', auth: 'optional' }],
        { idempotency: { max_body: '1kb' } },
      ),
    );
  });
  afterAll(() => gw.close());

  it('streams it whole and does not store it: a repeat reaches the service again', async () => {
    const key = randomUUID();
    const note = 'x'.repeat(4000);
    const send = () =>
      fetch(`${gw.url}/api/v1/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ note }),
      });
    const before = calls;
    const first = await send();
    expect(first.status).toBe(201);
    expect((await json<{ received: { note: string } }>(first)).received.note).toBe(note);
    const repeat = await send();
    expect(repeat.status).toBe(201);
    expect(repeat.headers.get('idempotent-replayed')).toBeNull();
    expect(calls - before).toBe(2);
  });
});
