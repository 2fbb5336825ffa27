/**
 * Login, refresh, logout and password change (`/api/v1/auth/*`; registration: register.ts).
 *
 * Login: throttle first (an atomic reservation per (client address, email) and per address —
 * the address the gateway signed into the passport, `req.caller.clientIp`), then argon2 —
 * against a dummy hash when the email is unknown — so unknown email and wrong password are the
 * same 401 in similar time. Refresh: rotation with reuse detection (RFC 9700 §4.14.2).
 */
import { AppError, type ServiceApp } from '@portico/kit';
import { appendAudit } from '../audit.ts';
import type { IdentityContext } from '../context.ts';
import { passwordProblems } from '../domain/password-policy.ts';
import { sha256 } from '../domain/secrets.ts';
import { normaliseEmail } from '../domain/email.ts';
import { hashPassword, verifyOrDummy } from '../crypto/passwords.ts';
import { publishSessionRevoked } from '../events.ts';
import { clearAttempts, releaseAttempt, reserveAttempt } from '../repository/login-throttle.ts';
import {
  addRefreshToken,
  createSession,
  findRefreshToken,
  markReplaced,
  revokeSessions,
  sessionOfRefreshToken,
  spendRefreshToken,
} from '../repository/sessions.ts';
import { findUserByEmail, findUserById, type UserRow } from '../repository/users.ts';
import { requestFacts } from '../request-facts.ts';
import { LoginBody, LogoutBody, PasswordBody, RefreshBody, TokenPair } from '../schemas.ts';
import { NO_STORE, tokenResponse } from '../tokens.ts';
import { emptyBodyIsObject, noStore } from './hooks.ts';
import { registerRoute } from './register.ts';

const invalidToken = () =>
  new AppError('invalid_token', 'The refresh token is invalid, expired or revoked', {
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });

export function authRoutes(app: ServiceApp, ctx: IdentityContext): void {
  const { deps, settings } = ctx;

  registerRoute(app, ctx);

  app.post(
    '/api/v1/auth/login',
    {
      config: { auth: 'optional', idempotency: false },
      onRequest: noStore,
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password',
        security: [],
        body: LoginBody,
        response: { 200: TokenPair },
      },
    },
    async (req, reply) => {
      const email = normaliseEmail(req.body.email);
      const facts = requestFacts(req);
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
      const ok = await verifyOrDummy(user?.password_hash, req.body.password);
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
            details: { session_id: s.sessionId },
          },
          facts,
        );
        return s;
      });
      return reply
        .headers(NO_STORE)
        .send(await tokenResponse(ctx, user, session.sessionId, session.refreshToken));
    },
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      config: { auth: 'optional', idempotency: false },
      onRequest: noStore,
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new pair (rotation)',
        security: [],
        body: RefreshBody,
        response: { 200: TokenPair },
      },
    },
    async (req, reply) => {
      const facts = requestFacts(req);
      const hash = sha256(req.body.refresh_token);
      type Outcome =
        | { kind: 'ok'; user: UserRow; sessionId: string; token: string }
        | { kind: 'refused'; reason: string; userId?: string };
      const outcome = await deps.tx(async (trx): Promise<Outcome> => {
        const row = await findRefreshToken(trx, hash);
        if (!row) return { kind: 'refused', reason: 'unknown_token' };
        if (row.revoked_at) return { kind: 'refused', reason: 'session_revoked', userId: row.user_id };
        const reuse = async (): Promise<Outcome> => {
          // RFC 9700 §4.14.2: a spent token presented again means it leaked; end the whole family.
          const ids = await revokeSessions(trx, { sessionIds: [row.session_id] }, 'refresh_token_reuse');
          await publishSessionRevoked(ctx, trx, row.user_id, ids, 'refresh_token_reuse');
          await appendAudit(
            trx,
            {
              actor_id: row.user_id,
              action: 'auth.refresh_token_reused',
              target: row.session_id,
              outcome: 'failure',
              details: { session_id: row.session_id },
            },
            facts,
          );
          return { kind: 'refused', reason: 'reused' };
        };
        if (row.used_at) return reuse();
        const now = Date.now();
        if (new Date(row.expires_at).getTime() <= now || new Date(row.session_expires_at).getTime() <= now) {
          return { kind: 'refused', reason: 'expired', userId: row.user_id };
        }
        // The conditional update decides a race: of two refreshes of this token, one wins.
        if (!(await spendRefreshToken(trx, row.id))) return reuse();
        const user = await findUserById(trx, row.user_id);
        if (!user || user.status !== 'active') {
          await revokeSessions(trx, { sessionIds: [row.session_id] }, 'user_disabled');
          return { kind: 'refused', reason: 'account_disabled', userId: row.user_id };
        }
        const next = await addRefreshToken(trx, row.session_id, settings.IDENTITY_REFRESH_TOKEN_TTL);
        await markReplaced(trx, row.id, next.id, row.session_id);
        await appendAudit(
          trx,
          {
            actor_id: user.id,
            action: 'auth.refresh',
            target: row.session_id,
            outcome: 'success',
            details: { session_id: row.session_id },
          },
          facts,
        );
        return { kind: 'ok', user, sessionId: row.session_id, token: next.token };
      });
      if (outcome.kind === 'refused') {
        if (outcome.reason !== 'reused') {
          await appendAudit(
            deps.db,
            {
              actor_id: outcome.userId ?? null,
              action: 'auth.refresh',
              outcome: 'failure',
              details: { reason: outcome.reason },
            },
            facts,
          );
        }
        throw invalidToken();
      }
      // Roles are re-read on every refresh: a role change takes effect here at the latest.
      return reply
        .headers(NO_STORE)
        .send(await tokenResponse(ctx, outcome.user, outcome.sessionId, outcome.token));
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      preValidation: emptyBodyIsObject,
      schema: {
        tags: ['auth'],
        summary: 'End the current session (and the refresh token given)',
        body: LogoutBody,
        response: { 204: { type: 'null' } },
      },
    },
    async (req, reply) => {
      const caller = req.caller;
      const sessionIds = new Set<string>();
      if (caller.sessionId) sessionIds.add(caller.sessionId);
      if (req.body.refresh_token) {
        const s = await sessionOfRefreshToken(deps.db, sha256(req.body.refresh_token));
        // Only the caller's own sessions: a stranger's refresh token is ignored, not revealed.
        if (s && s.user_id === caller.id) sessionIds.add(s.session_id);
      }
      await deps.tx(async (trx) => {
        const ids = await revokeSessions(trx, { sessionIds: [...sessionIds] }, 'logout');
        await publishSessionRevoked(ctx, trx, caller.id!, ids, 'logout');
        await appendAudit(
          trx,
          {
            actor_id: caller.id,
            action: 'auth.logout',
            target: caller.id,
            outcome: 'success',
            details: { session_ids: ids },
          },
          requestFacts(req),
        );
      });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: { idempotency: false },
      onRequest: noStore,
      schema: {
        tags: ['auth'],
        summary: 'Change your password; your other sessions end',
        body: PasswordBody,
        response: { 204: { type: 'null' } },
      },
    },
    async (req, reply) => {
      const caller = req.caller;
      const facts = requestFacts(req);
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
      if (!(await verifyOrDummy(user.password_hash, req.body.current_password))) {
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
      const problems = passwordProblems(req.body.new_password, {
        minLength: settings.IDENTITY_PASSWORD_MIN_LENGTH,
        field: 'new_password',
        email: user.email,
      });
      if (problems.length) throw AppError.validation(problems);
      const password_hash = await hashPassword(req.body.new_password);
      await clearAttempts(deps.db, `password:${user.id}`);
      await deps.tx(async (trx) => {
        await trx
          .updateTable('users')
          .set({ password_hash, password_changed_at: new Date(), updated_at: new Date() })
          .where('id', '=', user.id)
          .execute();
        const ids = await revokeSessions(
          trx,
          { userId: user.id, exceptSessionId: caller.sessionId },
          'password_changed',
        );
        await publishSessionRevoked(ctx, trx, user.id, ids, 'password_changed');
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
      return reply.code(204).send(null);
    },
  );
}
