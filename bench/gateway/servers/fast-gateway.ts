/** fast-gateway (3.4.7: 5.0.1 depends on an unpublished fast-proxy-lite) as a plain proxy. */
import gateway from 'fast-gateway';
import { arg, ready } from './common.ts';

const server = gateway({ routes: [{ prefix: '/api', prefixRewrite: '/api', target: arg('upstream') }] });
const port = 20000 + Math.floor(Math.random() * 20000);
await server.start(port, '127.0.0.1');
ready(port);
