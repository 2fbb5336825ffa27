/**
 * The memory store of a gateway worker thread: rate-limit windows live in the shared table
 * every worker counts in (`shared-windows.ts`), so limits stay exact across workers.
 * Idempotency records and the denylist stay per worker (as in `MemoryStore`): see the
 * "Workers" section of docs/gateway.md for what that means.
 */
import { MemoryStore } from '../store/memory.ts';
import type { WindowHit } from '../store/store.ts';
import { SharedWindows } from './shared-windows.ts';

export class SharedMemoryStore extends MemoryStore {
  readonly #windows: SharedWindows;

  constructor(buffer: SharedArrayBuffer) {
    super();
    this.#windows = new SharedWindows(buffer);
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
}
