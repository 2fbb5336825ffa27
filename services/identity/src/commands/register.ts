/**
 * Registration. An address already taken answers exactly as a new one (the same body shape, a
 * fresh id that belongs to nothing, no token) so registration cannot be used to find out who
 * has an account; the owner is told instead (`user.registration_attempted`, which
 * notifications mails to them).
 */
import { AppError, isAppError } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Deps } from '../deps.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { passwordProblems } from '../domain/password-policy.ts';
import { hashPassword } from '../crypto/passwords.ts';
import { publishRegistrationAttempted, publishUserRegistered } from '../events.ts';
import { appendAudit } from '../repository/audit-log.ts';
import { findUserByEmail, insertUser } from '../repository/users.ts';
import type { UserRow } from '../tables.ts';
import type { PublicUser } from '../views.ts';

export type RegisteredUser = Pick<UserRow, keyof PublicUser>;

/** The body a new registration gets, for an address that is already taken (no account is made). */
function lookalikeUser(email: string, full_name: string): RegisteredUser {
  const now = new Date();
  return {
    id: uuidv7(),
    email,
    full_name,
    roles: ['user'],
    status: 'active',
    created_at: now,
    updated_at: now,
    plan: null,
  };
}

export async function register(
  deps: Deps,
  input: { email: string; password: string; full_name: string },
  facts: RequestFacts,
): Promise<RegisteredUser> {
  const { email, password, full_name } = input;
  const problems = passwordProblems(password, {
    minLength: deps.settings.IDENTITY_PASSWORD_MIN_LENGTH,
    email,
  });
  if (problems.length) throw AppError.validation(problems);
  // Hashed whether or not the address is taken, so both answers cost the same.
  const password_hash = await hashPassword(password);
  const attempt = () =>
    deps.tx(async (trx): Promise<UserRow | null> => {
      const existing = await findUserByEmail(trx, email);
      if (existing) {
        // No enumeration: the caller gets the same 201 as for a new address; the owner is told.
        await publishRegistrationAttempted(deps, trx, existing);
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
      await publishUserRegistered(deps, trx, row);
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
  const created = await attempt().catch((err: unknown) => {
    if (isAppError(err) && err.code === 'already_exists') return attempt();
    throw err;
  });
  return created ?? lookalikeUser(email, full_name);
}
