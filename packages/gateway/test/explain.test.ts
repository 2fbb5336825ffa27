/**
 * `explain` walks the gateway's own step list: for each request below, what it predicts is what
 * the running gateway answers (status and problem code), from edge hygiene to the upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { explain } from '../src/index.ts';
import type { GatewayConfig } from '../src/index.ts';
import {
  echoService,
  makeConfig,
  startGateway,
  startIdentity,
  type Identity,
  type RunningGateway,
  type TestServer,
} from './helpers.ts';

let orders: TestServer;
let identity: Identity;
let gw: RunningGateway;
let config: GatewayConfig;

beforeAll(async () => {
  orders = await echoService('orders');
  identity = await startIdentity();
  config = makeConfig(
    { orders: [orders.url], identity: [identity.url] },
    [
      { name: 'order', path: '/api/v1/orders/{id}', methods: ['GET'], service: 'orders', auth: 'none' },
      { name: 'orders', prefix: '/api/v1/orders', service: 'orders', auth: 'optional', cors: 'web' },
      {
        name: 'retired',
        path: '/api/v0/carts',
        service: 'orders',
        auth: 'none',
        deprecated: { sunset: '2020-01-01' },
      },
      {
        name: 'small',
        path: '/api/v1/small',
        methods: ['POST'],
        service: 'orders',
        auth: 'none',
        body_limit: '1kb',
      },
      { name: 'private', path: '/api/v1/private', service: 'orders', auth: 'required' },
      { name: 'audit', path: '/api/v1/audit', service: 'orders', permission: 'audit-logs:read' },
    ],
    { cors: { web: { origins: ['https://app.example'] } }, batch: { enabled: true } },
  );
  gw = await startGateway(config);
});

afterAll(async () => {
  await gw?.close();
  await orders?.close();
  await identity?.close();
});

/** Sends the path as written (fetch would resolve `..`), returns status and problem code. */
function send(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; code: string | null }>((resolve, reject) => {
    const { hostname, port } = new URL(gw.url);
    const req = request({ hostname, port, path, method, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        const problem = String(res.headers['content-type']).startsWith('application/problem+json');
        resolve({
          status: res.statusCode!,
          code: problem ? (JSON.parse(text) as { code: string }).code : null,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `explain`'s outcome as a status and code (`401 unauthenticated`); null when it forwards. */
function predicted(outcome: string): { status: number; code: string | null } | null {
  if (outcome.startsWith('forward ')) return null;
  // The gateway's own routes and the batch endpoint answer 200 themselves.
  if (outcome.startsWith('answered by the gateway')) return { status: 200, code: null };
  const m = /^(\d{3}) (\S+)/.exec(outcome);
  if (!m) throw new Error(`unexpected outcome: ${outcome}`);
  return { status: Number(m[1]), code: m[2] === 'preflight' ? null : m[2]! };
}

describe('explain and the gateway agree', () => {
  it('on every step that can answer a request', async () => {
    const token = await identity.sign({ sub: 'u1', roles: ['user'] });
    const cases: [method: string, path: string, headers: Record<string, string>, body?: string][] = [
      ['GET', '/api/v1/../admin', {}],
      ['GET', '/api/v1/%zz', {}],
      ['GET', '/health/live', {}],
      [
        'OPTIONS',
        '/api/v1/orders',
        { origin: 'https://app.example', 'access-control-request-method': 'POST' },
      ],
      ['GET', '/nowhere', {}],
      ['POST', '/api/v1/orders/7', {}],
      ['GET', '/api/v0/carts', {}],
      ['POST', '/api/v1/small', { 'content-type': 'text/plain', 'content-length': '2000' }, 'x'.repeat(2000)],
      ['GET', '/api/v1/private', {}],
      ['GET', '/api/v1/private', { authorization: 'Basic dTpw' }],
      ['GET', '/api/v1/private', { authorization: 'Bearer ' }],
      ['GET', '/api/v1/audit', { authorization: `Bearer ${token}` }],
      ['GET', '/api/v1/private', { authorization: `Bearer ${token}` }],
      ['GET', '/api/v1/orders/7', { origin: 'https://app.example' }],
      ['POST', '/api/v1/orders', { 'idempotency-key': 'k-1', 'content-type': 'application/json' }, '{}'],
      ['POST', '/api/v1/orders', { 'idempotency-key': 'order/42', 'content-type': 'application/json' }, '{}'],
      [
        'POST',
        '/api/v1/batch',
        { 'content-type': 'application/json' },
        '{"operations":[{"method":"GET","path":"/api/v1/orders/7"}]}',
      ],
      ['POST', '/api/v1/batch', { authorization: 'Bearer ' }, '{}'],
      ['GET', '/api/v1/batch', {}],
    ];
    for (const [method, path, headers, body] of cases) {
      const e = explain(config, method, path, headers);
      const real = await send(method, path, headers, body);
      const what = `${method} ${path} ${JSON.stringify(headers)}: explain said ${e.outcome}`;
      const expected = predicted(e.outcome);
      if (expected === null) {
        // Forwarded: the echo upstream answered (200 or 201), not the gateway.
        expect(real.code, what).toBeNull();
        expect(real.status, what).toBeLessThan(300);
      } else expect(real, what).toEqual(expected);
    }
  });

  it('says which request id the gateway issues, as it issues them', async () => {
    const e = explain(config, 'GET', '/api/v1/orders/1');
    expect(e.steps[0]).toMatchObject({ step: 'request id', detail: expect.stringContaining('UUID (v4)') });
    const res = await fetch(`${gw.url}/api/v1/orders/1`);
    expect(res.headers.get('x-request-id')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    await res.arrayBuffer();
  });
});
