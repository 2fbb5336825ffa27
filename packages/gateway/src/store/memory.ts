/** The in-process store (embedded mode, one gateway). Expired entries are swept every 10 s. */
import { randomUUID } from 'node:crypto';
import { PlanCounters, type PlanRequest, type PlanVerdict } from '../limits/plans.ts';
import type { GatewayStore, IdempotencyBegin, StoredResponse, WindowHit } from './store.ts';

interface Window {
  count: number;
  resetAt: number;
}

interface IdemRecord {
  fingerprint: string;
  token: string;
  expiresAt: number;
  response?: StoredResponse;
}

export class MemoryStore implements GatewayStore {
  readonly kind = 'memory';
  #windows = new Map<string, Window>();
  #idem = new Map<string, IdemRecord>();
  #deny = new Map<string, number>();
  #tickets = new Map<string, { value: string; expiresAt: number }>();
  #plans = new PlanCounters();
  #sweeper: NodeJS.Timeout;

  constructor() {
    this.#sweeper = setInterval(() => this.#sweep(), 10_000);
    this.#sweeper.unref();
  }

  hit(keys: string[], windowsMs: number[]): WindowHit[] {
    const now = Date.now();
    const out: WindowHit[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      let w = this.#windows.get(key);
      if (w === undefined || w.resetAt <= now) {
        w = { count: 0, resetAt: now + windowsMs[i]! };
        this.#windows.set(key, w);
      }
      w.count++;
      out[i] = { count: w.count, resetMs: w.resetAt - now };
    }
    return out;
  }

  async idempotencyBegin(key: string, fingerprint: string, lockMs: number): Promise<IdempotencyBegin> {
    const now = Date.now();
    const rec = this.#idem.get(key);
    if (rec === undefined || rec.expiresAt <= now) {
      const token = randomUUID();
      this.#idem.set(key, { fingerprint, token, expiresAt: now + lockMs });
      return { state: 'started', token };
    }
    if (rec.fingerprint !== fingerprint) return { state: 'mismatch' };
    if (rec.response === undefined) return { state: 'in_progress' };
    return { state: 'replay', response: rec.response };
  }

  async idempotencyComplete(
    key: string,
    token: string,
    fingerprint: string,
    response: StoredResponse,
    ttlMs: number,
  ): Promise<void> {
    const rec = this.#idem.get(key);
    if (rec?.token !== token) return;
    this.#idem.set(key, { fingerprint, token, response, expiresAt: Date.now() + ttlMs });
  }

  async idempotencyRelease(key: string, token: string): Promise<void> {
    if (this.#idem.get(key)?.token === token) this.#idem.delete(key);
  }

  async denylistAdd(entry: string, untilMs: number): Promise<void> {
    if (untilMs > (this.#deny.get(entry) ?? 0)) this.#deny.set(entry, untilMs);
  }

  async denylistEntries(): Promise<[string, number][]> {
    const now = Date.now();
    return [...this.#deny].filter(([, until]) => until > now);
  }

  async ticketPut(key: string, value: string, ttlMs: number): Promise<void> {
    this.#tickets.set(key, { value, expiresAt: Date.now() + ttlMs });
  }

  async ticketTake(key: string): Promise<string | null> {
    const t = this.#tickets.get(key);
    this.#tickets.delete(key);
    return t !== undefined && t.expiresAt > Date.now() ? t.value : null;
  }

  planAcquire(request: PlanRequest): PlanVerdict | Promise<PlanVerdict> {
    return this.#plans.acquire(request, Date.now());
  }

  planRelease(concurrencyKey: string): void | Promise<void> {
    this.#plans.release(concurrencyKey);
  }

  /** The plan checks of one tick of a worker thread (workers/shared-store.ts), in order. */
  async planAcquireMany(requests: PlanRequest[]): Promise<PlanVerdict[]> {
    const now = Date.now();
    return requests.map((r) => this.#plans.acquire(r, now));
  }

  async planReleaseMany(concurrencyKeys: string[]): Promise<void[]> {
    for (const k of concurrencyKeys) this.#plans.release(k);
    return [];
  }

  isReady(): boolean {
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [k, w] of this.#windows) if (w.resetAt <= now) this.#windows.delete(k);
    for (const [k, r] of this.#idem) if (r.expiresAt <= now) this.#idem.delete(k);
    for (const [k, until] of this.#deny) if (until <= now) this.#deny.delete(k);
    for (const [k, t] of this.#tickets) if (t.expiresAt <= now) this.#tickets.delete(k);
    this.#plans.sweep(now);
  }
}
