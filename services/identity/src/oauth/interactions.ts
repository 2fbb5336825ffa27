/**
 * The sign-in and consent pages of the authorization flow (`/oauth/interaction/{uid}`), served
 * by identity through the gateway. Each form carries a token bound to the interaction (an HMAC
 * of its uid under the cookie key) and the interaction is found through the library's signed,
 * `SameSite=Lax` cookie, so another site can neither forge a post nor read the token; a post
 * whose `Origin` is another site is refused as well (RFC 6454 origin check).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, permissionsForRoles, Type, type ServiceApp, type TSchema } from '@portico/kit';
import { checkPassword } from '../commands/login.ts';
import {
  auditEnrolmentRequired,
  issueChallenge,
  passChallenge,
  secondFactorDue,
} from '../commands/second-factor.ts';
import type { Deps } from '../deps.ts';
import { appendAudit } from '../repository/audit-log.ts';
import { rememberConsent } from '../repository/oauth-clients.ts';
import { findUserById } from '../repository/users.ts';
import { requestFacts } from '../routes/request-facts.ts';
import type { UserRow } from '../tables.ts';
import { grantableScopes } from '../domain/oauth-scopes.ts';
import { issuerOf } from './issuer.ts';
import { codePage, consentPage, errorPage, signInPage, type FormContext, type Page } from './pages.ts';
import { INTERACTION_PATH } from './paths.ts';
import type { OAuthProviders } from './providers.ts';

const OPEN = { auth: 'optional', idempotency: false } as const;
const Uid = Type.Object({ uid: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
const Csrf = Type.String({ minLength: 1, maxLength: 128 });

/** Route options of a sign-in form post: its fields and the interaction's CSRF token. */
function signInForm<T extends Record<string, TSchema>>(fields: T) {
  return {
    config: OPEN,
    schema: { hide: true, params: Uid, body: Type.Object({ csrf: Csrf, ...fields }) },
  };
}

function sendPage(reply: FastifyReply, page: Page, status = 200) {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', page.csp)
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .send(page.html);
}

export function interactionRoutes(app: ServiceApp, deps: Deps, providers: OAuthProviders): void {
  const csrfFor = (uid: string) =>
    createHmac('sha256', deps.context.cookieKey).update(`csrf:${uid}`).digest('base64url');

  /** The interaction this browser is in (its cookie), and what the page needs to show. */
  const load = async (req: FastifyRequest, reply: FastifyReply) => {
    const { uid } = req.params as { uid: string };
    const issuer = issuerOf(req, deps.settings.IDENTITY_OIDC_ISSUER);
    const provider = providers.for(issuer);
    const details = await provider.interactionDetails(req.raw, reply.raw).catch(() => null);
    if (!details || details.uid !== uid) return null;
    const params = details.params as { client_id?: string; redirect_uri?: string; scope?: string };
    const client = params.client_id ? await provider.Client.find(params.client_id) : undefined;
    const form: FormContext = {
      action: `${INTERACTION_PATH}/${details.uid}`,
      csrf: csrfFor(details.uid),
      clientName: client?.clientName ?? params.client_id ?? 'an application',
      redirectOrigin: params.redirect_uri ? new URL(params.redirect_uri).origin : null,
    };
    return { issuer, provider, details, params, form };
  };

  const expired = (reply: FastifyReply) =>
    sendPage(reply, errorPage('interaction_expired', 'This sign-in page has expired.'), 400);

  /** Refuses a post without this interaction's token, or sent by another site. */
  const checkPost = (req: FastifyRequest, issuer: string, uid: string, csrf: string) => {
    const origin = req.headers.origin;
    const expected = Buffer.from(csrfFor(uid));
    const given = Buffer.from(csrf);
    if (
      (origin !== undefined && origin !== 'null' && origin !== issuer) ||
      expected.length !== given.length ||
      !timingSafeEqual(expected, given)
    )
      throw AppError.validation([
        { field: 'csrf', code: 'invalid', message: 'the form is stale or was not sent by this site' },
      ]);
  };

  /** The user is who they said: audited, and the provider continues the flow (RFC 8176 `amr`). */
  const finishSignIn = async (
    req: FastifyRequest,
    reply: FastifyReply,
    ctx: NonNullable<Awaited<ReturnType<typeof load>>>,
    userId: string,
    amr: string[],
    mfa?: string,
  ) => {
    await appendAudit(
      deps.db,
      {
        actor_id: userId,
        action: 'auth.login',
        target: userId,
        outcome: 'success',
        details: { via: 'oauth', client_id: ctx.params.client_id, ...(mfa ? { mfa } : {}) },
      },
      requestFacts(req),
    );
    const to = await ctx.provider.interactionResult(req.raw, reply.raw, {
      login: { accountId: userId, amr },
    });
    return reply.code(303).header('location', to).send();
  };

  app.get(
    `${INTERACTION_PATH}/:uid`,
    { config: OPEN, schema: { hide: true, params: Uid } },
    async (req, reply) => {
      const ctx = await load(req, reply);
      if (!ctx) return expired(reply);
      if (ctx.details.prompt.name === 'login') return sendPage(reply, signInPage(ctx.form));
      const requested = String(ctx.params.scope ?? '')
        .split(' ')
        .filter(Boolean);
      const accountId = ctx.details.session?.accountId;
      const user = accountId ? await findUserById(deps.db, accountId) : undefined;
      const shown = user ? grantableScopes(permissionsForRoles(user.roles), requested) : [];
      return sendPage(reply, consentPage(ctx.form, shown));
    },
  );

  /** The interaction of a sign-in step's post (its form checked), or null when it is over. */
  const loadSignInPost = async (req: FastifyRequest, reply: FastifyReply, csrf: string) => {
    const ctx = await load(req, reply);
    if (!ctx || ctx.details.prompt.name !== 'login') return null;
    checkPost(req, ctx.issuer, ctx.details.uid, csrf);
    return ctx;
  };

  app.post(
    `${INTERACTION_PATH}/:uid/login`,
    signInForm({
      email: Type.String({ minLength: 1, maxLength: 254 }),
      password: Type.String({ minLength: 1, maxLength: 128 }),
    }),
    async (req, reply) => {
      const ctx = await loadSignInPost(req, reply, req.body.csrf);
      if (!ctx) return expired(reply);
      const facts = requestFacts(req);
      let user: UserRow;
      try {
        user = await checkPassword(deps, req.body, facts);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const status = err.code === 'invalid_credentials' ? 401 : err.code === 'rate_limited' ? 429 : 403;
        return sendPage(reply, signInPage(ctx.form, { email: req.body.email, error: err.message }), status);
      }
      const due = await secondFactorDue(deps, user);
      if (due === 'code')
        return sendPage(reply, codePage(ctx.form, await issueChallenge(deps, user.id, 'verify')));
      if (due === 'enrolment') {
        await auditEnrolmentRequired(deps, user, facts, { via: 'oauth' });
        const error =
          'Administrators must sign in with a second factor. Set up an authenticator app first: sign in to the Portico API (POST /api/v1/auth/login) and follow its enrolment steps.';
        return sendPage(reply, signInPage(ctx.form, { email: req.body.email, error }), 403);
      }
      return finishSignIn(req, reply, ctx, user.id, ['pwd']);
    },
  );

  app.post(
    `${INTERACTION_PATH}/:uid/totp`,
    signInForm({
      mfa_token: Type.String({ minLength: 1, maxLength: 128 }),
      code: Type.String({ minLength: 1, maxLength: 32 }),
    }),
    async (req, reply) => {
      const ctx = await loadSignInPost(req, reply, req.body.csrf);
      if (!ctx) return expired(reply);
      // One field on the page: six digits are a TOTP code, anything else a recovery code.
      const code = req.body.code.trim();
      const proof = /^\d{6}$/.test(code) ? { code } : { recovery_code: code };
      let passed: Awaited<ReturnType<typeof passChallenge>>;
      try {
        passed = await passChallenge(deps, req.body.mfa_token, proof, requestFacts(req), 'oauth');
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        if (err.code === 'invalid_token')
          return sendPage(reply, signInPage(ctx.form, { error: 'That took too long: sign in again.' }), 401);
        const status = err.code === 'rate_limited' ? 429 : 401;
        const page = codePage(ctx.form, req.body.mfa_token, { error: err.message });
        return sendPage(reply, page, status);
      }
      return finishSignIn(req, reply, ctx, passed.user.id, ['pwd', 'otp'], passed.method);
    },
  );

  app.post(
    `${INTERACTION_PATH}/:uid/consent`,
    { config: OPEN, schema: { hide: true, params: Uid, body: Type.Object({ csrf: Csrf }) } },
    async (req, reply) => {
      const ctx = await load(req, reply);
      const accountId = ctx?.details.session?.accountId;
      if (!ctx || !accountId || ctx.details.prompt.name !== 'consent') return expired(reply);
      checkPost(req, ctx.issuer, ctx.details.uid, req.body.csrf);
      const { provider, details, params } = ctx;
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      const grant = details.grantId
        ? ((await provider.Grant.find(details.grantId)) ??
          new provider.Grant({ accountId, clientId: params.client_id! }))
        : new provider.Grant({ accountId, clientId: params.client_id! });
      const user = await findUserById(deps.db, accountId);
      const permissions = user ? permissionsForRoles(user.roles) : [];
      const granted: string[] = [];
      if (missing.missingOIDCScope) {
        grant.addOIDCScope(missing.missingOIDCScope.join(' '));
        granted.push(...missing.missingOIDCScope);
      }
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        // The provider offers only what the user holds (getResourceServerInfo); narrowed again here.
        const allowed = grantableScopes(permissions, scopes);
        grant.addResourceScope(indicator, allowed.join(' '));
        granted.push(...allowed);
      }
      const grantId = await grant.save();
      await deps.tx(async (trx) => {
        await rememberConsent(trx, accountId, params.client_id!, granted);
        await appendAudit(
          trx,
          {
            actor_id: accountId,
            action: 'oauth.consent_granted',
            target: params.client_id!,
            outcome: 'success',
            details: { scopes: granted },
          },
          requestFacts(req),
        );
      });
      const to = await provider.interactionResult(
        req.raw,
        reply.raw,
        { consent: details.grantId ? {} : { grantId } },
        { mergeWithLastSubmission: true },
      );
      return reply.code(303).header('location', to).send();
    },
  );

  app.post(
    `${INTERACTION_PATH}/:uid/abort`,
    { config: OPEN, schema: { hide: true, params: Uid, body: Type.Object({ csrf: Csrf }) } },
    async (req, reply) => {
      const ctx = await load(req, reply);
      if (!ctx) return expired(reply);
      checkPost(req, ctx.issuer, ctx.details.uid, req.body.csrf);
      const to = await ctx.provider.interactionResult(
        req.raw,
        reply.raw,
        { error: 'access_denied', error_description: 'The user did not allow the request' },
        { mergeWithLastSubmission: false },
      );
      return reply.code(303).header('location', to).send();
    },
  );
}
