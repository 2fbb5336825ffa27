/**
 * The issuer identifier (OpenID Connect Discovery §3) a request is served under: the gateway's
 * public origin. `IDENTITY_OIDC_ISSUER` names it; without it only a loopback origin is served
 * (`portico dev`, tests on an ephemeral port), taken from the `X-Forwarded-Host`/`-Proto` the
 * gateway set — it drops any a client sent — so a public deployment must name its origin.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '@portico/kit';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function issuerOf(req: FastifyRequest, configured: string | undefined): string {
  if (configured) return configured;
  const host = req.headers['x-forwarded-host'];
  const proto = req.headers['x-forwarded-proto'];
  if (typeof host === 'string' && (proto === 'http' || proto === 'https')) {
    try {
      const url = new URL(`${proto}://${host}`);
      if (LOOPBACK.has(url.hostname)) return url.origin;
    } catch {
      // not a host: refused below
    }
  }
  throw AppError.notFound('OpenID provider (set IDENTITY_OIDC_ISSUER to the gateway’s public origin)');
}
