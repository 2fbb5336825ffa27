/**
 * Second factors (docs/mfa.md): the signed-in user's own authenticator
 * (`/api/v1/auth/mfa/totp`) and the second step of a password sign-in
 * (`/api/v1/auth/login/mfa…`, anonymous: the `mfa_token` is the credential). Every answer that
 * carries a secret, a recovery code or a token is `no-store` and opts out of idempotency
 * replay, so no copy of it is kept anywhere.
 */
import { AppError, type ServiceApp } from '@portico/kit';
import type { FastifyRequest } from 'fastify';
import { confirmEnrolmentAtLogin, loginWithCode, startEnrolmentAtLogin } from '../commands/mfa-login.ts';
import { confirmEnrolment, disableTotp, startEnrolment } from '../commands/totp-enrolment.ts';
import type { Deps } from '../deps.ts';
import { findUserById } from '../repository/users.ts';
import { emptyBodyIsObject, NO_STORE, noStore } from './hooks.ts';
import {
  ConfirmTotpAtLoginBody,
  ConfirmTotpBody,
  DisableTotpBody,
  LoginMfaBody,
  MfaTokenBody,
  RecoveryCodes,
  TokenPairWithRecoveryCodes,
  TotpEnrolment,
} from './mfa-schemas.ts';
import { requestFacts } from './request-facts.ts';
import { TokenPair } from './schemas.ts';

const SECRET = { idempotency: false } as const;
const ANONYMOUS = {
  auth: 'optional',
  idempotency: false,
  problems: ['invalid_token', 'invalid_mfa_code', 'rate_limited'],
} as const;

export function mfaRoutes(app: ServiceApp, deps: Deps): void {
  const me = async (req: FastifyRequest) => {
    const user = await findUserById(deps.db, req.caller.id!);
    if (!user) throw AppError.notFound('User');
    return user;
  };

  app.post(
    '/api/v1/auth/mfa/totp',
    {
      config: SECRET,
      onRequest: noStore,
      preValidation: emptyBodyIsObject,
      schema: {
        tags: ['auth'],
        summary: 'Start setting up an authenticator app (TOTP); not active until confirmed',
        body: { type: 'object', additionalProperties: false, properties: {} },
        response: { 200: TotpEnrolment },
      },
    },
    async (req, reply) =>
      reply.headers(NO_STORE).send(await startEnrolment(deps, await me(req), requestFacts(req))),
  );

  app.post(
    '/api/v1/auth/mfa/totp/confirm',
    {
      config: SECRET,
      onRequest: noStore,
      schema: {
        tags: ['auth'],
        summary: 'Turn the authenticator on with a code from it; returns recovery codes (shown once)',
        body: ConfirmTotpBody,
        response: { 200: RecoveryCodes },
      },
    },
    async (req, reply) =>
      reply
        .headers(NO_STORE)
        .send(await confirmEnrolment(deps, await me(req), req.body.code, requestFacts(req))),
  );

  app.delete(
    '/api/v1/auth/mfa/totp',
    {
      config: SECRET,
      onRequest: noStore,
      schema: {
        tags: ['auth'],
        summary: 'Turn the authenticator off, with a current code or your password',
        body: DisableTotpBody,
        response: { 204: { type: 'null' } },
      },
    },
    async (req, reply) => {
      await disableTotp(deps, await me(req), req.body, requestFacts(req));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/login/mfa',
    {
      config: ANONYMOUS,
      onRequest: noStore,
      schema: {
        tags: ['auth'],
        summary: 'Second step of sign-in: the mfa_token with a TOTP code or a recovery code',
        security: [],
        body: LoginMfaBody,
        response: { 200: TokenPair },
      },
    },
    async (req, reply) =>
      reply.headers(NO_STORE).send(await loginWithCode(deps, req.body, requestFacts(req))),
  );

  app.post(
    '/api/v1/auth/login/mfa/totp',
    {
      config: ANONYMOUS,
      onRequest: noStore,
      schema: {
        tags: ['auth'],
        summary: 'Enrolment at sign-in (admins when MFA is required): start with the enrolment mfa_token',
        security: [],
        body: MfaTokenBody,
        response: { 200: TotpEnrolment },
      },
    },
    async (req, reply) =>
      reply.headers(NO_STORE).send(await startEnrolmentAtLogin(deps, req.body.mfa_token, requestFacts(req))),
  );

  app.post(
    '/api/v1/auth/login/mfa/totp/confirm',
    {
      config: ANONYMOUS,
      onRequest: noStore,
      schema: {
        tags: ['auth'],
        summary:
          'Enrolment at sign-in: confirm with a code; returns the tokens and recovery codes (shown once)',
        security: [],
        body: ConfirmTotpAtLoginBody,
        response: { 200: TokenPairWithRecoveryCodes },
      },
    },
    async (req, reply) =>
      reply.headers(NO_STORE).send(await confirmEnrolmentAtLogin(deps, req.body, requestFacts(req))),
  );
}
