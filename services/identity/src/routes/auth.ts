/**
 * Login, refresh, logout and password change (`/api/v1/auth/*`; registration: register.ts).
 * The rules and transactions are in commands/ (login, refresh, logout, change-password).
 */
import type { ServiceApp } from '@portico/kit';
import { changePassword } from '../commands/change-password.ts';
import { login } from '../commands/login.ts';
import { logout } from '../commands/logout.ts';
import { refresh } from '../commands/refresh.ts';
import type { Deps } from '../deps.ts';
import { emptyBodyIsObject, NO_STORE, noStore } from './hooks.ts';
import { registerRoute } from './register.ts';
import { requestFacts } from './request-facts.ts';
import { LoginBody, LogoutBody, PasswordBody, RefreshBody, TokenPair } from './schemas.ts';

export function authRoutes(app: ServiceApp, deps: Deps): void {
  registerRoute(app, deps);

  app.post(
    '/api/v1/auth/login',
    {
      config: {
        auth: 'optional',
        idempotency: false,
        problems: [
          'invalid_credentials',
          'mfa_required',
          'account_disabled',
          'mfa_enrollment_required',
          'rate_limited',
        ],
      },
      onRequest: noStore,
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password',
        security: [],
        body: LoginBody,
        response: { 200: TokenPair },
      },
    },
    async (req, reply) => reply.headers(NO_STORE).send(await login(deps, req.body, requestFacts(req))),
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      config: { auth: 'optional', idempotency: false, problems: ['invalid_token'] },
      onRequest: noStore,
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new pair (rotation)',
        security: [],
        body: RefreshBody,
        response: { 200: TokenPair },
      },
    },
    async (req, reply) =>
      reply.headers(NO_STORE).send(await refresh(deps, req.body.refresh_token, requestFacts(req))),
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
      await logout(deps, req.caller, req.body.refresh_token, requestFacts(req));
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
      await changePassword(deps, req.caller, req.body, requestFacts(req));
      return reply.code(204).send(null);
    },
  );
}
