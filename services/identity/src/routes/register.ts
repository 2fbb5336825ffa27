/**
 * `POST /api/v1/auth/register`. An address already taken answers exactly as a new one (201, the
 * same body shape, a fresh id that belongs to nothing, no token) so registration cannot be used
 * to find out who has an account; the owner is told instead (`user.registration_attempted`,
 * which notifications mails to them).
 */
import { AppError, isAppError, type ServiceApp } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import { appendAudit } from '../audit.ts';
import type { IdentityContext } from '../context.ts';
import { passwordProblems } from '../domain/password-policy.ts';
import { hashPassword } from '../crypto/passwords.ts';
import { publishRegistrationAttempted, publishUserRegistered } from '../events.ts';
import { findUserByEmail, insertUser, toPublicUser, type UserRow } from '../repository/users.ts';
import { requestFacts } from '../request-facts.ts';
import { RegisterBody, User } from '../schemas.ts';
import { noStore, normaliseEmailField } from './hooks.ts';

/** The body a new registration gets, for an address that is already taken (no account is made). */
function lookalikeUser(email: string, full_name: string): UserRow {
  const now = new Date();
  return {
    id: uuidv7(),
    email,
    full_name,
    roles: ['user'],
    status: 'active',
    created_at: now,
    updated_at: now,
  } as UserRow;
}

export function registerRoute(app: ServiceApp, ctx: IdentityContext): void {
  const { deps, settings } = ctx;

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
      const { email, password, full_name } = req.body;
      const problems = passwordProblems(password, {
        minLength: settings.IDENTITY_PASSWORD_MIN_LENGTH,
        email,
      });
      if (problems.length) throw AppError.validation(problems);
      // Hashed whether or not the address is taken, so both answers cost the same.
      const password_hash = await hashPassword(password);
      const facts = requestFacts(req);
      const register = () =>
        deps.tx(async (trx): Promise<UserRow | null> => {
          const existing = await findUserByEmail(trx, email);
          if (existing) {
            // No enumeration: the caller gets the same 201 as for a new address; the owner is told.
            await publishRegistrationAttempted(ctx, trx, existing);
            await appendAudit(
              trx,
              {
                actor_id: null,
                action: 'user.registered',
                target: existing.id,
                outcome: 'failure',
                details: { email, reason: 'email_taken' },
              },
              facts,
            );
            return null;
          }
          const row = await insertUser(trx, {
            id: uuidv7(),
            email,
            full_name,
            password_hash,
            roles: ['user'],
          });
          await publishUserRegistered(ctx, trx, row);
          await appendAudit(
            trx,
            {
              actor_id: row.id,
              action: 'user.registered',
              target: row.id,
              outcome: 'success',
              details: { email },
            },
            facts,
          );
          return row;
        });
      // A parallel registration of the same address may win between the lookup and the insert:
      // the retry then finds it and answers as above.
      const created = await register().catch((err: unknown) => {
        if (isAppError(err) && err.code === 'already_exists') return register();
        throw err;
      });
      const user = created ?? lookalikeUser(email, full_name);
      return reply.code(201).header('location', `/api/v1/users/${user.id}`).send(toPublicUser(user));
    },
  );
}
