/**
 * A principal is a verified credential as the request path caches it: the caller, when the
 * cache entry stops being valid, the denylist entries that would revoke it, and the passports
 * already minted for it, one per service, reused until ~10 s before they expire.
 */
import type { KeyObject } from 'node:crypto';
import { mintPassport, derivePassportKey, PASSPORT_TTL_SECONDS } from '@portico/kit/runtime';
import type { Caller } from '@portico/kit';

export interface Principal {
  caller: Caller;
  /** Epoch ms after which the cached verification must not be used. */
  expiresAt: number;
  /** Denylist entries that revoke this credential (`sid:…`, `jti:…`, `user:…`, `key:…`). */
  denyKeys: string[];
  /** Rate-limit / idempotency scope: `u:<user id>` or `k:<api key id>` (null when anonymous). */
  scope: string | null;
  /** Minted passports per service; `mint` tells which gateway (secret) made them. */
  passports: Map<string, { token: string; refreshAt: number; mint: object }>;
}

export function principal(caller: Caller, expiresAt: number, denyKeys: string[]): Principal {
  const scope = caller.apiKeyId ? `k:${caller.apiKeyId}` : caller.id ? `u:${caller.id}` : null;
  return { caller, expiresAt, denyKeys, scope, passports: new Map() };
}

/** Mints passports from the root secret; keys per service are derived once. */
export class PassportMint {
  #root: string | Buffer;
  #keys = new Map<string, KeyObject>();
  #ttl: number;

  constructor(rootSecret: string | Buffer, ttlSeconds = PASSPORT_TTL_SECONDS) {
    this.#root = rootSecret;
    this.#ttl = ttlSeconds;
  }

  /** The passport for `service` carrying `p.caller`, minted at most once per lifetime. */
  for(p: Principal, service: string, now: number): string {
    const cached = p.passports.get(service);
    // The anonymous principal is shared by every gateway in the process: a passport is only
    // reused by the mint (secret) that made it.
    if (cached !== undefined && cached.refreshAt > now && cached.mint === this) return cached.token;
    let key = this.#keys.get(service);
    if (key === undefined) this.#keys.set(service, (key = derivePassportKey(this.#root, service)));
    const { token, expiresAt } = mintPassport(key, service, p.caller, {
      ttlSeconds: this.#ttl,
      now,
    });
    // Reuse until 10 s before expiry (services allow 5 s of skew on top).
    p.passports.set(service, {
      token,
      refreshAt: expiresAt - Math.min(10_000, (this.#ttl * 1000) / 2),
      mint: this,
    });
    return token;
  }
}
