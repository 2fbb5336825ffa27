/** Small route-level hooks identity's routes share. */
import type { FastifyRequest } from 'fastify';

/** Trims and lower-cases `body.email` before validation (one spelling per address). */
export async function normaliseEmailField(req: FastifyRequest): Promise<void> {
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && typeof body.email === 'string') body.email = body.email.trim().toLowerCase();
}

/** An empty body on an action POST means `{}` (logout, rotate). */
export async function emptyBodyIsObject(req: FastifyRequest): Promise<void> {
  if (req.body === undefined || req.body === null) req.body = {};
}

/**
 * Token-issuing routes ignore `Idempotency-Key`: a stored replay would keep bearer tokens in
 * plain text in the idempotency table, and a retried login or refresh is safe without it
 * (a retried refresh is reuse by design, RFC 9700 §4.14.2).
 */
export async function ignoreIdempotencyKey(req: FastifyRequest): Promise<void> {
  delete req.headers['idempotency-key'];
}
