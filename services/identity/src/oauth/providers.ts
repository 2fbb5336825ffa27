/**
 * identity as an OpenID Provider, on `oidc-provider` (OpenID Certified; docs/oauth.md says why).
 * This file is its configuration: storage in identity's database (artifacts.ts), accounts from
 * the users table, the key ring's keys (one key set: the provider signs with the key that signs
 * password-login tokens), access tokens as RFC 9068 JWTs the gateway verifies like any other,
 * and scopes narrowed to what the user holds.
 *
 * The library fixes its keys and issuer when constructed, so a provider is built per (issuer,
 * key set) and rebuilt when the key ring rotates; all state lives in the database, so the
 * switch loses nothing.
 */
import { timingSafeEqual } from 'node:crypto';
import Provider, { errors, type Configuration, type KoaContextWithOIDC, type Grant } from 'oidc-provider';
import { permissionsForRoles } from '@portico/kit';
import { OIDC_SCOPES, TOKEN_AUDIENCE, TOKEN_ISSUER } from '@portico/contracts';
import type { Deps } from '../deps.ts';
import { apiScopes, clientSessionId, grantableScopes } from '../domain/oauth-scopes.ts';
import { sha256 } from '../domain/secrets.ts';
import { findLiveOAuthClient, rememberedConsent } from '../repository/oauth-clients.ts';
import { findUserById } from '../repository/users.ts';
import { ArtifactStore } from './artifacts.ts';
import { INTERACTION_PATH, OAUTH_ROUTES } from './paths.ts';
import { errorPage, signedOutPage, signOutPage, type Page } from './pages.ts';

/** The one resource server (RFC 8707): Portico's API behind the gateway. */
export const apiResource = (issuer: string) => `${issuer}/api/v1`;

const MAX_PROVIDERS = 8;

function send(ctx: KoaContextWithOIDC, page: Page): void {
  ctx.type = 'html';
  ctx.set('content-security-policy', page.csp);
  ctx.set('cache-control', 'no-store');
  ctx.body = page.html;
}

/** The user an authorization or token request acts for, when there is one. */
function accountOf(ctx: KoaContextWithOIDC): string | undefined {
  const e = ctx.oidc.entities;
  return (
    e.Account?.accountId ??
    e.AuthorizationCode?.accountId ??
    e.RefreshToken?.accountId ??
    e.Grant?.accountId ??
    ctx.oidc.session?.accountId
  );
}

export class OAuthProviders {
  readonly #deps: Deps;
  #built = new Map<string, Provider>();
  #handlers = new WeakMap<Provider, ReturnType<Provider['callback']>>();

  constructor(deps: Deps) {
    this.#deps = deps;
  }

  /** The provider for `issuer` with the key ring's current keys. */
  for(issuer: string): Provider {
    const keys = this.#deps.context.keys.providerKeys();
    const id = `${issuer} ${keys.fingerprint}`;
    let provider = this.#built.get(id);
    if (!provider) {
      if (this.#built.size >= MAX_PROVIDERS) this.#built.clear();
      provider = this.#build(issuer, keys);
      this.#built.set(id, provider);
    }
    return provider;
  }

  /** The provider's Node request handler (Koa composes its middleware once per provider). */
  handler(issuer: string): ReturnType<Provider['callback']> {
    const provider = this.for(issuer);
    let handle = this.#handlers.get(provider);
    if (!handle) this.#handlers.set(provider, (handle = provider.callback()));
    return handle;
  }

  #build(issuer: string, keys: { signerKid: string; keys: object[] }): Provider {
    const deps = this.#deps;
    const settings = deps.settings;
    const ttl = settings.IDENTITY_ACCESS_TOKEN_TTL;
    const resource = apiResource(issuer);
    let provider: Provider;

    /** What a user may be granted of `requested`: permission scopes they hold, at the same reach. */
    const userMayGrant = async (accountId: string, requested: string[]) => {
      const user = await findUserById(deps.db, accountId);
      if (!user || user.status !== 'active') return [];
      return grantableScopes(permissionsForRoles(user.roles), requested);
    };

    const config: Configuration = {
      adapter: (name: string) => new ArtifactStore(deps, name),
      clients: [],
      async findAccount(_ctx, id) {
        const user = await findUserById(deps.db, id);
        if (!user || user.status !== 'active') return undefined;
        return {
          accountId: id,
          claims: () => ({ sub: id, name: user.full_name, email: user.email, email_verified: false }),
        };
      },
      claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
      scopes: [...OIDC_SCOPES],
      jwks: { keys: keys.keys as never },
      cookies: { keys: [deps.context.cookieKey] },
      routes: OAUTH_ROUTES,
      interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}` },
      responseTypes: ['code'],
      pkce: { required: () => true },
      clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
      enabledJWA: {
        idTokenSigningAlgValues: ['ES256'],
        userinfoSigningAlgValues: ['ES256'],
        introspectionSigningAlgValues: ['ES256'],
        authorizationSigningAlgValues: ['ES256'],
        requestObjectSigningAlgValues: ['ES256'],
        clientAuthSigningAlgValues: ['ES256'],
      },
      allowOmittingSingleRegisteredRedirectUri: false,
      rotateRefreshToken: true,
      ttl: {
        AccessToken: ttl,
        ClientCredentials: ttl,
        AuthorizationCode: 60,
        IdToken: 3600,
        Interaction: 900,
        Session: 86_400,
        Grant: settings.IDENTITY_SESSION_MAX_AGE,
        RefreshToken: settings.IDENTITY_REFRESH_TOKEN_TTL,
      },
      // Browsers may call the token endpoint from a client's own origin (a single-page app).
      clientBasedCORS: (_ctx, origin, client) =>
        client.redirectUris?.some((u) => new URL(u).origin === origin) ?? false,
      features: {
        devInteractions: { enabled: false },
        // The gateway does not check proof-of-possession: tokens bound by DPoP are not issued.
        dPoP: { enabled: false },
        clientCredentials: { enabled: true },
        userinfo: { enabled: true },
        // RFC 7662: confidential clients (resource servers) may introspect any token; a public
        // client only its own.
        introspection: {
          enabled: true,
          allowedPolicy: (ctx, client, token) =>
            client.clientAuthMethod !== 'none' || token.clientId === ctx.oidc.client?.clientId,
        },
        // RFC 7009: a client revokes its own tokens only.
        revocation: {
          enabled: true,
          allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
        },
        rpInitiatedLogout: {
          enabled: true,
          logoutSource: (ctx, form) =>
            send(
              ctx,
              signOutPage(
                form,
                (ctx.oidc.client?.postLogoutRedirectUris ?? []).map((u) => new URL(u).origin),
              ),
            ),
          postLogoutSuccessSource: (ctx) => send(ctx, signedOutPage()),
        },
        resourceIndicators: {
          enabled: true,
          // Portico's API when an API scope is asked for (the token is then an RFC 9068 JWT for
          // the gateway); OpenID scopes alone get an opaque token for the userinfo endpoint.
          defaultResource: (ctx) =>
            apiScopes(String(ctx.oidc.params?.scope ?? '').split(' ')).length > 0 ? resource : undefined,
          useGrantedResource: () => true,
          async getResourceServerInfo(ctx, indicator, client) {
            if (indicator !== resource) throw new errors.InvalidTarget();
            const registered = await findLiveOAuthClient(deps.db, client.clientId);
            let scopes = apiScopes(registered?.scopes ?? []);
            // A user's token never carries more than the user holds now (at consent, at every
            // code exchange and refresh); a client acting as itself has what an admin gave it.
            const accountId = accountOf(ctx);
            if (accountId) scopes = await userMayGrant(accountId, scopes);
            return {
              scope: scopes.join(' '),
              audience: TOKEN_AUDIENCE,
              accessTokenFormat: 'jwt',
              accessTokenTTL: ttl,
              jwt: { sign: { alg: 'ES256', kid: deps.context.keys.providerKeys().signerKid } },
            };
          },
        },
      },
      // RFC 9068 claims the gateway reads, as on password-login tokens: `roles`, and `sid` (the
      // grant, or the client for its own tokens) so revoking a grant or deleting a client reaches
      // every token of it through `session.revoked`.
      async extraTokenClaims(_ctx, token) {
        if (token.kind === 'ClientCredentials')
          return { roles: [], sid: clientSessionId((token as { clientId: string }).clientId) };
        const accountId = (token as { accountId?: string }).accountId;
        const user = accountId ? await findUserById(deps.db, accountId) : undefined;
        return { roles: user?.roles ?? [], sid: (token as { grantId?: string }).grantId };
      },
      formats: {
        customizers: {
          // One issuer for every access token the gateway accepts (docs/oauth.md, "Tokens").
          jwt(_ctx, _token, jwt) {
            jwt.payload.iss = TOKEN_ISSUER;
          },
        },
      },
      loadExistingGrant: async (ctx) => this.#existingGrant(ctx, provider, resource, userMayGrant),
      async renderError(ctx, out) {
        send(ctx, errorPage(String(out.error), out.error_description as string | undefined));
      },
    };
    provider = new Provider(issuer, config);
    // Requests arrive through the gateway, which sets X-Forwarded-Proto/Host from what it saw.
    provider.proxy = true;
    // Confidential clients' secrets are stored as SHA-256 hashes (RFC 6819 §5.1.4.1.3).
    provider.Client.prototype.compareClientSecret = function compare(
      this: { clientSecret?: string },
      actual: string,
    ) {
      const stored = Buffer.from(this.clientSecret ?? '', 'hex');
      const given = Buffer.from(sha256(actual), 'hex');
      return stored.length === given.length && timingSafeEqual(stored, given);
    };
    provider.on('server_error', (_ctx, err) => deps.log.error({ err }, 'OpenID provider error'));
    return provider;
  }

  /**
   * The grant the authorization request continues: the browser session's (the library's
   * default), or one made from the consent the user remembered for this client — when it
   * covers every scope the user could grant now — so the consent page is not shown again.
   */
  async #existingGrant(
    ctx: KoaContextWithOIDC,
    provider: Provider,
    resource: string,
    userMayGrant: (accountId: string, requested: string[]) => Promise<string[]>,
  ): Promise<Grant | undefined> {
    const client = ctx.oidc.client!;
    const session = ctx.oidc.session;
    const known = ctx.oidc.result?.consent?.grantId ?? session?.grantIdFor(client.clientId);
    if (known) {
      const grant = await provider.Grant.find(known);
      if (grant) return grant;
    }
    const accountId = session?.accountId;
    if (!accountId) return undefined;
    const remembered = await rememberedConsent(this.#deps.db, accountId, client.clientId);
    if (!remembered) return undefined;
    const requested = String(ctx.oidc.params?.scope ?? '')
      .split(' ')
      .filter(Boolean);
    const grantable = await userMayGrant(accountId, requested);
    if (!grantable.every((s) => remembered.includes(s))) return undefined;
    const grant = new provider.Grant({ accountId, clientId: client.clientId });
    grant.addOIDCScope(grantable.filter((s) => (OIDC_SCOPES as readonly string[]).includes(s)).join(' '));
    const api = apiScopes(grantable);
    if (api.length) grant.addResourceScope(resource, api.join(' '));
    await grant.save();
    return grant;
  }
}
