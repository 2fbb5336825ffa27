/**
 * Idempotency records, the denylist and WebSocket tickets, one copy for every worker: the main thread keeps them in
 * a `MemoryStore` and each worker reaches it over a `MessagePort` (one port per worker).
 *
 * Why the main thread and not the shared table: an idempotency record holds a whole response
 * (headers and body, any size) and is touched only by requests that carry `Idempotency-Key`,
 * so the message round trips it adds (`bench/gateway/shared-state.ts`, docs/benchmarks.md
 * "Gateway workers") are paid only where a key is sent and cost nothing elsewhere. The reservation is exact: the main thread
 * handles one message at a time, so two workers asking for the same key get `started` once.
 * The denylist's check stays a local Map lookup in each worker; entries reach the main thread
 * when a worker adds one and every worker copies the main thread's list each second
 * (`Denylist.sync`), so an entry one worker learned is enforced by all within ~1 s.
 */
import type { MessagePort } from 'node:worker_threads';
import type { MemoryStore } from '../store/memory.ts';
import type { PlanRequest, PlanVerdict } from '../limits/plans.ts';
import {
  StoreUnavailableError,
  type GatewayStore,
  type IdempotencyBegin,
  type StoredResponse,
} from '../store/store.ts';

/** The store operations a worker forwards (their arguments and results cross the port as data). */
export type SharedStateOps = Pick<
  GatewayStore,
  | 'idempotencyBegin'
  | 'idempotencyComplete'
  | 'idempotencyRelease'
  | 'denylistAdd'
  | 'denylistEntries'
  | 'ticketPut'
  | 'ticketTake'
> &
  Pick<MemoryStore, 'planAcquireMany' | 'planReleaseMany'>;

type Op = keyof SharedStateOps;
const OPS: readonly Op[] = [
  'idempotencyBegin',
  'idempotencyComplete',
  'idempotencyRelease',
  'denylistAdd',
  'denylistEntries',
  'ticketPut',
  'ticketTake',
  'planAcquireMany',
  'planReleaseMany',
];

export interface Request<O extends string = Op> {
  id: number;
  op: O;
  args: unknown[];
}
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

/** Main thread: answers one worker's operations from `store` until the port closes. */
export function serveSharedState(port: MessagePort, store: MemoryStore): void {
  serveCalls(port, store, OPS);
}

/** Main thread: runs a worker's calls of `ops` (async methods of `target`) and answers each. */
export function serveCalls<T extends object>(
  port: MessagePort,
  target: T,
  ops: readonly (keyof T & string)[],
): void {
  port.on('message', (m: Request<keyof T & string>) => {
    if (!ops.includes(m.op)) {
      port.postMessage({ id: m.id, ok: false, message: `unknown operation ${String(m.op)}` } satisfies Reply);
      return;
    }
    const fn = target[m.op] as (...args: unknown[]) => unknown;
    // Some operations answer synchronously (plans): a throw becomes a rejection all the same.
    new Promise((resolve) => resolve(fn.apply(target, m.args))).then(
      (value) => port.postMessage({ id: m.id, ok: true, value } satisfies Reply),
      (err: unknown) =>
        port.postMessage({
          id: m.id,
          ok: false,
          message: err instanceof Error ? err.message : String(err),
        } satisfies Reply),
    );
  });
}

/**
 * Worker thread: the operations, each a message to the main thread and its answer. A main thread
 * that does not answer within `timeoutMs` makes the operation fail as a Redis outage would
 * (`StoreUnavailableError`: the route's failure mode decides).
 */
export class SharedStateClient implements SharedStateOps {
  readonly #port: MessagePort;
  readonly #timeoutMs: number;
  #next = 0;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor(port: MessagePort, timeoutMs = 1000) {
    this.#port = port;
    this.#timeoutMs = timeoutMs;
    port.on('message', (m: Reply) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new StoreUnavailableError(new Error(m.message)));
    });
    // The port must not keep a closing worker alive by itself.
    port.unref();
  }

  #call<T>(op: Op, args: unknown[]): Promise<T> {
    const id = ++this.#next;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.#pending.delete(id))
          reject(new StoreUnavailableError(new Error(`main thread did not answer ${op}`)));
      }, this.#timeoutMs);
      timer.unref();
      this.#pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.#port.postMessage({ id, op, args } satisfies Request);
    });
  }

  idempotencyBegin(key: string, fingerprint: string, lockMs: number): Promise<IdempotencyBegin> {
    return this.#call('idempotencyBegin', [key, fingerprint, lockMs]);
  }
  idempotencyComplete(
    key: string,
    token: string,
    fingerprint: string,
    response: StoredResponse,
    ttlMs: number,
  ): Promise<void> {
    return this.#call('idempotencyComplete', [key, token, fingerprint, response, ttlMs]);
  }
  idempotencyRelease(key: string, token: string): Promise<void> {
    return this.#call('idempotencyRelease', [key, token]);
  }
  denylistAdd(entry: string, untilMs: number): Promise<void> {
    return this.#call('denylistAdd', [entry, untilMs]);
  }
  denylistEntries(): Promise<[string, number][]> {
    return this.#call('denylistEntries', []);
  }
  ticketPut(key: string, value: string, ttlMs: number): Promise<void> {
    return this.#call('ticketPut', [key, value, ttlMs]);
  }
  ticketTake(key: string): Promise<string | null> {
    return this.#call('ticketTake', [key]);
  }

  planAcquireMany(requests: PlanRequest[]): Promise<PlanVerdict[]> {
    return this.#call('planAcquireMany', [requests]);
  }
  planReleaseMany(concurrencyKeys: string[]): Promise<void[]> {
    return this.#call('planReleaseMany', [concurrencyKeys]);
  }

  close(): void {
    for (const p of this.#pending.values()) p.reject(new StoreUnavailableError(new Error('closing')));
    this.#pending.clear();
    this.#port.close();
  }
}
