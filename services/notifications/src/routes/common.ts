/** Schema pieces and caller checks shared by the route files. */
import { AppError, scopeOf, Type } from '@portico/kit';
import type { FastifyRequest } from 'fastify';

export const DateTime = Type.String({ format: 'date-time' });
export const NullableDateTime = Type.Union([DateTime, Type.Null()]);
/** A user id in a request body. */
export const Id = Type.String({ minLength: 1, maxLength: 200 });
export const IdParams = Type.Object({ id: Type.String({ maxLength: 200 }) });
export const Title = Type.String({ minLength: 1, maxLength: 200 });
export const Body = Type.String({ minLength: 1, maxLength: 10_000 });
export const Description = Type.Union([Type.String({ maxLength: 1000 }), Type.Null()]);

export const ChannelSchema = Type.Enum(['in_app', 'email', 'webhook'], {
  description: 'in_app (inbox and live stream), email, or webhook',
});

/** Staff-level routes (send, bulk, templates) need the permission at every user's scope. */
export function requireAllScope(req: FastifyRequest, permission: string): void {
  if (req.caller.auth === 'service') return;
  if (scopeOf(req.caller, permission) !== 'all')
    throw new AppError('forbidden', `Requires the ${permission} permission for all users`);
}
