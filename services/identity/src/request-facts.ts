/**
 * Who is on the other end of a request, for throttling and the audit log. Requests reach
 * identity only through the gateway (every route verifies its passport), which appends the
 * client's address to `X-Forwarded-For`; the last hop is the one the gateway saw. Earlier hops
 * are client-supplied and never trusted.
 */
import type { FastifyRequest } from 'fastify';

export interface RequestFacts {
  ip: string | null;
  user_agent: string | null;
  request_id: string;
}

export function clientIp(req: FastifyRequest): string | null {
  // Only a passport-carrying request came through the gateway; its forwarded hop is trustworthy.
  const vouched =
    req.caller && req.caller.auth !== undefined && req.headers['x-portico-passport'] !== undefined;
  const xff = req.headers['x-forwarded-for'];
  if (vouched && xff) {
    const hops = (Array.isArray(xff) ? xff.join(',') : xff).split(',');
    const last = hops.at(-1)?.trim();
    if (last) return last;
  }
  return req.ip ?? null;
}

export function requestFacts(req: FastifyRequest): RequestFacts {
  const ua = req.headers['user-agent'];
  return {
    ip: clientIp(req),
    user_agent: typeof ua === 'string' ? ua.slice(0, 512) : null,
    request_id: String(req.id),
  };
}
