/**
 * The OpenID provider's endpoints (discovery, authorization, token, userinfo, revocation,
 * introspection, end-session — paths in oauth/providers.ts), handed to oidc-provider's Koa
 * application on the raw Node request; and the sign-in and consent pages (oauth/interactions.ts).
 * They answer in OAuth's own formats (RFC 6749 §5.2 errors, HTML pages), not problem+json.
 * Requests still reach identity only through the gateway: the kit checks the passport first.
 */
import { parse as parseForm } from 'node:querystring';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceApp } from '@portico/kit';
import type { Deps } from '../deps.ts';
import { interactionRoutes } from '../oauth/interactions.ts';
import { issuerOf } from '../oauth/issuer.ts';
import { documentOAuth } from '../oauth/openapi.ts';
import { OAUTH_ROUTES } from '../oauth/paths.ts';
import { OAuthProviders } from '../oauth/providers.ts';
import { answerAccessTokenRequest } from '../oauth/token-endpoints.ts';

const FORM = 'application/x-www-form-urlencoded';
const OPEN = { auth: 'optional', idempotency: false } as const;

export function oauthRoutes(app: ServiceApp, deps: Deps): void {
  const providers = new OAuthProviders(deps);
  documentOAuth(app);

  const toProvider = async (req: FastifyRequest, reply: FastifyReply) => {
    const handle = providers.handler(issuerOf(req, deps.settings.IDENTITY_OIDC_ISSUER));
    if (await answerAccessTokenRequest(deps, req, reply)) return reply;
    // The library reads a body already consumed from `req.body` (its selective_body.js).
    if (req.body !== undefined) (req.raw as { body?: unknown }).body = req.body;
    reply.hijack();
    void handle(req.raw, reply.raw);
  };

  // Forms (OAuth requests and the pages' posts) are parsed here only, for these routes.
  void app.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser(FORM, { parseAs: 'string' }, (_req, body, done) =>
      done(null, parseForm(body as string)),
    );
    const hidden = { hide: true } as const;
    scope.get('/.well-known/openid-configuration', { config: OPEN, schema: hidden }, toProvider);
    // The library's own paths only: anything else under /oauth is the kit's 404 problem.
    const paths = [
      ...Object.values(OAUTH_ROUTES).filter((p) => p.startsWith('/oauth/')),
      `${OAUTH_ROUTES.authorization}/:uid`, // where the pages send the browser back
      `${OAUTH_ROUTES.end_session}/confirm`,
      `${OAUTH_ROUTES.end_session}/success`,
    ];
    for (const url of paths)
      scope.route({
        method: ['GET', 'POST', 'OPTIONS'],
        url,
        config: OPEN,
        schema: hidden,
        handler: toProvider,
      });
    interactionRoutes(scope as unknown as ServiceApp, deps, providers);
  });
}
