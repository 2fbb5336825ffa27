/**
 * The gateway checks `Idempotency-Key` with the kit's grammar: a key the service would refuse
 * is refused here with the service's own answer, and nothing is forwarded or stored. A route
 * with `idempotency: false` ignores the key altogether.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  json,
  makeConfig,
  startGateway,
  startServer,
  type RunningGateway,
  type TestServer,
} from './helpers.ts';

let upstream: TestServer;
let gw: RunningGateway;
let forwarded = 0;

beforeAll(async () => {
  upstream = await startServer((req, res) => {
    if (req.url!.startsWith('/health')) return void res.writeHead(200).end('{}');
    forwarded++;
    res.writeHead(201, { 'content-type': 'application/json' }).end(`{"n":${forwarded}}`);
  });
  gw = await startGateway(
    makeConfig({ payments: [upstream.url] }, [
      { path: '/api/v1/payments', methods: ['POST'], service: 'payments', auth: 'none' },
      { path: '/api/v1/tokens', methods: ['POST'], service: 'payments', auth: 'none', idempotency: false },
    ]),
  );
});

afterAll(async () => {
  await gw.close();
  await upstream.close();
});

const post = (path: string, key: string) =>
  fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: '{}',
  });

describe('Idempotency-Key grammar at the gateway', () => {
  it('answers a key outside the grammar 422 validation_failed naming the header, forwarding nothing', async () => {
    const before = forwarded;
    for (let i = 0; i < 2; i++) {
      const res = await post('/api/v1/payments', 'order/42');
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('idempotent-replayed')).toBeNull();
      const body = await json(res);
      expect(body.code).toBe('validation_failed');
      expect(body.errors).toEqual([
        {
          field: 'Idempotency-Key',
          code: 'invalid_format',
          message: 'must be 1–255 characters of A-Z a-z 0-9 _ . : -',
        },
      ]);
    }
    expect(forwarded).toBe(before);
  });

  it('forwards a key inside the grammar', async () => {
    const res = await post('/api/v1/payments', 'order-42.a:b_c');
    expect(res.status).toBe(201);
  });

  it('ignores the key on a route with idempotency: false (the one opt-out)', async () => {
    const a = await post('/api/v1/tokens', 'order/42');
    const b = await post('/api/v1/tokens', 'order/42');
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });
});
