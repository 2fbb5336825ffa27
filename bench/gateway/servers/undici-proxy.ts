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
