/**
 * Changing one's own password: throttled like login (per user), the current password checked,
 * the new one held to the policy; every other session of the user ends (`session.revoked`,
 * reason `password_changed`).
 */
import { AppError, type Caller } from '@portico/kit';
import type { Deps } from '../deps.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { passwordProblems } from '../domain/password-policy.ts';
import { hashPassword, verifyOrDummy } from '../crypto/passwords.ts';
import { publishSessionRevoked } from '../events.ts';
import { appendAudit } from '../repository/audit-log.ts';
import { clearAttempts, reserveAttempt } from '../repository/login-throttle.ts';
import { revokeSessions } from '../repository/sessions.ts';
import { findUserById, updateUser } from '../repository/users.ts';

export async function changePassword(
  deps: Deps,
  caller: Caller,
  input: { current_password: string; new_password: string },
  facts: RequestFacts,
): Promise<void> {
  const settings = deps.settings;
  const user = await findUserById(deps.db, caller.id!);
  if (!user) throw AppError.notFound('User');
  // Guessing the current password through this route is throttled like login.
  const r = await reserveAttempt(
    deps.db,
    `password:${user.id}`,
    settings.IDENTITY_LOGIN_MAX_ATTEMPTS,
    settings.IDENTITY_LOGIN_WINDOW_SECONDS,
  );
  if (!r.allowed)
    throw new AppError('rate_limited', 'Too many attempts; try again later', {
      headers: { 'retry-after': String(r.retryAfter) },
    });
  if (!(await verifyOrDummy(user.password_hash, input.current_password))) {
    await appendAudit(
      deps.db,
      {
        actor_id: user.id,
        action: 'auth.password_changed',
        target: user.id,
        outcome: 'failure',
        details: { reason: 'wrong_current_password' },
      },
      facts,
    );
    throw AppError.validation([
      { field: 'current_password', code: 'incorrect', message: 'is not your current password' },
    ]);
  }
  const problems = passwordProblems(input.new_password, {
    minLength: settings.IDENTITY_PASSWORD_MIN_LENGTH,
    field: 'new_password',
    email: user.email,
  });
  if (problems.length) throw AppError.validation(problems);
  const password_hash = await hashPassword(input.new_password);
  await clearAttempts(deps.db, `password:${user.id}`);
  await deps.tx(async (trx) => {
    await updateUser(trx, user.id, { password_hash, password_changed_at: new Date() });
    const ids = await revokeSessions(
      trx,
      { userId: user.id, exceptSessionId: caller.sessionId },
      'password_changed',
    );
    await publishSessionRevoked(deps, trx, user.id, ids, 'password_changed');
    await appendAudit(
      trx,
      {
        actor_id: user.id,
        action: 'auth.password_changed',
        target: user.id,
        outcome: 'success',
        details: { sessions_revoked: ids.length },
      },
      facts,
    );
  });
}
