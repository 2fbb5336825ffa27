/**
 * @fastify/http-proxy in front of the upstream; with `--jwt` a preHandler verifies an ES256
 * bearer token with jose against the JWKS (fetched once), as an application would.
 */
import Fastify from 'fastify';
import proxy from '@fastify/http-proxy';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { arg, ready } from './common.ts';

const app = Fastify({ logger: false });
const jwksUrl = arg('jwks', '');
if (jwksUrl) {
  const jwks = createLocalJWKSet((await (await fetch(jwksUrl)).json()) as JSONWebKeySet);
  app.addHook('preHandler', async (req, reply) => {
    const auth = req.headers.authorization;
    if (!auth?.startsWith('Bearer ')) return reply.code(401).send();
    try {
      await jwtVerify(auth.slice(7), jwks, {
        issuer: 'portico-identity',
        audience: 'portico',
        algorithms: ['ES256'],
      });
    } catch {
      return reply.code(401).send();
    }
    return undefined;
  });
}
await app.register(proxy, { upstream: arg('upstream'), undici: { connections: 128, pipelining: 1 } });
await app.listen({ port: 0, host: '127.0.0.1' });
ready((app.server.address() as { port: number }).port);
