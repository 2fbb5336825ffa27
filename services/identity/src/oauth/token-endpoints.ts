/**
 * Revocation (RFC 7009) and introspection (RFC 7662) of OAuth access tokens. oidc-provider does
 * not store JWT access tokens and refuses them at both endpoints (its reject_structured_tokens.js:
 * a JWT is self-contained); Portico needs both — revocation must reach the gateway's denylist,
 * introspection serves resource servers — and every OAuth access token here is a JWT. So a
 * request presenting a JWT is answered here; refresh tokens and anything else go on to the library.
 *
 * A revoked token's `jti` is kept until it expires (`oauth_revoked_tokens`) and published as
 * `access_token.revoked`; introspection answers inactive for it, for an expired or foreign token,
 * for a disabled user, and for a token whose grant (its `sid`) was revoked.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { compactVerify, createLocalJWKSet } from 'jose';
import { TOKEN_ISSUER } from '@portico/contracts';
import type { Deps } from '../deps.ts';
import { clientSessionId } from '../domain/oauth-scopes.ts';
import { sha256 } from '../domain/secrets.ts';
import { publishAccessTokenRevoked } from '../events.ts';
import { findLiveOAuthClient } from '../repository/oauth-clients.ts';
import { findUserById } from '../repository/users.ts';
import type { OAuthClientRow } from '../tables.ts';
import { OAUTH_ROUTES } from './paths.ts';

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

interface AccessClaims {
  iss: string;
  sub: string;
  client_id: string;
  jti: string;
  exp: number;
  iat?: number;
  aud?: unknown;
  scope?: string;
  sid?: string;
}

function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  if (status === 401) reply.header('www-authenticate', 'Basic realm="portico"');
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .send({ error, error_description: description });
}

/** The client of the request: HTTP Basic (RFC 6749 §2.3.1), form credentials, or a public client's id. */
async function authenticateClient(
  deps: Deps,
  req: FastifyRequest,
  body: Record<string, unknown>,
): Promise<OAuthClientRow | null> {
  let id = typeof body.client_id === 'string' ? body.client_id : undefined;
  let secret = typeof body.client_secret === 'string' ? body.client_secret : undefined;
  const auth = req.headers.authorization;
  if (auth?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    try {
      id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    } catch {
      return null;
    }
  }
  if (!id) return null;
  const client = await findLiveOAuthClient(deps.db, id);
  if (!client) return null;
  if (!client.confidential) return secret === undefined ? client : null;
  if (secret === undefined || !client.secret_hash) return null;
  const stored = Buffer.from(client.secret_hash, 'hex');
  const given = Buffer.from(sha256(secret), 'hex');
  return stored.length === given.length && timingSafeEqual(stored, given) ? client : null;
}

/** The claims of one of our access tokens with a valid signature, else null. */
async function verified(deps: Deps, token: string): Promise<AccessClaims | null> {
  try {
    const { payload } = await compactVerify(token, createLocalJWKSet(deps.context.keys.jwks()), {
      algorithms: ['ES256'],
    });
    const c = JSON.parse(new TextDecoder().decode(payload)) as Partial<AccessClaims>;
    if (c.iss !== TOKEN_ISSUER || typeof c.jti !== 'string' || typeof c.exp !== 'number') return null;
    if (typeof c.client_id !== 'string' || typeof c.sub !== 'string') return null; // not an OAuth token
    return c as AccessClaims;
  } catch {
    return null;
  }
}

/** Whether a token with a valid signature is still in force. */
async function isActive(deps: Deps, c: AccessClaims): Promise<boolean> {
  if (c.exp * 1000 <= Date.now()) return false;
  const revoked = await deps.db
    .selectFrom('oauth_revoked_tokens')
    .select('jti')
    .where('jti', '=', c.jti)
    .executeTakeFirst();
  if (revoked) return false;
  if (c.sub === c.client_id) return (await findLiveOAuthClient(deps.db, c.client_id)) !== undefined;
  const user = await findUserById(deps.db, c.sub);
  if (!user || user.status !== 'active') return false;
  if (!c.sid || c.sid === clientSessionId(c.client_id)) return true;
  const grant = await deps.db
    .selectFrom('oauth_artifacts')
    .select('id')
    .where('model', '=', 'Grant')
    .where('id', '=', c.sid)
    .executeTakeFirst();
  return grant !== undefined;
}

/**
 * Answers a revocation or introspection request that presents a JWT access token; false when
 * the request is not one (the library answers it).
 */
export async function answerAccessTokenRequest(
  deps: Deps,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  const path = req.url.split('?')[0];
  const body = req.body as Record<string, unknown> | undefined;
  const revoke = path === OAUTH_ROUTES.revocation;
  if (req.method !== 'POST' || !body || (!revoke && path !== OAUTH_ROUTES.introspection)) return false;
  if (typeof body.token !== 'string' || !JWT.test(body.token)) return false;
  const client = await authenticateClient(deps, req, body);
  if (!client) {
    await oauthError(reply, 401, 'invalid_client', 'client authentication failed');
    return true;
  }
  const claims = await verified(deps, body.token);
  if (revoke) {
    // RFC 7009 §2.2: an invalid or unknown token is answered 200 all the same.
    if (claims && claims.client_id !== client.id) {
      await oauthError(reply, 400, 'invalid_request', 'the token was not issued to this client');
      return true;
    }
    if (claims && claims.exp * 1000 > Date.now()) await revokeAccessToken(deps, claims);
    await reply.code(200).header('cache-control', 'no-store').send();
    return true;
  }
  // RFC 7662 §2.1: a resource server (a confidential client) may introspect any token; a public
  // client only its own.
  const allowed = claims && (client.confidential || claims.client_id === client.id);
  const active = allowed ? await isActive(deps, claims) : false;
  await reply
    .code(200)
    .header('cache-control', 'no-store')
    .send(
      active && claims
        ? {
            active: true,
            token_type: 'Bearer',
            iss: claims.iss,
            aud: claims.aud,
            sub: claims.sub,
            client_id: claims.client_id,
            scope: claims.scope,
            jti: claims.jti,
            iat: claims.iat,
            exp: claims.exp,
          }
        : { active: false },
    );
  return true;
}

async function revokeAccessToken(deps: Deps, c: AccessClaims): Promise<void> {
  // Remembered a minute past expiry (clock skew), as the gateway's denylist entry is.
  const until = new Date(c.exp * 1000 + 60_000);
  await deps.tx(async (trx) => {
    const inserted = await trx
      .insertInto('oauth_revoked_tokens')
      .values({ jti: c.jti, expires_at: until })
      .onConflict((oc) => oc.column('jti').doNothing())
      .returning('jti')
      .executeTakeFirst();
    if (!inserted) return;
    await publishAccessTokenRevoked(deps, trx, {
      user_id: c.sub === c.client_id ? null : c.sub,
      client_id: c.client_id,
      jti: c.jti,
      expires_at: until.toISOString(),
    });
  });
}
