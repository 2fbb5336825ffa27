/**
 * The memory store of a gateway worker thread. Rate-limit windows live in the shared table every
 * worker counts in (`shared-windows.ts`), so limits stay exact across workers; idempotency
 * records, the denylist and WebSocket tickets are the main thread's, reached over a port (`state-channel.ts`), so a
 * key reserved on one worker is reserved on all.
 */
import { MemoryStore } from '../store/memory.ts';
import { TickBatch, type PlanRequest, type PlanVerdict } from '../limits/plans.ts';
import type { IdempotencyBegin, StoredResponse, WindowHit } from '../store/store.ts';
import { SharedWindows } from './shared-windows.ts';
import type { SharedStateClient } from './state-channel.ts';

export class SharedMemoryStore extends MemoryStore {
  readonly #windows: SharedWindows;
  readonly #state: SharedStateClient;

  constructor(buffer: SharedArrayBuffer, state: SharedStateClient) {
    super();
    this.#windows = new SharedWindows(buffer);
    this.#state = state;
  }

  override hit(keys: string[], windowsMs: number[]): WindowHit[] {
    const now = Date.now();
    const out: WindowHit[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const w = this.#windows.hit(keys[i]!, windowsMs[i]!, now);
      out[i] = { count: w.count, resetMs: w.resetAt - now };
    }
    return out;
  }

  override idempotencyBegin(key: string, fingerprint: string, lockMs: number): Promise<IdempotencyBegin> {
    return this.#state.idempotencyBegin(key, fingerprint, lockMs);
  }

  override idempotencyComplete(
    key: string,
    token: string,
    fingerprint: string,
    response: StoredResponse,
    ttlMs: number,
  ): Promise<void> {
    return this.#state.idempotencyComplete(key, token, fingerprint, response, ttlMs);
  }

  override idempotencyRelease(key: string, token: string): Promise<void> {
    return this.#state.idempotencyRelease(key, token);
  }

  override denylistAdd(entry: string, untilMs: number): Promise<void> {
    return this.#state.denylistAdd(entry, untilMs);
  }

  override denylistEntries(): Promise<[string, number][]> {
    return this.#state.denylistEntries();
  }

  // A ticket minted on one worker is taken on whichever worker the browser's upgrade reaches.
  override ticketPut(key: string, value: string, ttlMs: number): Promise<void> {
    return this.#state.ticketPut(key, value, ttlMs);
  }

  override ticketTake(key: string): Promise<string | null> {
    return this.#state.ticketTake(key);
  }

  // Plans are counted by the main thread, so N workers hold a consumer to its plan exactly.
  // One message per tick for the checks (and one for the releases) of the requests of that tick.
  readonly #plans = new TickBatch<PlanRequest, PlanVerdict>((rs) => this.#state.planAcquireMany(rs));
  readonly #releases = new TickBatch<string, void>((keys) => this.#state.planReleaseMany(keys));

  override planAcquire(request: PlanRequest): Promise<PlanVerdict> {
    return this.#plans.add(request);
  }

  override planRelease(concurrencyKey: string): Promise<void> {
    return this.#releases.add(concurrencyKey);
  }

  override async close(): Promise<void> {
    this.#state.close();
    await super.close();
  }
}
