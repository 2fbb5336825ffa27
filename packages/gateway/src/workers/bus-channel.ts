/**
 * The event bus of gateway workers in embedded mode. There the bus is the process's in-process
 * bus, which a worker thread cannot reach; so the main thread serves it over one `MessagePort`
 * per worker (`serveBus`) and the worker's gateway uses a `PortBus`, an `EventBus` whose every
 * call is a message. A subscription is made on the main thread's bus and each delivery is handed
 * to the worker, whose handler's outcome is the delivery's outcome (an error is redelivered as
 * the bus decides). When a worker dies its port closes and its subscriptions stop: a durable
 * consumer's unfinished deliveries are redelivered to whoever consumes next, a broadcast one's
 * are gone, as on NATS when a replica dies. Dead-letter callbacks do not cross the port (the
 * gateway subscribes without one). With NATS each worker connects itself and none of this is used.
 */
import type { MessagePort } from 'node:worker_threads';
import type { EventBus, EventEnvelope, EventHandler, Subscription, SubscriptionSpec } from '@portico/kit';

type Call =
  | { op: 'publish'; event: EventEnvelope }
  | { op: 'subscribe'; sub: number; spec: SubscriptionSpec }
  | { op: 'unsubscribe'; sub: number }
  | { op: 'broadcast'; channel: string; payload: unknown }
  | { op: 'listen'; sub: number; channel: string }
  | { op: 'unlisten'; sub: number };

type ToMain = ({ id: number } & Call) | { op: 'handled'; seq: number; error?: string };

type ToWorker =
  | { op: 'reply'; id: number; error?: string }
  | { op: 'deliver'; seq: number; sub: number; event: EventEnvelope; attempt: number }
  | { op: 'broadcasted'; sub: number; payload: unknown };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Main thread: serves `bus` to one worker until its port closes; then stops its subscriptions. */
export function serveBus(port: MessagePort, bus: EventBus): void {
  const subscriptions = new Map<number, Subscription>();
  const listeners = new Map<number, () => void>();
  const handled = new Map<number, (error?: string) => void>();
  let seq = 0;
  let open = true;
  const send = (m: ToWorker) => {
    if (open) port.postMessage(m);
  };

  const deliver = (sub: number, event: EventEnvelope, attempt: number) =>
    new Promise<void>((resolve, reject) => {
      if (!open) return reject(new Error('the gateway worker is gone'));
      const n = ++seq;
      handled.set(n, (error) => (error === undefined ? resolve() : reject(new Error(error))));
      send({ op: 'deliver', seq: n, sub, event, attempt });
    });

  const run = async (call: Call): Promise<void> => {
    switch (call.op) {
      case 'publish':
        return bus.publish(call.event);
      case 'subscribe':
        subscriptions.set(
          call.sub,
          await bus.subscribe(call.spec, (event, attempt) => deliver(call.sub, event, attempt)),
        );
        return;
      case 'unsubscribe': {
        const s = subscriptions.get(call.sub);
        subscriptions.delete(call.sub);
        return s?.stop();
      }
      case 'broadcast':
        return bus.broadcast(call.channel, call.payload);
      case 'listen':
        listeners.set(
          call.sub,
          await bus.onBroadcast(call.channel, (payload) =>
            send({ op: 'broadcasted', sub: call.sub, payload }),
          ),
        );
        return;
      case 'unlisten':
        listeners.get(call.sub)?.();
        listeners.delete(call.sub);
        return;
    }
  };

  port.on('message', (m: ToMain) => {
    if (m.op === 'handled') {
      handled.get(m.seq)?.(m.error);
      handled.delete(m.seq);
      return;
    }
    run(m).then(
      () => send({ op: 'reply', id: m.id }),
      (err: unknown) => send({ op: 'reply', id: m.id, error: message(err) }),
    );
  });
  port.on('close', () => {
    open = false;
    for (const done of handled.values()) done('the gateway worker is gone');
    handled.clear();
    for (const s of subscriptions.values()) void s.stop().catch(() => {});
    subscriptions.clear();
    for (const off of listeners.values()) off();
    listeners.clear();
  });
}

/** Worker thread: the bus as the gateway sees it, every call answered by the main thread. */
export class PortBus implements EventBus {
  readonly kind = 'memory';
  readonly #port: MessagePort;
  readonly #handlers = new Map<number, EventHandler>();
  readonly #listeners = new Map<number, (payload: unknown) => void>();
  readonly #pending = new Map<number, { resolve(): void; reject(e: Error): void }>();
  #next = 0;
  #closed = false;

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', (m: ToWorker) => {
      switch (m.op) {
        case 'reply': {
          const p = this.#pending.get(m.id);
          this.#pending.delete(m.id);
          if (m.error === undefined) p?.resolve();
          else p?.reject(new Error(m.error));
          break;
        }
        case 'deliver': {
          const handler = this.#handlers.get(m.sub);
          const answer = (error?: string) =>
            port.postMessage({
              op: 'handled',
              seq: m.seq,
              ...(error !== undefined && { error }),
            } satisfies ToMain);
          if (!handler) answer('no such subscription');
          else
            handler(m.event, m.attempt).then(
              () => answer(),
              (err: unknown) => answer(message(err)),
            );
          break;
        }
        case 'broadcasted':
          this.#listeners.get(m.sub)?.(m.payload);
          break;
      }
    });
    port.unref();
  }

  #call(call: Call): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the bus is closed'));
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#port.postMessage({ id, ...call } satisfies ToMain);
    });
  }

  publish(event: EventEnvelope): Promise<void> {
    return this.#call({ op: 'publish', event });
  }

  async subscribe(spec: SubscriptionSpec, handler: EventHandler): Promise<Subscription> {
    const sub = ++this.#next;
    this.#handlers.set(sub, handler);
    await this.#call({ op: 'subscribe', sub, spec });
    return {
      stop: async () => {
        this.#handlers.delete(sub);
        await this.#call({ op: 'unsubscribe', sub }).catch(() => {});
      },
    };
  }

  broadcast(channel: string, payload: unknown): Promise<void> {
    return this.#call({ op: 'broadcast', channel, payload });
  }

  async onBroadcast(channel: string, listener: (payload: unknown) => void): Promise<() => void> {
    const sub = ++this.#next;
    this.#listeners.set(sub, listener);
    await this.#call({ op: 'listen', sub, channel });
    return () => {
      this.#listeners.delete(sub);
      void this.#call({ op: 'unlisten', sub }).catch(() => {});
    };
  }

  isReady(): boolean {
    return !this.#closed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#pending.values()) p.reject(new Error('the bus is closed'));
    this.#pending.clear();
    this.#port.close();
  }
}
