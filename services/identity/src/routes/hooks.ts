/** Small route-level hooks identity's routes share. */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Trims and lower-cases `body.email` before validation (one spelling per address). */
export async function normaliseEmailField(req: FastifyRequest): Promise<void> {
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && typeof body.email === 'string')
    body.email = body.email.trim().toLowerCase();
}

/** An empty body on an action POST means `{}` (logout, rotate). */
export async function emptyBodyIsObject(req: FastifyRequest): Promise<void> {
  if (req.body === undefined || req.body === null) req.body = {};
}

/**
 * Routes that issue tokens or carry passwords ignore `Idempotency-Key`: the kit would keep the
 * response (bearer tokens, in plain text) and a fast SHA-256 of the body (which holds the
 * password) in the idempotency table. A retried login is harmless without it; a retried refresh
 * is reuse by design (RFC 9700 §4.14.2); a retried registration answers 409.
 */
export async function ignoreIdempotencyKey(req: FastifyRequest): Promise<void> {
  delete req.headers['idempotency-key'];
}

/**
 * Token and password routes answer `Cache-Control: no-store` (RFC 6749 §5.1) on every outcome,
 * refusals included: set before the handler, so error answers keep it.
 */
export async function noStore(_req: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('cache-control', 'no-store');
  reply.header('pragma', 'no-cache');
}

/** Token responses must not be cached by anyone (RFC 6749 §5.1). */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
