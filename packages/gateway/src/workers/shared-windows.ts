/**
 * Fixed-window counters in shared memory, so every worker thread of one gateway counts the
 * same windows and N workers enforce exactly the limit one would. The main thread allocates
 * the `SharedArrayBuffer` (`allocateSharedWindows`) and hands it to each worker.
 *
 * Layout: an open-addressing hash table of `capacity` slots (a power of two). Each slot holds
 * a spin lock, two independent 32-bit hashes of the limit key (a 64-bit fingerprint: two
 * different keys sharing a slot by accident is negligible), the window's count and its reset
 * time (epoch ms, a float). A slot is read and written only under its lock (`#lock`: taken
 * with `Atomics.compareExchange`, released with `Atomics.exchange`), which orders the plain
 * accesses between them for every thread. A slot whose window has ended is free for any key. When
 * `PROBES` slots in a row all hold live windows of other keys, the table is full: `hit`
 * throws and the rate limiter applies each policy's store fail mode (as for a Redis outage).
 */

const INTS_PER_SLOT = 4;
const LOCK = 0;
const HASH_A = 1;
const HASH_B = 2;
const COUNT = 3;
const PROBES = 32;
/** Tries before a thread that finds a slot locked goes to sleep. */
const SPINS = 64;
const WAIT_MS = 5;
/** A lock held this long belonged to a worker terminated mid-update: it is taken over. */
const STEAL_AFTER_MS = 1000;

export const DEFAULT_SHARED_WINDOW_SLOTS = 1 << 16;

export class SharedWindowsFullError extends Error {
  constructor() {
    super('shared rate-limit table is full');
    this.name = 'SharedWindowsFullError';
  }
}

/** The buffer for `capacity` windows (rounded up to a power of two). */
export function allocateSharedWindows(capacity = DEFAULT_SHARED_WINDOW_SLOTS): SharedArrayBuffer {
  let slots = 1;
  while (slots < capacity) slots <<= 1;
  return new SharedArrayBuffer(slots * (INTS_PER_SLOT * 4 + 8));
}

/** FNV-1a over the UTF-16 code units with a given offset basis. */
function fnv1a(key: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0 || 1;
}

export class SharedWindows {
  readonly capacity: number;
  readonly #meta: Int32Array;
  readonly #resetAt: Float64Array;
  readonly #mask: number;

  constructor(buffer: SharedArrayBuffer) {
    this.capacity = buffer.byteLength / (INTS_PER_SLOT * 4 + 8);
    this.#mask = this.capacity - 1;
    this.#resetAt = new Float64Array(buffer, 0, this.capacity);
    this.#meta = new Int32Array(buffer, this.capacity * 8, this.capacity * INTS_PER_SLOT);
  }

  /** Counts one request in the window of `key`; returns the count (this one included) and the reset time. */
  hit(key: string, windowMs: number, now: number): { count: number; resetAt: number } {
    const a = fnv1a(key, 0x811c9dc5 | 0);
    const b = fnv1a(key, 0x01000193 ^ 0x5bd1e995);
    let slot = a & this.#mask;
    for (let probe = 0; probe < PROBES; probe++, slot = (slot + 1) & this.#mask) {
      const base = slot * INTS_PER_SLOT;
      this.#lock(base);
      const m = this.#meta;
      const mine = m[base + HASH_A] === a && m[base + HASH_B] === b;
      const live = this.#resetAt[slot]! > now;
      if (mine || !live) {
        if (!mine || !live) {
          m[base + HASH_A] = a;
          m[base + HASH_B] = b;
          m[base + COUNT] = 0;
          this.#resetAt[slot] = now + windowMs;
        }
        const count = ++m[base + COUNT]!;
        const resetAt = this.#resetAt[slot]!;
        this.#unlock(base);
        return { count, resetAt };
      }
      this.#unlock(base);
    }
    throw new SharedWindowsFullError();
  }

  /**
   * A futex-style mutex: 0 free, 1 held, 2 held with waiters. A short spin covers the usual
   * case (the holder is running on another core); then the thread sleeps in `Atomics.wait`,
   * so a holder preempted by the OS is not competed with for CPU. A lock held for more than
   * `STEAL_AFTER_MS` belonged to a worker terminated mid-update and is taken over.
   */
  #lock(base: number): void {
    const m = this.#meta;
    const at = base + LOCK;
    let state = Atomics.compareExchange(m, at, 0, 1);
    if (state === 0) return;
    for (let i = 0; i < SPINS && state !== 0; i++) state = Atomics.compareExchange(m, at, 0, 1);
    if (state === 0) return;
    const deadline = Date.now() + STEAL_AFTER_MS;
    if (state !== 2) state = Atomics.exchange(m, at, 2);
    while (state !== 0) {
      Atomics.wait(m, at, 2, WAIT_MS);
      state = Atomics.exchange(m, at, 2);
      if (state !== 0 && Date.now() > deadline) return;
    }
  }

  #unlock(base: number): void {
    if (Atomics.exchange(this.#meta, base + LOCK, 0) === 2) Atomics.notify(this.#meta, base + LOCK, 1);
  }
}
