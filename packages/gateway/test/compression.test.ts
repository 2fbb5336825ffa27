/**
 * Response compression through the gateway: what the client receives (raw bytes, undecoded) for
 * each Accept-Encoding and kind of answer, decoded back to exactly what the service sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { negotiate } from '../src/edge/compression.ts';
import {
  makeConfig,
  startGateway,
  startIdentity,
  startServer,
  type Identity,
  type RunningGateway,
  type TestServer,
} from './helpers.ts';

let identity: Identity;
let upstream: TestServer;
let gw: RunningGateway;

const big = JSON.stringify({ data: Array.from({ length: 200 }, (_, i) => ({ id: i, title: `task ${i}` })) });
const small = JSON.stringify({ ok: true });
const png = Buffer.alloc(4096, 7);

beforeAll(async () => {
  identity = await startIdentity();
  upstream = await startServer((req, res) => {
    const path = req.url!;
    if (path.startsWith('/health')) return void res.end('{}');
    const json = { 'content-type': 'application/json; charset=utf-8' };
    switch (path) {
      case '/big':
        // Known length: compressed in one call; /chunked (unknown length) goes through a zlib stream.
        return void res
          .writeHead(req.method === 'POST' ? 201 : 200, {
            ...json,
            etag: '"v1"',
            'content-length': big.length,
          })
          .end(big);
      case '/small':
        return void res.writeHead(200, { ...json, 'content-length': small.length }).end(small);
      case '/vary':
        return void res.writeHead(200, { ...json, vary: 'Accept-Language' }).end(big);
      case '/no-transform':
        return void res.writeHead(200, { ...json, 'cache-control': 'no-transform' }).end(big);
      case '/encoded':
        return void res.writeHead(200, { ...json, 'content-encoding': 'gzip' }).end(gzipSync(big));
      case '/png':
        return void res.writeHead(200, { 'content-type': 'image/png' }).end(png);
      case '/chunked':
        res.writeHead(200, json);
        res.write(big.slice(0, 100));
        return void setTimeout(() => res.end(big.slice(100)), 10);
      case '/events':
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${big}\n\n`);
        return void res.end();
    }
    res.writeHead(404).end();
  });
  gw = await startGateway(
    makeConfig(
      { tasks: [upstream.url], identity: [identity.url] },
      [{ prefix: '/', service: 'tasks', auth: 'none', idempotency: true }],
      { compression: { enabled: true, threshold: '1kb' } },
    ),
  );
});

afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await identity?.close();
});

async function get(
  path: string,
  acceptEncoding?: string,
  method: 'GET' | 'HEAD' | 'POST' = 'GET',
  extra = {},
) {
  const res = await request(`${gw.url}${path}`, {
    method,
    headers: { ...(acceptEncoding !== undefined && { 'accept-encoding': acceptEncoding }), ...extra },
    ...(method === 'POST' && { body: '{}' }),
  });
  const raw = Buffer.from(await res.body.arrayBuffer());
  const h = res.headers as Record<string, string | undefined>;
  return { status: res.statusCode, raw, encoding: h['content-encoding'] ?? null, vary: h.vary ?? null, h };
}

describe('compression', () => {
  it('gzips or brotli-encodes a large JSON answer as the client prefers, with Vary and a weak ETag', async () => {
    const gz = await get('/big', 'gzip');
    expect(gz.encoding).toBe('gzip');
    expect(gunzipSync(gz.raw).toString()).toBe(big);
    expect(gz.raw.length).toBeLessThan(big.length / 3);
    expect(gz.vary).toBe('accept-encoding');
    expect(gz.h.etag).toBe('W/"v1"');
    expect(gz.h['content-length']).toBeUndefined();

    const br = await get('/big', 'gzip;q=0.5, br');
    expect(br.encoding).toBe('br');
    expect(brotliDecompressSync(br.raw).toString()).toBe(big);

    // The service's Vary is kept and extended.
    expect((await get('/vary', 'gzip')).vary).toBe('Accept-Language, accept-encoding');
  });

  it('sends identity when the client does not accept a coding, still saying the answer varies', async () => {
    for (const accept of [undefined, 'identity', 'gzip;q=0, br;q=0', '*;q=0', 'deflate']) {
      const res = await get('/big', accept);
      expect(res.encoding, String(accept)).toBeNull();
      expect(res.raw.toString()).toBe(big);
      expect(res.h.etag).toBe('"v1"');
    }
    expect((await get('/big', 'identity')).vary).toBe('accept-encoding');
  });

  it('leaves alone small answers, images, event streams, encoded bodies, no-transform and HEAD', async () => {
    const small1 = await get('/small', 'gzip, br');
    expect([small1.encoding, small1.vary, small1.raw.toString()]).toEqual([null, null, small]);
    const image = await get('/png', 'gzip, br');
    expect([image.encoding, image.raw.equals(png)]).toEqual([null, true]);
    const events = await get('/events', 'gzip, br');
    expect([events.encoding, events.raw.toString()]).toEqual([null, `data: ${big}\n\n`]);
    const encoded = await get('/encoded', 'gzip, br');
    expect(encoded.encoding).toBe('gzip');
    expect(gunzipSync(encoded.raw).toString()).toBe(big);
    expect((await get('/no-transform', 'gzip')).encoding).toBeNull();
    const head = await get('/big', 'gzip', 'HEAD');
    expect([head.status, head.encoding, head.raw.length]).toEqual([200, null, 0]);
  });

  it('compresses a streamed (chunked) answer and a POST held back for its Idempotency-Key', async () => {
    const chunked = await get('/chunked', 'br');
    expect(brotliDecompressSync(chunked.raw).toString()).toBe(big);
    const held = await get('/big', 'gzip', 'POST', {
      'idempotency-key': `compress-${Date.now()}`,
      'content-type': 'application/json',
    });
    expect([held.status, held.encoding]).toEqual([201, 'gzip']);
    expect(gunzipSync(held.raw).toString()).toBe(big);
  });

  it('reads Accept-Encoding by RFC 9110 §12.5.3 q-values', () => {
    const both = ['br', 'gzip'] as const;
    const cases: [string | undefined, 'br' | 'gzip' | null][] = [
      [undefined, null],
      ['', null],
      ['gzip', 'gzip'],
      ['gzip, br', 'br'],
      ['br;q=0.2, gzip;q=0.8', 'gzip'],
      ['BR;Q=1, gzip', 'br'],
      ['*', 'br'],
      ['gzip;q=0.5, *;q=0.1', 'gzip'],
      ['br;q=0, *', 'gzip'],
      ['*;q=0', null],
      ['x-gzip', 'gzip'],
      ['identity;q=1, *;q=0', null],
      ['gzip;q=0', null],
      ['br;q=1.0, gzip;q=1', 'br'],
    ];
    for (const [accept, want] of cases) expect(negotiate(accept, both), String(accept)).toBe(want);
    expect(negotiate('gzip, br', ['gzip', 'br'])).toBe('gzip');
  });
});
