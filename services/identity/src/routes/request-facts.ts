/**
 * Who is on the other end of a request, for throttling and the audit log. Requests reach
 * identity only through the gateway, which puts the client's address (the peer, or what a
 * trusted proxy reported) into the signed passport: `req.caller.clientIp`. Forwarding headers
 * are never read: a client can set them, and behind a proxy the last hop is the proxy itself.
 */
import type { FastifyRequest } from 'fastify';
import type { RequestFacts } from '../domain/audit.ts';

export function clientIp(req: FastifyRequest): string | null {
  return req.caller?.clientIp ?? req.ip ?? null;
}

export function requestFacts(req: FastifyRequest): RequestFacts {
  const ua = req.headers['user-agent'];
  return {
    ip: clientIp(req),
    user_agent: typeof ua === 'string' ? ua.slice(0, 512) : null,
    request_id: String(req.id),
  };
}
