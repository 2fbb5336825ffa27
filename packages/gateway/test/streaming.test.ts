import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import {
  makeConfig,
  startGateway,
  startIdentity,
  startServer,
  until,
  type Identity,
  type RunningGateway,
  type TestServer,
} from './helpers.ts';

let identity: Identity;
let sse: TestServer;
let gw: RunningGateway;
let upstreamClosed = false;
let releaseEnd: (() => void) | null = null;

beforeAll(async () => {
  identity = await startIdentity();
  sse = await startServer((req, res) => {
    if (req.url!.startsWith('/health')) return void res.end('{}');
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let n = 0;
    const tick = setInterval(() => res.write(`id: ${++n}\nevent: notification\ndata: {"n":${n}}\n\n`), 50);
    res.on('close', () => {
      upstreamClosed = true;
      clearInterval(tick);
    });
    // The stream ends only when the test says so.
    releaseEnd = () => {
      clearInterval(tick);
      res.end();
    };
  });
  gw = await startGateway(
    makeConfig({ notifications: [sse.url], identity: [identity.url] }, [
      {
        path: '/api/v1/notifications/stream',
        methods: ['GET'],
        service: 'notifications',
        auth: 'none',
        timeouts: { total: '200ms', idle: '5s' },
      },
    ]),
  );
});

afterAll(async () => {
  await gw.close();
  await sse.close();
  await identity.close();
});

describe('streams', () => {
  it('delivers each SSE event before the upstream ends the stream, past the total timeout', async () => {
    upstreamClosed = false;
    const res = await fetch(`${gw.url}/api/v1/notifications/stream`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const started = Date.now();
    while (!text.includes('id: 6\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    // Six events, one every 50 ms, arrived while the upstream stream was still open
    // (and after the route's 200 ms total timeout, which does not apply to event streams).
    expect(text).toContain('data: {"n":1}');
    expect(text).toContain('id: 6\n');
    expect(upstreamClosed).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
    releaseEnd!();
    await reader.cancel();
  });

  it('cancels the upstream request when the client disconnects', async () => {
    upstreamClosed = false;
    await new Promise<void>((resolve, reject) => {
      const req = request(`${gw.url}/api/v1/notifications/stream`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
      req.end();
    });
    await until(() => upstreamClosed, 2000);
    expect(upstreamClosed).toBe(true);
  });
});
