import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { request as rawRequest } from 'node:http';
import {
  echoService,
  json,
  makeConfig,
  startGateway,
  startIdentity,
  type Echo,
  type Identity,
  type RunningGateway,
  type TestServer,
} from './helpers.ts';

let orders: TestServer;
let identity: Identity;
let gw: RunningGateway;

beforeAll(async () => {
  orders = await echoService('orders');
  identity = await startIdentity();
  gw = await startGateway(
    makeConfig(
      { orders: [orders.url], identity: [identity.url] },
      [
        {
          name: 'order',
          path: '/api/v1/orders/{id}',
          methods: ['GET', 'DELETE'],
          service: 'orders',
          auth: 'none',
          rewrite: '/internal/orders/{id}',
        },
        { name: 'orders', prefix: '/api/v1/orders', service: 'orders', auth: 'none', cors: 'web' },
        {
          name: 'legacy',
          prefix: '/api/v0/orders',
          service: 'orders',
          auth: 'none',
          rewrite: '/api/v1/orders',
          deprecated: { since: '2026-01-01', sunset: '2999-01-01T00:00:00Z', successor: '/api/v1/orders' },
        },
        {
          name: 'retired',
          path: '/api/v0/carts',
          methods: ['GET'],
          service: 'orders',
          auth: 'none',
          deprecated: { sunset: '2020-01-01', successor: '/api/v1/carts' },
        },
        {
          name: 'small',
          path: '/api/v1/small',
          methods: ['POST'],
          service: 'orders',
          auth: 'none',
          body_limit: '1kb',
        },
      ],
      {
        trusted_proxies: ['127.0.0.1'],
        cors: { web: { origins: ['https://app.example'], credentials: true } },
      },
    ),
  );
});

afterAll(async () => {
  await gw.close();
  await orders.close();
  await identity.close();
});

describe('edge behaviour', () => {
  it('answers an unmatched path with a 404 problem carrying the request id', async () => {
    const res = await fetch(`${gw.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = await json(res);
    expect(body.code).toBe('not_found');
    expect(body.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const res = await fetch(`${gw.url}/api/v0/carts`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect((await json(res)).code).toBe('method_not_allowed');
  });

  it('keeps a well-formed X-Request-Id and replaces a malformed one', async () => {
    const kept = await fetch(`${gw.url}/api/v1/orders`, { headers: { 'x-request-id': 'client-req-12345' } });
    expect(kept.headers.get('x-request-id')).toBe('client-req-12345');
    expect((await json<Echo>(kept)).headers['x-request-id']).toBe('client-req-12345');
    const replaced = await fetch(`${gw.url}/api/v1/orders`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(replaced.headers.get('x-request-id')).not.toBe('bad id with spaces');
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('continues the trace and sends a new span upstream', async () => {
    const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const echo = await json<Echo>(
      await fetch(`${gw.url}/api/v1/orders`, { headers: { traceparent: incoming } }),
    );
    const tp = String(echo.headers.traceparent);
    expect(tp).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(tp).not.toBe(incoming);
  });

  it('rewrites a templated path and keeps the query', async () => {
    const echo = await json<Echo>(await fetch(`${gw.url}/api/v1/orders/42?expand=items`));
    expect(echo.url).toBe('/internal/orders/42?expand=items');
  });

  it('adds security headers, Server-Timing and drops X-Powered-By and hop-by-hop fields', async () => {
    const res = await fetch(`${gw.url}/api/v1/orders`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('server-timing')).toMatch(/gateway;dur=[\d.]+, upstream;dur=[\d.]+/);
  });

  it('sends X-Forwarded-* and appends the peer to a trusted proxy chain', async () => {
    const echo = await json<Echo>(
      await fetch(`${gw.url}/api/v1/orders`, {
        headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
      }),
    );
    expect(echo.headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(echo.headers['x-forwarded-proto']).toBe('https');
    expect(echo.headers['x-forwarded-host']).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('refuses a declared body over the route limit with 413 before the upstream sees it', async () => {
    const before = orders.apiHits;
    const res = await fetch(`${gw.url}/api/v1/small`, { method: 'POST', body: 'x'.repeat(2048) });
    expect(res.status).toBe(413);
    expect((await json(res)).code).toBe('payload_too_large');
    expect(orders.apiHits).toBe(before);
  });

  it('refuses a chunked body that grows over the limit with 413', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = rawRequest(
        `${gw.url}/api/v1/small`,
        { method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 4; i++) req.write('y'.repeat(512));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('reads the rest of a refused body, so the client sees its 413 and keeps the connection', async () => {
    const socket = connect(Number(new URL(gw.url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    const body = 'x'.repeat(64 * 1024);
    const rounds = 32; // 2 MiB, sent after the gateway has answered
    socket.write(`POST /api/v1/small HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length * rounds}\r\n\r\n`);
    await expect.poll(() => received, { timeout: 5_000 }).toContain('413');
    for (let i = 0; i < rounds; i++) {
      await new Promise<void>((resolve, reject) =>
        socket.write(body, (err) => (err ? reject(err) : resolve())),
      );
    }
    socket.write('GET /api/v1/orders HTTP/1.1\r\nhost: x\r\n\r\n');
    await expect
      .poll(() => received.match(/HTTP\/1\.1 \d{3}/g), { timeout: 5_000 })
      .toEqual(['HTTP/1.1 413', 'HTTP/1.1 200']);
    socket.end();
    await closed;
  });

  it('stops reading a refused body after its bound and closes', async () => {
    const socket = connect(Number(new URL(gw.url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(`POST /api/v1/small HTTP/1.1\r\nhost: x\r\ncontent-length: ${1024 ** 3}\r\n\r\n`);
    const chunk = Buffer.alloc(256 * 1024, 'x');
    let sent = 0;
    while (!socket.destroyed && sent < 64 * 1024 * 1024) {
      const ok = await new Promise<boolean>((resolve) => socket.write(chunk, (err) => resolve(!err)));
      if (!ok) break;
      sent += chunk.length;
    }
    await closed;
    expect(received).toContain('HTTP/1.1 413');
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses dot segments in the path', async () => {
    const status = await new Promise<number>((resolve) => {
      rawRequest(
        `${gw.url}/api/v1/orders/../../internal/api-keys/verify`,
        { method: 'GET', path: '/api/v1/orders/%2e%2e/secret' },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      ).end();
    });
    expect(status).toBe(400);
  });

  it('refuses a path with a bad percent-encoding with 400 problem+json, before the upstream', async () => {
    const hits = orders.apiHits;
    for (const path of ['/api/v1/orders/%ZZ', '/api/v1/orders/%C0%AF', '/api/v1/orders/50%']) {
      const res = await fetch(`${gw.url}${path}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const body = await json<{ code: string; detail: string }>(res);
      expect(body.code).toBe('malformed_request');
      expect(body.detail).toContain('percent-encoding');
    }
    expect(orders.apiHits).toBe(hits);
    // A well-formed escape still goes through.
    expect((await fetch(`${gw.url}/api/v1/orders/a%20b`)).status).toBe(200);
  });

  it("answers what Node's parser refuses with a problem too: 431 for oversized headers, 400 for bad HTTP", async () => {
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const { port } = new URL(gw.url);
        const sock = connect(Number(port), '127.0.0.1', () => sock.write(request));
        let text = '';
        sock.on('data', (d) => (text += d.toString()));
        sock.on('end', () => resolve(text));
        sock.on('error', reject);
      });
    const big = await raw(`GET /api/v1/orders?q=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: a\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(big).toContain('content-type: application/problem+json');
    const bigBody = JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4));
    expect(bigBody).toMatchObject({ status: 431, code: 'request_headers_too_large' });
    const bad = await raw('GET /api/v1/orders HTTP/1.1\r\nHost a\r\n\r\n');
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(bad.slice(bad.indexOf('\r\n\r\n') + 4))).toMatchObject({ code: 'malformed_request' });
  });

  it('marks a deprecated route with Deprecation, Sunset and a successor link', async () => {
    const res = await fetch(`${gw.url}/api/v0/orders/7`);
    expect(res.status).toBe(200);
    expect(res.headers.get('deprecation')).toBe(`@${Date.parse('2026-01-01') / 1000}`);
    expect(res.headers.get('sunset')).toBe('Tue, 01 Jan 2999 00:00:00 GMT');
    expect(res.headers.get('link')).toBe('</api/v1/orders>; rel="successor-version"');
    expect((await json<Echo>(res)).url).toBe('/api/v1/orders/7');
  });

  it('answers 410 after the sunset date', async () => {
    const res = await fetch(`${gw.url}/api/v0/carts`);
    expect(res.status).toBe(410);
    expect(res.headers.get('link')).toContain('successor-version');
    expect((await json(res)).code).toBe('gone');
  });

  it('answers a CORS preflight for an allowed origin, with credentials and never *', async () => {
    const res = await fetch(`${gw.url}/api/v1/orders`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type');
    const other = await fetch(`${gw.url}/api/v1/orders`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('adds CORS headers to actual responses for allowed origins only', async () => {
    const ok = await fetch(`${gw.url}/api/v1/orders`, { headers: { origin: 'https://app.example' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(ok.headers.get('vary')).toContain('Origin');
    expect(ok.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
    const no = await fetch(`${gw.url}/api/v1/orders`, { headers: { origin: 'https://evil.example' } });
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
  });
});
