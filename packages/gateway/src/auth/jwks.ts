/**
 * identity's public keys (RFC 7517), fetched through the identity upstream. Kept in memory
 * and refreshed in the background; a token with an unknown `kid` triggers a refetch at most
 * once per `floorMs` (so garbage `kid`s cannot hammer identity); when identity is unreachable
 * the keys already held keep verifying.
 */
import {
  createLocalJWKSet,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTHeaderParameters,
  type FlattenedJWSInput,
} from 'jose';
import type { Logger } from 'pino';

export type JwksFetcher = () => Promise<JSONWebKeySet>;
type KeyResolver = ReturnType<typeof createLocalJWKSet>;

export class JwksCache {
  #fetch: JwksFetcher;
  #floorMs: number;
  #maxAgeMs: number;
  #log: Logger;
  #resolver: KeyResolver | null = null;
  #lastAttempt = 0;
  #inflight: Promise<boolean> | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(fetch: JwksFetcher, opts: { floorMs: number; maxAgeMs: number; log: Logger }) {
    this.#fetch = fetch;
    this.#floorMs = opts.floorMs;
    this.#maxAgeMs = opts.maxAgeMs;
    this.#log = opts.log;
  }

  get loaded(): boolean {
    return this.#resolver !== null;
  }

  /** Fetches now (single-flight); false when identity could not be reached (old keys stay). */
  refresh(): Promise<boolean> {
    this.#inflight ??= (async () => {
      this.#lastAttempt = Date.now();
      try {
        const jwks = await this.#fetch();
        if (!Array.isArray(jwks?.keys)) throw new Error('JWKS has no keys array');
        this.#resolver = createLocalJWKSet(jwks);
        return true;
      } catch (err) {
        this.#log.warn({ err }, 'JWKS fetch failed; keeping the keys already held');
        return false;
      } finally {
        this.#inflight = null;
      }
    })();
    return this.#inflight;
  }

  start(): void {
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.#maxAgeMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /**
   * jose key resolver: the local set, refetched once (rate-floored) on an unknown `kid`. The
   * usual case (keys loaded, `kid` known) returns the local set's promise without another
   * async frame.
   */
  readonly getKey = (header: JWTHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    const resolver = this.#resolver;
    if (resolver === null) return this.#slowGetKey(header, token);
    return resolver(header, token).catch((err: unknown) => this.#retryUnknownKid(err, header, token));
  };

  async #slowGetKey(header: JWTHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    await this.#refreshIfAllowed(true);
    if (this.#resolver === null) throw new JwksUnavailable();
    try {
      return await this.#resolver(header, token);
    } catch (err) {
      return await this.#retryUnknownKid(err, header, token);
    }
  }

  async #retryUnknownKid(
    err: unknown,
    header: JWTHeaderParameters,
    token: FlattenedJWSInput,
  ): Promise<CryptoKey> {
    if ((err as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw err;
    if (!(await this.#refreshIfAllowed(false))) throw err;
    return await this.#resolver!(header, token);
  }

  async #refreshIfAllowed(initial: boolean): Promise<boolean> {
    if (this.#inflight) return await this.#inflight;
    if (!initial && Date.now() - this.#lastAttempt < this.#floorMs) return false;
    if (initial && this.#lastAttempt && Date.now() - this.#lastAttempt < Math.min(this.#floorMs, 1000))
      return false;
    return await this.refresh();
  }
}

export class JwksUnavailable extends Error {
  readonly code = 'ERR_PORTICO_JWKS_UNAVAILABLE';
  constructor() {
    super('identity signing keys are not available yet');
  }
}
