/**
 * The upstream used when nginx is not installed: a minimal node:http server answering a small
 * JSON body, keep-alive. (With nginx present, run.ts uses nginx, which has more headroom on a
 * shared core.)
 */
import { createServer } from 'node:http';
import { arg, ready } from './common.ts';

const body = Buffer.from('{"id":"0192d6c4-7c1e-7000-8000-000000000000","status":"ok","items":[1,2,3]}');
const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
server.listen(Number(arg('port', '0')), '127.0.0.1', () =>
  ready((server.address() as { port: number }).port),
);
