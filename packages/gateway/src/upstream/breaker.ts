/**
 * A circuit breaker per upstream instance (passive ejection). `failures` consecutive failures
 * open it; after `cooldownMs` one probe request is let through (half-open): success closes it,
 * failure opens it again for another cooldown.
 */

export type BreakerState = 'closed' | 'open' | 'half_open';

export class Breaker {
  state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probing = false;
  readonly threshold: number;
  readonly cooldownMs: number;
  /** Called on every state change this breaker makes itself (not on `adopt`). */
  onChange: ((state: BreakerState, openedAt: number) => void) | null = null;

  constructor(threshold: number, cooldownMs: number) {
    this.threshold = threshold;
    this.cooldownMs = cooldownMs;
  }

  /** Whether a request may be sent now (does not take the half-open probe). */
  available(now: number): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') return now - this.#openedAt >= this.cooldownMs;
    return !this.#probing;
  }

  /** Takes the slot for a request chosen to go to this instance. */
  acquire(now: number): void {
    if (this.state === 'open' && now - this.#openedAt >= this.cooldownMs) this.#set('half_open');
    if (this.state === 'half_open') this.#probing = true;
  }

  /** Milliseconds until an open breaker lets a probe through. */
  retryAfterMs(now: number): number {
    return this.state === 'open' ? Math.max(0, this.cooldownMs - (now - this.#openedAt)) : 0;
  }

  success(): void {
    this.#failures = 0;
    this.#probing = false;
    if (this.state !== 'closed') this.#set('closed');
  }

  failure(now: number): void {
    this.#probing = false;
    if (this.state === 'half_open' || ++this.#failures >= this.threshold) {
      this.#openedAt = now;
      this.#failures = 0;
      if (this.state !== 'open') this.#set('open');
    }
  }

  /**
   * Takes a state another gateway worker reached for the same instance (`workers/`), without
   * reporting it back: an open breaker stays open until `openedAt + cooldownMs` here too, and a
   * close ends this worker's cooldown. Half-open is not adopted: each worker sends its own probe.
   */
  adopt(state: BreakerState, openedAt: number): void {
    if (state === 'half_open') return;
    this.#failures = 0;
    this.#probing = false;
    this.#openedAt = state === 'open' ? openedAt : this.#openedAt;
    this.state = state;
  }

  #set(state: BreakerState): void {
    this.state = state;
    this.onChange?.(state, this.#openedAt);
  }
}
