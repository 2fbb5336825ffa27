/**
 * Login: throttle first (an atomic reservation per (client address, email) and per address —
 * the address the gateway signed into the passport), then argon2 — against a dummy hash when
 * the email is unknown — so unknown email and wrong password are the same 401 in similar time.
 * A user with a second factor gets a challenge instead of tokens (commands/second-factor.ts).
 */
import { AppError } from '@portico/kit';
import type { Deps } from '../deps.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { normaliseEmail } from '../domain/email.ts';
import { verifyOrDummy } from '../crypto/passwords.ts';
import { appendAudit } from '../repository/audit-log.ts';
import { clearAttempts, releaseAttempt, reserveAttempt } from '../repository/login-throttle.ts';
import { createSession } from '../repository/sessions.ts';
import { findUserByEmail } from '../repository/users.ts';
import type { UserRow } from '../tables.ts';
import { secondFactorDue, secondFactorProblem } from './second-factor.ts';
import { tokenResponse, type TokenResponse } from './token-response.ts';

export async function login(
  deps: Deps,
  input: { email: string; password: string },
  facts: RequestFacts,
): Promise<TokenResponse> {
  const user = await checkPassword(deps, input, facts);
  const due = await secondFactorDue(deps, user);
  if (due) throw await secondFactorProblem(deps, user, due, facts);
  return startSession(deps, user, facts);
}

/** A new session for a signed-in user (audited `auth.login`), and its tokens. */
export async function startSession(
  deps: Deps,
  user: UserRow,
  facts: RequestFacts,
  details: Record<string, unknown> = {},
): Promise<TokenResponse> {
  const settings = deps.settings;
  const session = await deps.tx(async (trx) => {
    const s = await createSession(trx, {
      userId: user.id,
      ip: facts.ip,
      userAgent: facts.user_agent,
      refreshTtl: settings.IDENTITY_REFRESH_TOKEN_TTL,
      maxAge: settings.IDENTITY_SESSION_MAX_AGE,
    });
    await appendAudit(
      trx,
      {
        actor_id: user.id,
        action: 'auth.login',
        target: user.id,
        outcome: 'success',
        details: { session_id: s.sessionId, ...details },
      },
      facts,
    );
    return s;
  });
  return tokenResponse(deps, user, session.sessionId, session.refreshToken);
}

/**
 * The password check shared by `POST /auth/login` and the OAuth sign-in page: throttled,
 * failures audited, the same answer whether the email exists or not. Returns the active user.
 */
export async function checkPassword(
  deps: Deps,
  input: { email: string; password: string },
  facts: RequestFacts,
): Promise<UserRow> {
  const settings = deps.settings;
  const email = normaliseEmail(input.email);
  const ip = facts.ip ?? 'unknown';
  const window = settings.IDENTITY_LOGIN_WINDOW_SECONDS;
  const pairKey = `pair:${ip}|${email}`;
  const ipKey = `ip:${ip}`;
  const fail = async (reason: string, target: string | null) =>
    appendAudit(
      deps.db,
      { actor_id: null, action: 'auth.login', target, outcome: 'failure', details: { email, reason } },
      facts,
    );

  // Reserve the attempt before any password work; the answer never says whether the email exists.
  for (const [key, limit] of [
    [pairKey, settings.IDENTITY_LOGIN_MAX_ATTEMPTS],
    [ipKey, settings.IDENTITY_LOGIN_MAX_ATTEMPTS_PER_IP],
  ] as const) {
    const r = await reserveAttempt(deps.db, key, limit, window);
    if (!r.allowed) {
      await fail('rate_limited', null);
      throw new AppError('rate_limited', 'Too many sign-in attempts; try again later', {
        headers: { 'retry-after': String(r.retryAfter) },
      });
    }
  }

  const user = await findUserByEmail(deps.db, email);
  const ok = await verifyOrDummy(user?.password_hash, input.password);
  if (!ok || !user) {
    await fail('invalid_credentials', user?.id ?? null);
    throw new AppError('invalid_credentials', 'The email or password is incorrect', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  if (user.status !== 'active') {
    await fail('account_disabled', user.id);
    throw new AppError('account_disabled', 'This account is disabled');
  }
  await clearAttempts(deps.db, pairKey);
  await releaseAttempt(deps.db, ipKey);
  return user;
}
