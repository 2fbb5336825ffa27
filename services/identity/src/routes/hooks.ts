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
 * Token and password routes answer `Cache-Control: no-store` (RFC 6749 §5.1) on every outcome,
 * refusals included: set before the handler, so error answers keep it.
 */
export async function noStore(_req: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('cache-control', 'no-store');
  reply.header('pragma', 'no-cache');
}

/** Token responses must not be cached by anyone (RFC 6749 §5.1). */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
