/** Small checks shared by the route files. */
import { AppError, scopeOf } from '@portico/kit';
import type { FastifyRequest } from 'fastify';

/** The calling user's id; routes about "my" things need a person, not a service. */
export function requireUser(req: FastifyRequest): string {
  if (req.caller.id === null)
    throw new AppError('forbidden', 'This route acts for a user; call it with a user’s credentials');
  return req.caller.id;
}

/** Staff-level routes (send, bulk, templates) need the permission at every user's scope. */
export function requireAllScope(req: FastifyRequest, permission: string): void {
  if (req.caller.auth === 'service') return;
  if (scopeOf(req.caller, permission) !== 'all')
    throw new AppError('forbidden', `Requires the ${permission} permission for all users`);
}

/** A PostgreSQL unique violation (SQLSTATE 23505), optionally of one named constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string } | undefined;
  if (e?.code !== '23505') return false;
  return constraint === undefined || e.constraint === constraint || (e.message ?? '').includes(constraint);
}
