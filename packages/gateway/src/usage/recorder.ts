/**
 * Usage recording off the request path: each answered request adds to an in-memory rollup
 * keyed by (minute, route, method, status, user, API key, plan) — a Map lookup and three
 * additions, no I/O, no promise — and a timer writes the rollup to the usage store every
 * `usage.flush_interval`. A failed write keeps its rows for the next flush (bounded), and
 * `close()` flushes what is left, so a request is neither lost nor counted twice: each gateway
 * process (each worker thread) flushes only what it recorded itself, and the store adds.
 */
import type { Logger } from 'pino';
import type { UsageRow, UsageStore } from './store.ts';

/** Distinct rows held at most (a store down for long drops the oldest rollup past this). */
const MAX_PENDING = 100_000;
/** Retention is applied at most this often. */
const PRUNE_EVERY_MS = 3_600_000;

export interface UsageSettings {
  sampleRate: number;
  flushMs: number;
  retentionDays: number;
}

/** What one answered request contributes. */
export interface UsageHit {
  route: string;
  method: string;
  status: number;
  latencyMs: number;
  userId: string | null;
  apiKeyId: string | null;
  plan: string | null;
  deprecated: boolean;
}

export class UsageRecorder {
  readonly #store: UsageStore;
  readonly #log: Logger;
  #settings: UsageSettings;
  #weight: number;
  #pending = new Map<string, UsageRow>();
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;
  #lastPrune = 0;
  /** Rows dropped because the store stayed unreachable past `MAX_PENDING`. */
  dropped = 0;

  constructor(store: UsageStore, settings: UsageSettings, log: Logger) {
    this.#store = store;
    this.#log = log;
    this.#settings = settings;
    this.#weight = 1 / settings.sampleRate;
  }

  get store(): UsageStore {
    return this.#store;
  }

  /** A reload may change the sample rate and retention (the flush interval applies at once too). */
  configure(settings: UsageSettings): void {
    const restart = this.#timer !== null && settings.flushMs !== this.#settings.flushMs;
    this.#settings = settings;
    this.#weight = 1 / settings.sampleRate;
    if (restart) {
      this.stop();
      this.start();
    }
  }

  start(): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => void this.flush(), this.#settings.flushMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Adds one answered request to the current minute's rollup (sampled when configured). */
  record(hit: UsageHit, now = Date.now()): void {
    const rate = this.#settings.sampleRate;
    if (rate < 1 && Math.random() >= rate) return;
    const minute = Math.floor(now / 60_000);
    const userId = hit.userId ?? '';
    const apiKeyId = hit.apiKeyId ?? '';
    const plan = hit.plan ?? 'default';
    const key = `${minute}\n${hit.route}\n${hit.method}\n${hit.status}\n${userId}\n${apiKeyId}\n${plan}`;
    const row = this.#pending.get(key);
    if (row !== undefined) {
      row.count += this.#weight;
      row.latencyMsSum += hit.latencyMs * this.#weight;
      if (hit.latencyMs > row.latencyMsMax) row.latencyMsMax = hit.latencyMs;
      return;
    }
    if (this.#pending.size >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.#pending.set(key, {
      minute,
      route: hit.route,
      method: hit.method,
      status: hit.status,
      userId,
      apiKeyId,
      plan,
      deprecated: hit.deprecated,
      count: this.#weight,
      latencyMsSum: hit.latencyMs * this.#weight,
      latencyMsMax: hit.latencyMs,
    });
  }

  /** Rows recorded and not yet written. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Writes the rollup so far; one flush at a time (a flush asked for meanwhile waits for it, then runs). */
  async flush(): Promise<void> {
    while (this.#flushing !== null) await this.#flushing;
    this.#flushing = this.#write().finally(() => (this.#flushing = null));
    await this.#flushing;
  }

  async #write(): Promise<void> {
    const batch = this.#pending;
    if (batch.size > 0) {
      this.#pending = new Map();
      try {
        await this.#store.write([...batch.values()]);
      } catch (err) {
        this.#log.warn({ err, rows: batch.size }, 'usage not written: kept for the next flush');
        this.#restore(batch);
        return;
      }
    }
    const now = Date.now();
    if (now - this.#lastPrune >= PRUNE_EVERY_MS) {
      this.#lastPrune = now;
      const before = Math.floor(now / 60_000) - this.#settings.retentionDays * 1440;
      await this.#store.prune(before).catch((err: unknown) => {
        this.#log.warn({ err }, 'usage retention not applied');
      });
    }
  }

  /** Puts a batch that failed to write back in front of what was recorded meanwhile. */
  #restore(batch: Map<string, UsageRow>): void {
    for (const [key, row] of this.#pending) {
      const old = batch.get(key);
      if (old === undefined) {
        if (batch.size >= MAX_PENDING) this.dropped++;
        else batch.set(key, row);
        continue;
      }
      old.count += row.count;
      old.latencyMsSum += row.latencyMsSum;
      old.latencyMsMax = Math.max(old.latencyMsMax, row.latencyMsMax);
    }
    this.#pending = batch;
  }

  /** Stops the timer and writes what is left (once more on failure). */
  async close(): Promise<void> {
    this.stop();
    await this.flush();
    if (this.#pending.size > 0) await this.flush();
  }
}
