/**
 * `POST /api/v1/auth/register`: 201 for a new address and for a taken one alike (no
 * enumeration; commands/register.ts).
 */
import type { ServiceApp } from '@portico/kit';
import { register } from '../commands/register.ts';
import type { Deps } from '../deps.ts';
import { userView } from '../views.ts';
import { noStore, normaliseEmailField } from './hooks.ts';
import { requestFacts } from './request-facts.ts';
import { RegisterBody, User } from './schemas.ts';

export function registerRoute(app: ServiceApp, deps: Deps): void {
  app.post(
    '/api/v1/auth/register',
    {
      config: { auth: 'optional', idempotency: false },
      onRequest: noStore,
      preValidation: normaliseEmailField,
      schema: {
        tags: ['auth'],
        summary: 'Create an account (role user)',
        security: [],
        body: RegisterBody,
        response: { 201: User },
      },
    },
    async (req, reply) => {
      const user = await register(deps, req.body, requestFacts(req));
      return reply.code(201).header('location', `/api/v1/users/${user.id}`).send(userView(user));
    },
  );
}
