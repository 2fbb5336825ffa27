/**
 * The usage store across threads: under `workers: N` in embedded mode the store (PGlite) lives
 * on the main thread, which serves no HTTP. Each worker flushes its own rollup and reads reports
 * through a MessagePort; the main thread runs them on the one store. Each worker still flushes
 * only what it recorded, so nothing is counted twice.
 */
import type { MessagePort } from 'node:worker_threads';
import type { UsageStore } from './store.ts';
import { serveCalls, type Reply, type Request } from '../workers/state-channel.ts';

type Method = Exclude<keyof UsageStore, 'close'>;

const METHODS: readonly Method[] = ['write', 'report', 'deprecatedCallers', 'keyUsedByOther', 'prune'];

/** Main thread: answers a worker's store calls on `store`. */
export function serveUsageStore(port: MessagePort, store: UsageStore): void {
  serveCalls(port, store, METHODS);
  port.unref();
}

/** Worker thread: a usage store whose calls run on the main thread's store. */
export class PortUsageStore implements UsageStore {
  readonly #port: MessagePort;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  #seq = 0;

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', (a: Reply) => {
      const p = this.#pending.get(a.id);
      if (p === undefined) return;
      this.#pending.delete(a.id);
      if (a.ok) p.resolve(a.value);
      else p.reject(new Error(a.message));
    });
  }

  #ask<T>(method: Method, ...args: unknown[]): Promise<T> {
    const seq = ++this.#seq;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.#port.postMessage({ id: seq, op: method, args } satisfies Request<Method>);
    });
  }

  write: UsageStore['write'] = (rows) => this.#ask('write', rows);
  report: UsageStore['report'] = (filter, interval) => this.#ask('report', filter, interval);
  deprecatedCallers: UsageStore['deprecatedCallers'] = (filter) => this.#ask('deprecatedCallers', filter);
  keyUsedByOther: UsageStore['keyUsedByOther'] = (key, user, w) => this.#ask('keyUsedByOther', key, user, w);
  prune: UsageStore['prune'] = (before) => this.#ask('prune', before);

  close(): Promise<void> {
    this.#port.close();
    return Promise.resolve();
  }
}
