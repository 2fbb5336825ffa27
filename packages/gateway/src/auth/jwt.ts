/**
 * Access tokens from identity (RFC 9068 profile), verified with jose against the JWKS:
 * algorithm allow-list (RFC 8725 §3.1), `iss`, `aud`, `exp`, `nbf` with a small leeway.
 * A verified token's principal is cached until the token expires, so a client reusing its
 * token costs one Map lookup; revocation is checked against the denylist separately.
 */
import { jwtVerify } from 'jose';
import {
  permissionsForRoles,
  TOKEN_ALGORITHMS,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  type AccessTokenClaims,
} from '../kit.ts';
import { principal, type Principal } from './principal.ts';
import type { JwksCache } from './jwks.ts';

export type TokenFailure = { reason: string; detail: string; retryable?: boolean };

const MAX_CACHED = 20_000;
const MAX_REJECTED = 10_000;

export class JwtVerifier {
  #jwks: JwksCache;
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

  verify(token: string, now: number): Promise<Principal | TokenFailure> {
    const rejected = this.#rejected.get(token);
    if (rejected !== undefined && rejected.until > now) return Promise.resolve(rejected.failure);
    let p = this.#inflight.get(token);
    if (p === undefined) {
      // Concurrent requests with the same new token share one verification.
      p = this.#verify(token);
      this.#inflight.set(token, p);
    }
    return p;
  }

  #byRoles = new Map<string, string[]>();

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

  async #verify(token: string): Promise<Principal | TokenFailure> {
    try {
      const { payload } = await jwtVerify<AccessTokenClaims>(token, this.#jwks.getKey, {
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        algorithms: [...TOKEN_ALGORITHMS],
        clockTolerance: this.#skewSec,
        requiredClaims: ['exp', 'sub'],
      });
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r) => typeof r === 'string') : [];
      const caller = {
        id: payload.sub,
        roles,
        permissions: this.#permissions(roles),
        auth: 'jwt' as const,
        ...(typeof payload.sid === 'string' ? { sessionId: payload.sid } : {}),
      };
      const deny = [`user:${payload.sub}`];
      if (typeof payload.sid === 'string') deny.push(`sid:${payload.sid}`);
      if (typeof payload.jti === 'string') deny.push(`jti:${payload.jti}`);
      const p = principal(caller, payload.exp * 1000 + this.#skewSec * 1000, deny);
      if (this.#cache.size >= MAX_CACHED) evictOldest(this.#cache);
      this.#cache.set(token, p);
      this.#inflight.delete(token);
      return p;
    } catch (err) {
      this.#inflight.delete(token);
      const code = (err as { code?: string }).code ?? 'ERR_UNKNOWN';
      const failure = describe(code, err);
      if (!failure.retryable) {
        if (this.#rejected.size >= MAX_REJECTED) evictOldest(this.#rejected);
        this.#rejected.set(token, { until: Date.now() + 60_000, failure });
      }
      return failure;
    }
  }
}

function evictOldest(map: Map<string, unknown>): void {
  let n = Math.ceil(map.size / 10);
  for (const k of map.keys()) {
    map.delete(k);
    if (--n <= 0) break;
  }
}

function describe(code: string, err: unknown): TokenFailure {
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return { reason: 'token_expired', detail: 'The access token has expired' };
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (err as { claim?: string }).claim ?? 'claim';
      // nbf in the future may become valid: do not remember the rejection.
      return {
        reason: `bad_${claim}`,
        detail: `The access token's "${claim}" claim is not acceptable`,
        retryable: claim === 'nbf',
      };
    }
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return {
        reason: 'alg_not_allowed',
        detail: 'The access token is signed with an algorithm that is not accepted',
      };
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return { reason: 'bad_signature', detail: 'The access token signature is invalid' };
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return {
        reason: 'unknown_key',
        detail: 'The access token is signed by an unknown key',
        retryable: true,
      };
    case 'ERR_PORTICO_JWKS_UNAVAILABLE':
      return { reason: 'jwks_unavailable', detail: 'Signing keys are unavailable', retryable: true };
    default:
      return { reason: 'malformed_token', detail: 'The access token is malformed' };
  }
}
