/**
 * Authentication step: finds the credential (a bearer JWT, a bearer API key or `X-API-Key`),
 * verifies it (cached), and checks the denylist. Answers synchronously when the credential is
 * cached, so a client reusing its token pays no promise on the hot path.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { API_KEY_PREFIX } from '@portico/contracts';
import type { ApiKeyVerifier } from './api-keys.ts';
import type { Denylist } from './denylist.ts';
import type { JwtVerifier, TokenFailure } from './jwt.ts';
import type { Principal } from './principal.ts';

export type Credential = { kind: 'jwt' | 'api_key'; value: string };

export type AuthFailure = {
  ok: false;
  status: 401 | 503;
  code: 'unauthenticated' | 'invalid_token' | 'service_unavailable';
  reason: string;
  detail: string;
  /** A credential was presented (RFC 6750 §3: then `error="invalid_token"`). */
  tokenGiven: boolean;
};

export type AuthOutcome = { ok: true; principal: Principal; credential: Credential } | AuthFailure;

/** The credential a request carries, null for none, or a failure for an unusable header. */
export function findCredential(
  headers: IncomingHttpHeaders,
  apiKeyHeader: string,
): Credential | null | AuthFailure {
  const auth = headers.authorization;
  if (auth !== undefined) {
    if (auth.length < 8 || auth.charCodeAt(6) !== 32 || auth.slice(0, 6).toLowerCase() !== 'bearer')
      return fail(401, 'unauthenticated', 'unsupported_scheme', 'Use Authorization: Bearer <token>', false);
    const value = auth.slice(7).trim();
    if (value === '') return fail(401, 'invalid_token', 'empty_token', 'The bearer token is empty', true);
    return { kind: value.startsWith(API_KEY_PREFIX) ? 'api_key' : 'jwt', value };
  }
  const key = headers[apiKeyHeader];
  if (typeof key === 'string' && key !== '') return { kind: 'api_key', value: key.trim() };
  return null;
}

function fail(
  status: 401 | 503,
  code: AuthFailure['code'],
  reason: string,
  detail: string,
  tokenGiven: boolean,
): AuthFailure {
  return { ok: false, status, code, reason, detail, tokenGiven };
}

export class Authenticator {
  #jwt: JwtVerifier;
  #keys: ApiKeyVerifier;
  #deny: Denylist;

  constructor(jwt: JwtVerifier, keys: ApiKeyVerifier, deny: Denylist) {
    this.#jwt = jwt;
    this.#keys = keys;
    this.#deny = deny;
  }

  authenticate(cred: Credential, now: number): AuthOutcome | Promise<AuthOutcome> {
    if (cred.kind === 'jwt') {
      const p = this.#jwt.cached(cred.value, now);
      if (p !== undefined) return this.#admit(p, cred, now);
      const r = this.#jwt.verify(cred.value, now);
      return r instanceof Promise
        ? r.then((v) => this.#tokenOutcome(v, cred, Date.now()))
        : this.#tokenOutcome(r, cred, now);
    }
    const cached = this.#keys.cached(cred.value, now);
    if (cached === null)
      return fail(401, 'invalid_token', 'invalid_api_key', 'The API key is not valid', true);
    if (cached !== undefined) return this.#admit(cached, cred, now);
    if (!cred.value.startsWith('pk_'))
      return fail(401, 'invalid_token', 'invalid_api_key', 'The API key is not valid', true);
    return this.#keys.verify(cred.value).then((r) => {
      if ('caller' in r) return this.#admit(r, cred, Date.now());
      if (r.reason === 'identity_unavailable')
        return fail(503, 'service_unavailable', r.reason, r.detail, true);
      return fail(401, 'invalid_token', r.reason, r.detail, true);
    });
  }

  #tokenOutcome(r: Principal | TokenFailure, cred: Credential, now: number): AuthOutcome {
    if ('caller' in r) return this.#admit(r, cred, now);
    if (r.reason === 'jwks_unavailable') return fail(503, 'service_unavailable', r.reason, r.detail, true);
    return fail(401, 'invalid_token', r.reason, r.detail, true);
  }

  #admit(p: Principal, credential: Credential, now: number): AuthOutcome {
    const denied = this.#deny.denied(p.denyKeys, now);
    if (denied !== null)
      return fail(
        401,
        'invalid_token',
        `revoked_${denied.slice(0, denied.indexOf(':'))}`,
        'The credential has been revoked',
        true,
      );
    return { ok: true, principal: p, credential };
  }
}
