/**
 * A retry budget (as in Envoy and Finagle): retries may add at most `ratio` of the requests
 * seen over the last 10 s, plus `minPerSecond`, so retries cannot multiply load on a service
 * that is already failing.
 */

const BUCKETS = 10;

export class RetryBudget {
  #requests = new Int32Array(BUCKETS);
  #retries = new Int32Array(BUCKETS);
  #second = 0;
  readonly ratio: number;
  readonly minPerSecond: number;

  constructor(ratio: number, minPerSecond: number) {
    this.ratio = ratio;
    this.minPerSecond = minPerSecond;
  }

  #roll(now: number): number {
    const second = Math.floor(now / 1000);
    if (second !== this.#second) {
      const gap = Math.min(BUCKETS, second - this.#second);
      for (let i = 1; i <= gap; i++) {
        const b = (this.#second + i) % BUCKETS;
        this.#requests[b] = 0;
        this.#retries[b] = 0;
      }
      this.#second = second;
    }
    return second % BUCKETS;
  }

  request(now: number): void {
    this.#requests[this.#roll(now)]!++;
  }

  /** Takes one retry from the budget, or says there is none left. */
  tryRetry(now: number): boolean {
    const b = this.#roll(now);
    let requests = 0;
    let retries = 0;
    for (let i = 0; i < BUCKETS; i++) {
      requests += this.#requests[i]!;
      retries += this.#retries[i]!;
    }
    if (retries >= this.minPerSecond * BUCKETS + this.ratio * requests) return false;
    this.#retries[b]!++;
    return true;
  }
}
