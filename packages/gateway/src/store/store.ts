import type { PlanRequest, PlanVerdict } from '../limits/plans.ts';

/**
 * The gateway's state port: rate-limit counters, idempotency records, the denylist and
 * WebSocket tickets. Two
 * adapters implement it, `memory.ts` (one process) and `redis.ts` (shared by replicas, every
 * operation one atomic script); nothing outside them knows which one runs (style.md §2).
 */

export interface WindowHit {
  /** Requests counted in the current window, this one included. */
  count: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

export interface StoredResponse {
  status: number;
  headers: [string, string][];
  /** base64 */
  body: string;
}

export type IdempotencyBegin =
  | { state: 'started'; token: string }
  | { state: 'in_progress' }
  | { state: 'mismatch' }
  | { state: 'replay'; response: StoredResponse };

export interface GatewayStore {
  readonly kind: 'memory' | 'redis';
  /**
   * Counts one request against each fixed window `keys[i]` of `windowsMs[i]`, atomically.
   * The memory store answers synchronously so the hot path skips a promise.
   */
  hit(keys: string[], windowsMs: number[]): WindowHit[] | Promise<WindowHit[]>;
  /** Reserves `key` for a first request with `fingerprint`, or says why it cannot. */
  idempotencyBegin(key: string, fingerprint: string, lockMs: number): Promise<IdempotencyBegin>;
  /** Stores the response of the reservation `token` for `ttlMs`. */
  idempotencyComplete(
    key: string,
    token: string,
    fingerprint: string,
    response: StoredResponse,
    ttlMs: number,
  ): Promise<void>;
  /** Drops the reservation `token` so the client can retry (the upstream failed). */
  idempotencyRelease(key: string, token: string): Promise<void>;
  /** Refuses `entry` (e.g. `sid:<id>`) until `untilMs` (epoch ms). */
  denylistAdd(entry: string, untilMs: number): Promise<void>;
  /** Every live denylist entry with its expiry (replicas sync from this). */
  denylistEntries(): Promise<[string, number][]>;
  /** Keeps a single-use WebSocket ticket's `value` under `key` for `ttlMs`. */
  ticketPut(key: string, value: string, ttlMs: number): Promise<void>;
  /** The ticket's value, deleted in the same step (a ticket is used once), or null. */
  ticketTake(key: string): Promise<string | null>;
  /**
   * A consumer's plan (limits/plans.ts): checks its quota, concurrency cap and GCRA rate and,
   * only when all pass, counts the request in each, atomically.
   */
  planAcquire(request: PlanRequest): PlanVerdict | Promise<PlanVerdict>;
  /** One request of the consumer is over: its in-flight count goes down. */
  planRelease(concurrencyKey: string): void | Promise<void>;
  /** Whether the store can currently answer (for `/health/ready` and metrics). */
  isReady(): boolean;
  close(): Promise<void>;
}

export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`gateway store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StoreUnavailableError';
  }
}
