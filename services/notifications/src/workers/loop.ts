/**
 * A polling worker: runs `tick` until it reports no more work, then sleeps `pollMs` or until
 * nudged. Ticks never overlap; `stop()` waits for the one in progress. The queues it drains
 * live in the database, so a restart (or another replica) picks up where this one stopped.
 */
import type { Logger } from 'pino';

export class PollingWorker {
  readonly #name: string;
  readonly #tick: () => Promise<boolean>;
  readonly #pollMs: number;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;

  /** `tick` returns true when it may have left work (run again at once). */
  constructor(name: string, tick: () => Promise<boolean>, opts: { pollMs: number; log: Logger }) {
    this.#name = name;
    this.#tick = tick;
    this.#pollMs = opts.pollMs;
    this.#log = opts.log;
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

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#run(), ms);
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    if (this.#stopped || this.#running) return;
    this.#running = (async () => {
      try {
        while (!this.#stopped && (await this.#tick()));
      } catch (err) {
        this.#log.error({ err, worker: this.#name }, 'worker tick failed; will retry');
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

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}
