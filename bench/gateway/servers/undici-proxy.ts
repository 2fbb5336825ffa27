/**
 * The Node floor: node:http + one undici Pool, streaming the upstream answer back. No routing,
 * no policies: what any Node proxy costs at least. With `--headers`, it also sends the header
 * volume Portico sends (a passport-sized header, request id, traceparent, X-Forwarded-*; and on
 * the response the request id, nosniff, five rate-limit fields and Server-Timing), to separate
 * the cost of the bytes from the cost of the gateway's logic.
 */
import { createServer } from 'node:http';
import { Pool } from 'undici';
import { arg, ready } from './common.ts';

const pool = new Pool(arg('upstream'), { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 });
const HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'upgrade',
  'proxy-connection',
  'host',
]);
const extra = process.argv.includes('--headers');
const passport = 'p1.' + 'x'.repeat(560) + '.' + 'y'.repeat(43);
const upExtra = extra
  ? [
      ['x-portico-passport', passport],
      ['x-request-id', '2b1f0c7e-8f0e-4f7a-9a57-3a6c1e0d9b11'],
      ['traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
      ['x-forwarded-for', '127.0.0.1'],
      ['x-forwarded-proto', 'http'],
      ['x-forwarded-host', '127.0.0.1:8000'],
    ].flat()
  : [];
const resExtra: Record<string, string> = extra
  ? {
      'x-request-id': '2b1f0c7e-8f0e-4f7a-9a57-3a6c1e0d9b11',
      'x-content-type-options': 'nosniff',
      'x-ratelimit-limit': '1000000000',
      'x-ratelimit-remaining': '999999999',
      'x-ratelimit-reset': '60',
      'ratelimit-policy': '"bench";q=1000000000;w=60',
      ratelimit: '"bench";r=999999999;t=60',
      'server-timing': 'gateway;dur=0.05, upstream;dur=0.3',
    }
  : {};

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const headers: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    if (!HOP.has(req.rawHeaders[i]!.toLowerCase())) headers.push(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  for (const h of upExtra) headers.push(h);
  pool
    .request({
      method: req.method as 'GET',
      path: req.url!,
      headers,
      body: req.method === 'GET' ? null : req,
    })
    .then(
      (up) => {
        const out: Record<string, string | string[] | undefined> = {};
        for (const k in up.headers) if (!HOP.has(k)) out[k] = up.headers[k];
        Object.assign(out, resExtra);
        res.writeHead(up.statusCode, out);
        up.body.pipe(res);
      },
      () => {
        res.writeHead(502).end();
      },
    );
});
server.listen(0, '127.0.0.1', () => ready((server.address() as { port: number }).port));
