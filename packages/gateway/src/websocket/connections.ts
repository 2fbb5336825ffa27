/**
 * The WebSocket connections this gateway relays, by caller: the cap per caller
 * (`websockets.max_per_caller`, counted on this gateway process), and the sweep that closes a
 * connection once its credential is revoked (the denylist: logout, session revocation, a
 * disabled user, a revoked API key) or its token expires. A request is checked once; a
 * connection lives on, so it is checked again every second.
 */
import type { Denylist } from '../auth/denylist.ts';
import type { Principal } from '../auth/principal.ts';

/** RFC 6455 §7.4.1: 1008, the endpoint closes because a message (here: its credential) violates its policy. */
export const POLICY_VIOLATION = 1008;
/** RFC 6455 §7.4.1: 1001, the endpoint is going away (the gateway shuts down). */
export const GOING_AWAY = 1001;

export interface LiveConnection {
  readonly principal: Principal;
  /** Closes both sides with `code` and `reason` (the client is told why). */
  close(code: number, reason: string): void;
}

export class ConnectionRegistry {
  readonly #byCaller = new Map<string, Set<LiveConnection | null>>();
  readonly #denylist: Denylist;
  #timer: NodeJS.Timeout | null = null;

  constructor(denylist: Denylist) {
    this.#denylist = denylist;
  }

  /** Holds a place for a connection of `caller` being opened; false when the caller has `max` already. */
  reserve(caller: string, max: number): boolean {
    let set = this.#byCaller.get(caller);
    if (set === undefined) this.#byCaller.set(caller, (set = new Set()));
    if (set.size >= max) return false;
    // A placeholder until the connection is open, so concurrent handshakes cannot pass the cap.
    set.add(null);
    return true;
  }

  /** The reserved place becomes `conn` (or is given back with null). */
  settle(caller: string, conn: LiveConnection | null): void {
    const set = this.#byCaller.get(caller);
    if (set === undefined) return;
    set.delete(null);
    if (conn !== null) set.add(conn);
    else if (set.size === 0) this.#byCaller.delete(caller);
  }

  remove(caller: string, conn: LiveConnection): void {
    const set = this.#byCaller.get(caller);
    if (set === undefined) return;
    set.delete(conn);
    if (set.size === 0) this.#byCaller.delete(caller);
  }

  get size(): number {
    let n = 0;
    for (const set of this.#byCaller.values()) n += set.size;
    return n;
  }

  /** Closes every connection whose credential was revoked or has expired. */
  sweep(now = Date.now()): void {
    for (const [caller, set] of this.#byCaller)
      for (const conn of set) {
        if (conn === null) continue;
        const p = conn.principal;
        let reason: string | null = null;
        if (this.#denylist.denied(p.denyKeys, now) !== null) reason = 'credential revoked';
        // A token's principal lives until the token expires; an API key's is a cache entry
        // (revocation reaches it through the denylist).
        else if (p.caller.auth === 'jwt' && p.expiresAt <= now) reason = 'credential expired';
        if (reason === null) continue;
        set.delete(conn);
        conn.close(POLICY_VIOLATION, reason);
        if (set.size === 0) this.#byCaller.delete(caller);
      }
  }

  start(intervalMs = 1000): void {
    this.#timer = setInterval(() => this.sweep(), intervalMs);
    this.#timer.unref();
  }

  /** Stops the sweep and closes every connection (shutdown). */
  closeAll(): void {
    if (this.#timer) clearInterval(this.#timer);
    for (const set of this.#byCaller.values())
      for (const conn of set) conn?.close(GOING_AWAY, 'gateway shutting down');
    this.#byCaller.clear();
  }
}
