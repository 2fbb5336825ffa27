/**
 * Revoked sessions, tokens, users and API keys, checked on every authenticated request. The
 * check is a local Map lookup; entries arrive from identity's events (every replica receives
 * them) and are written to the store, from which replicas also sync every second, so a
 * replica that missed an event (or runs without a bus) still converges.
 */
import type { GatewayStore } from '../store/store.ts';
import type { Logger } from 'pino';

export class Denylist {
  #local = new Map<string, number>();
  #store: GatewayStore;
  #timer: NodeJS.Timeout | null = null;
  #log: Logger;

  constructor(store: GatewayStore, log: Logger) {
    this.#store = store;
    this.#log = log;
  }

  /** True when any of `keys` is revoked now. */
  denied(keys: string[], now: number): string | null {
    if (this.#local.size === 0) return null;
    for (const k of keys) {
      const until = this.#local.get(k);
      if (until !== undefined && until > now) return k;
    }
    return null;
  }

  add(entry: string, untilMs: number): void {
    if (untilMs <= Date.now()) return;
    if (untilMs > (this.#local.get(entry) ?? 0)) this.#local.set(entry, untilMs);
    this.#store.denylistAdd(entry, untilMs).catch((err: unknown) => {
      this.#log.warn({ err, entry }, 'denylist entry kept locally only: store unavailable');
    });
  }

  async sync(): Promise<void> {
    const now = Date.now();
    for (const [k, until] of this.#local) if (until <= now) this.#local.delete(k);
    try {
      for (const [k, until] of await this.#store.denylistEntries())
        if (until > (this.#local.get(k) ?? 0)) this.#local.set(k, until);
    } catch {
      // Store away: keep what we have; events still arrive.
    }
  }

  start(intervalMs = 1000): void {
    void this.sync();
    this.#timer = setInterval(() => void this.sync(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
