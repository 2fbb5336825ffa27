/**
 * Access tokens from identity (RFC 9068 profile), verified against the JWKS: algorithm
 * allow-list (RFC 8725 §3.1), `iss`, `aud`, `exp`, `nbf` with a small leeway. The signature
 * check is ./jws.ts (node:crypto, synchronous); jose is its reference in the tests.
 * A verified token's principal is cached until the token expires, so a client reusing its
 * token costs one Map lookup; revocation is checked against the denylist separately.
 */
import { permissionsForRoles } from '@portico/kit';
import { TOKEN_ALGORITHMS, TOKEN_AUDIENCE, TOKEN_ISSUER, tokenPermissions } from '@portico/contracts';
import { principal, type Principal } from './principal.ts';
import type { JwksCache } from './jwks.ts';
import { JwsVerifier, type JwsResult } from './jws.ts';

export type TokenFailure = { reason: string; detail: string; retryable?: boolean };

const MAX_CACHED = 20_000;
const MAX_REJECTED = 10_000;

export class JwtVerifier {
  #jwks: JwksCache;
  #jws = new JwsVerifier(TOKEN_ALGORITHMS);
  #skewSec: number;
  #cache = new Map<string, Principal>();
  #rejected = new Map<string, { until: number; failure: TokenFailure }>();
  #inflight = new Map<string, Promise<Principal | TokenFailure>>();

  constructor(jwks: JwksCache, opts: { skewMs: number }) {
    this.#jwks = jwks;
    this.#skewSec = Math.round(opts.skewMs / 1000);
  }

  /** The cached principal for a token still valid at `now`, if any (sync fast path). */
  cached(token: string, now: number): Principal | undefined {
    const p = this.#cache.get(token);
    if (p === undefined) return undefined;
    if (p.expiresAt > now) return p;
    this.#cache.delete(token);
    return undefined;
  }

  /**
   * Verifies a token not in the cache. Synchronous when its key is held (the usual case); a
   * promise only when the JWKS must be fetched first (unknown `kid`, or no keys yet).
   */
  verify(token: string, now: number): Principal | TokenFailure | Promise<Principal | TokenFailure> {
    const rejected = this.#rejected.get(token);
    if (rejected !== undefined && rejected.until > now) return rejected.failure;
    const first = this.#jws.verify(token, this.#jwks.keys);
    if (!('failure' in first) || first.failure !== 'unknown_key') return this.#conclude(token, first, now);
    let p = this.#inflight.get(token);
    if (p === undefined) {
      // Concurrent requests with the same new token share one refetch.
      p = this.#jwks.refreshForUnknownKey().then((fetched) => {
        this.#inflight.delete(token);
        if (!fetched && !this.#jwks.loaded) return JWKS_UNAVAILABLE;
        return this.#conclude(token, this.#jws.verify(token, this.#jwks.keys), Date.now());
      });
      this.#inflight.set(token, p);
    }
    return p;
  }

  #byRoles = new Map<string, string[]>();
  #byScope = new Map<string, string[]>();

  /**
   * Permissions of a token issued through identity's OAuth endpoints (it carries `scope`, RFC
   * 9068 §2.2.3): its scope's permissions, narrowed to the roles' for a user's token; a client
   * acting as itself (`sub` = `client_id`, client credentials) has what its scopes say.
   */
  #scoped(scope: string, roles: string[], forUser: boolean): string[] {
    const key = `${forUser ? roles.join(',') : '-'} ${scope}`;
    let perms = this.#byScope.get(key);
    if (perms === undefined) {
      perms = tokenPermissions(scope, forUser ? this.#permissions(roles) : null);
      if (this.#byScope.size < 1000) this.#byScope.set(key, perms);
    }
    return perms;
  }

  /** Permissions of a role set, computed once per distinct set. */
  #permissions(roles: string[]): string[] {
    const key = roles.join(',');
    let perms = this.#byRoles.get(key);
    if (perms === undefined) {
      perms = permissionsForRoles(roles);
      if (this.#byRoles.size < 1000) this.#byRoles.set(key, perms);
    }
    return perms;
  }

  /** Drops cached principals of a user (e.g. after a role change). */
  forgetUser(userId: string): void {
    for (const [t, p] of this.#cache) if (p.caller.id === userId) this.#cache.delete(t);
  }

  #conclude(token: string, result: JwsResult, now: number): Principal | TokenFailure {
    const outcome: Principal | TokenFailure =
      'failure' in result ? FAILURES[result.failure] : this.#accept(result.payload, now);
    if ('caller' in outcome) {
      if (this.#cache.size >= MAX_CACHED) evictOldest(this.#cache);
      this.#cache.set(token, outcome);
    } else if (!outcome.retryable) {
      if (this.#rejected.size >= MAX_REJECTED) evictOldest(this.#rejected);
      this.#rejected.set(token, { until: now + 60_000, failure: outcome });
    }
    return outcome;
  }

  /** The claims check (RFC 7519 §4.1, RFC 9068 §4), after the signature has been verified. */
  #accept(claims: Record<string, unknown>, now: number): Principal | TokenFailure {
    const { sub, iss, aud, exp, nbf, iat, sid, jti } = claims;
    const nowSec = Math.floor(now / 1000);
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return badClaim('exp');
    if (typeof sub !== 'string') return badClaim('sub');
    if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) return badClaim('iat');
    if (iss !== TOKEN_ISSUER) return badClaim('iss');
    if (!(aud === TOKEN_AUDIENCE || (Array.isArray(aud) && aud.includes(TOKEN_AUDIENCE))))
      return badClaim('aud');
    if (nbf !== undefined) {
      if (typeof nbf !== 'number' || !Number.isFinite(nbf)) return badClaim('nbf');
      // Not valid yet may become valid: the rejection is not remembered.
      if (nbf > nowSec + this.#skewSec) return NOT_YET_VALID;
    }
    if (exp <= nowSec - this.#skewSec) return EXPIRED;
    const roles = Array.isArray(claims.roles)
      ? claims.roles.filter((r): r is string => typeof r === 'string')
      : [];
    const scope = typeof claims.scope === 'string' ? claims.scope : null;
    const caller = {
      id: sub,
      roles,
      permissions:
        scope === null ? this.#permissions(roles) : this.#scoped(scope, roles, claims.client_id !== sub),
      auth: 'jwt' as const,
      ...(typeof sid === 'string' ? { sessionId: sid } : {}),
      ...(typeof claims.api_version === 'string' ? { apiVersion: claims.api_version } : {}),
      // The user's plan when the token was issued (docs/plans.md): a change applies at refresh.
      ...(typeof claims.plan === 'string' ? { plan: claims.plan } : {}),
    };
    const deny = [`user:${sub}`];
    if (typeof sid === 'string') deny.push(`sid:${sid}`);
    if (typeof jti === 'string') deny.push(`jti:${jti}`);
    return principal(caller, exp * 1000 + this.#skewSec * 1000, deny, scope !== null);
  }
}

function evictOldest(map: Map<string, unknown>): void {
  let n = Math.ceil(map.size / 10);
  for (const k of map.keys()) {
    map.delete(k);
    if (--n <= 0) break;
  }
}

function badClaim(claim: string): TokenFailure {
  return { reason: `bad_${claim}`, detail: `The access token's "${claim}" claim is not acceptable` };
}

const EXPIRED: TokenFailure = { reason: 'token_expired', detail: 'The access token has expired' };
const NOT_YET_VALID: TokenFailure = {
  reason: 'bad_nbf',
  detail: 'The access token is not valid yet ("nbf")',
  retryable: true,
};
const JWKS_UNAVAILABLE: TokenFailure = {
  reason: 'jwks_unavailable',
  detail: 'Signing keys are unavailable',
  retryable: true,
};
const FAILURES = {
  malformed: { reason: 'malformed_token', detail: 'The access token is malformed' },
  alg_not_allowed: {
    reason: 'alg_not_allowed',
    detail: 'The access token is signed with an algorithm that is not accepted',
  },
  bad_signature: { reason: 'bad_signature', detail: 'The access token signature is invalid' },
  unknown_key: {
    reason: 'unknown_key',
    detail: 'The access token is signed by an unknown key',
    retryable: true,
  },
} satisfies Record<string, TokenFailure>;
