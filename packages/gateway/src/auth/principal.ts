/**
 * A principal is a verified credential as the request path caches it: the caller, when the
 * cache entry stops being valid, the denylist entries that would revoke it, and the passports
 * already minted for it, one per service, reused until ~10 s before they expire.
 */
import type { KeyObject } from 'node:crypto';
import { mintPassport, derivePassportKey, PASSPORT_TTL_SECONDS } from '@portico/kit/runtime';
import type { Caller } from '@portico/kit';

const MAX_PASSPORTS = 1024;

export interface Principal {
  caller: Caller;
  /** Epoch ms after which the cached verification must not be used. */
  expiresAt: number;
  /** Denylist entries that revoke this credential (`sid:…`, `jti:…`, `user:…`, `key:…`). */
  denyKeys: string[];
  /** Rate-limit / idempotency scope: `u:<user id>` or `k:<api key id>` (null when anonymous). */
  scope: string | null;
  /**
   * The credential is limited to its scopes (an API key, or an OAuth token carrying `scope`):
   * every route it calls must be covered by one (auth/key-scopes.ts).
   */
  scoped: boolean;
  /** Minted passports per service and client address; `mint` tells which gateway (secret) made them. */
  passports: Map<string, { token: string; refreshAt: number; mint: object }>;
}

export function principal(
  caller: Caller,
  expiresAt: number,
  denyKeys: string[],
  scoped = caller.auth === 'api_key',
): Principal {
  const scope = caller.apiKeyId ? `k:${caller.apiKeyId}` : caller.id ? `u:${caller.id}` : null;
  return { caller, expiresAt, denyKeys, scope, scoped, passports: new Map() };
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

  /**
   * The passport for `service` carrying `p.caller` and the client's address `clientIp`, minted
   * at most once per lifetime per (service, address). The anonymous principal is shared by
   * every client, so its map is bounded: past `MAX_PASSPORTS` entries it starts afresh.
   */
  for(p: Principal, service: string, now: number, clientIp = ''): string {
    const slot = clientIp === '' ? service : `${service} ${clientIp}`;
    const cached = p.passports.get(slot);
    // The anonymous principal is shared by every gateway in the process: a passport is only
    // reused by the mint (secret) that made it.
    if (cached !== undefined && cached.refreshAt > now && cached.mint === this) return cached.token;
    let key = this.#keys.get(service);
    if (key === undefined) this.#keys.set(service, (key = derivePassportKey(this.#root, service)));
    const caller = clientIp === '' ? p.caller : { ...p.caller, clientIp };
    const { token, expiresAt } = mintPassport(key, service, caller, {
      ttlSeconds: this.#ttl,
      now,
    });
    // Reuse until 10 s before expiry (services allow 5 s of skew on top).
    if (p.passports.size >= MAX_PASSPORTS) p.passports.clear();
    p.passports.set(slot, {
      token,
      refreshAt: expiresAt - Math.min(10_000, (this.#ttl * 1000) / 2),
      mint: this,
    });
    return token;
  }
}
