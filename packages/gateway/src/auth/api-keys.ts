/**
 * API keys, verified by identity (`POST /internal/api-keys/verify` with a gateway service
 * passport) and cached briefly: valid keys for `ttlMs` (never past their own expiry), unknown
 * ones for a few seconds so a bad key cannot flood identity. `api_key.revoked` events drop a
 * cached key at once; the denylist covers the rest of its cache life.
 */
import type { Caller } from '@portico/kit';
import { API_KEY_VERIFY_PATH, type ApiKeyVerifyResponse } from '@portico/contracts';
import { principal, type Principal } from './principal.ts';

const NEGATIVE_TTL_MS = 5_000;
const MAX_CACHED = 20_000;

export type ApiKeyCall = (
  path: string,
  body: string,
  caller: Caller,
) => Promise<{ status: number; json: unknown }>;
export type ApiKeyFailure = { reason: 'invalid_api_key' | 'identity_unavailable'; detail: string };

const GATEWAY_CALLER: Caller = { id: null, roles: [], permissions: [], auth: 'service', service: 'gateway' };

export class ApiKeyVerifier {
  #call: ApiKeyCall;
  #ttlMs: number;
  #cache = new Map<string, { p: Principal | null; until: number }>();
  #inflight = new Map<string, Promise<Principal | ApiKeyFailure>>();

  constructor(call: ApiKeyCall, ttlMs: number) {
    this.#call = call;
    this.#ttlMs = ttlMs;
  }

  cached(key: string, now: number): Principal | null | undefined {
    const e = this.#cache.get(key);
    if (e === undefined) return undefined;
    if (e.until > now) return e.p;
    this.#cache.delete(key);
    return undefined;
  }

  verify(key: string): Promise<Principal | ApiKeyFailure> {
    let p = this.#inflight.get(key);
    if (p === undefined) {
      p = this.#verify(key).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, p);
    }
    return p;
  }

  /** Drops every cached entry of an API key id or of a user. */
  forget(match: { apiKeyId?: string; userId?: string }): void {
    for (const [k, e] of this.#cache)
      if (e.p && (e.p.caller.apiKeyId === match.apiKeyId || (match.userId && e.p.caller.id === match.userId)))
        this.#cache.delete(k);
  }

  async #verify(key: string): Promise<Principal | ApiKeyFailure> {
    let res: { status: number; json: unknown };
    try {
      res = await this.#call(API_KEY_VERIFY_PATH, JSON.stringify({ key }), GATEWAY_CALLER);
    } catch {
      return { reason: 'identity_unavailable', detail: 'API keys cannot be verified right now' };
    }
    if (res.status >= 500)
      return { reason: 'identity_unavailable', detail: 'API keys cannot be verified right now' };
    const body = res.json as ApiKeyVerifyResponse | null;
    const now = Date.now();
    if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
    if (res.status !== 200 || !body || body.valid !== true) {
      this.#cache.set(key, { p: null, until: now + NEGATIVE_TTL_MS });
      return { reason: 'invalid_api_key', detail: 'The API key is not valid' };
    }
    const expires = body.expires_at ? Date.parse(body.expires_at) : Infinity;
    if (expires <= now) {
      this.#cache.set(key, { p: null, until: now + NEGATIVE_TTL_MS });
      return { reason: 'invalid_api_key', detail: 'The API key has expired' };
    }
    const caller: Caller = {
      id: body.user_id,
      roles: body.roles,
      permissions: body.scopes,
      auth: 'api_key',
      apiKeyId: body.api_key_id,
      ...(body.api_version !== undefined && { apiVersion: body.api_version }),
      ...(body.plan ? { plan: body.plan } : {}),
    };
    const until = Math.min(now + this.#ttlMs, expires);
    const p = principal(caller, until, [`key:${body.api_key_id}`, `user:${body.user_id}`]);
    this.#cache.set(key, { p, until });
    return p;
  }
}
