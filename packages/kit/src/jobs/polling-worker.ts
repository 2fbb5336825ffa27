/**
 * A polling worker: runs `tick` until it reports no more work, then sleeps `pollMs` or until
 * nudged. Ticks never overlap; `stop()` waits for the one in progress. The queues it drains live
 * in the database (the outbox, a mail queue, due invoices), so a restart or another replica
 * picks up where this one stopped. The outbox relay and the services' job workers share it.
 */
import type { Logger } from 'pino';

export interface PollingWorkerOptions {
  /** Sleep between ticks when idle (ms); a nudge wakes the worker at once. */
  pollMs: number;
  log: Logger;
}

export class PollingWorker {
  readonly #name: string;
  readonly #tick: () => Promise<boolean>;
  readonly #pollMs: number;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;

  /** `tick` returns true when it may have left work (it runs again at once). */
  constructor(name: string, tick: () => Promise<boolean>, opts: PollingWorkerOptions) {
    this.#name = name;
    this.#tick = tick;
    this.#pollMs = opts.pollMs;
    this.#log = opts.log;
  }

  get running(): boolean {
    return !this.#stopped;
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** New work may be there; `delayMs` lets a transaction that announced it commit first. */
  nudge(delayMs = 0): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#schedule(delayMs);
  }

  /**
   * Runs ticks now until none reports work left, after the tick in progress (never beside it);
   * an error reaches the caller. Polling carries on afterwards if the worker is started.
   */
  async drain(): Promise<void> {
    while (this.#running) await this.#running;
    const work = (async () => {
      while (await this.#tick());
    })();
    this.#running = work.catch(() => {});
    try {
      await work;
    } finally {
      this.#running = undefined;
      this.#again = false;
      if (!this.#stopped) this.#schedule(this.#pollMs);
    }
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#run(), ms);
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      try {
        while (!this.#stopped && (await this.#tick()));
      } catch (err) {
        this.#log.error({ err, worker: this.#name }, `${this.#name} failed; will retry`);
      }
    })();
    await this.#running;
    this.#running = undefined;
    if (this.#stopped) return;
    if (this.#again) {
      this.#again = false;
      this.#schedule(0);
    } else {
      this.#schedule(this.#pollMs);
    }
  }

  /** Stops polling and waits for the tick in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}
