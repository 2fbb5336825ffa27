/**
 * identity's public keys (RFC 7517), fetched through the identity upstream. Kept in memory
 * and refreshed in the background; a token with an unknown `kid` triggers a refetch at most
 * once per `floorMs` (so garbage `kid`s cannot hammer identity); when identity is unreachable
 * the keys already held keep verifying.
 */
import type { JSONWebKeySet } from 'jose';
import type { Logger } from 'pino';
import { KeySet } from './jws.ts';

export type JwksFetcher = () => Promise<JSONWebKeySet>;

export class JwksCache {
  #fetch: JwksFetcher;
  #floorMs: number;
  #maxAgeMs: number;
  #log: Logger;
  #keys: KeySet | null = null;
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
    return this.#keys !== null;
  }

  /** The keys held now (null before the first successful fetch). */
  get keys(): KeySet | null {
    return this.#keys;
  }

  /** Fetches now (single-flight); false when identity could not be reached (old keys stay). */
  refresh(): Promise<boolean> {
    this.#inflight ??= (async () => {
      this.#lastAttempt = Date.now();
      try {
        this.#keys = new KeySet(await this.#fetch());
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
   * After a token named a key not held (or before any key is held): refetch, at most once per
   * `floorMs` (the very first load at most once a second), sharing a fetch already running.
   * True when a fetch completed and the caller should look again.
   */
  async refreshForUnknownKey(): Promise<boolean> {
    if (this.#inflight) return await this.#inflight;
    const initial = this.#keys === null;
    const floor = initial ? Math.min(this.#floorMs, 1000) : this.#floorMs;
    if (this.#lastAttempt && Date.now() - this.#lastAttempt < floor) return false;
    return await this.refresh();
  }
}
