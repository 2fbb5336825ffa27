/**
 * The in-process bus for embedded mode. `publish` resolves only after every subscribed
 * consumer has handled the event or parked it in its dead-letter table, so the outbox relay
 * marks a row published only when nothing can be lost by a crash: an event is either still
 * in the outbox (and relayed again on restart, deduped by each consumer's inbox) or done.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EventEmitter } from 'node:events';
import {
  defaultBackoff,
  wantsType,
  type DeadLetterHandler,
  type EventBus,
  type EventHandler,
  type Subscription,
  type SubscriptionSpec,
} from './bus.ts';
import type { EventEnvelope } from './envelope.ts';

interface Entry {
  spec: SubscriptionSpec;
  handler: EventHandler;
  onDeadLetter: DeadLetterHandler | undefined;
  inFlight: Set<Promise<void>>;
  /** Deliveries to one subscriber run one after another, in publish order. */
  tail: Promise<void>;
  stopped: boolean;
}

export class MemoryBus implements EventBus {
  readonly kind = 'memory' as const;
  readonly #subs = new Set<Entry>();
  readonly #emitter = new EventEmitter().setMaxListeners(0);
  #closed = false;

  async publish(event: EventEnvelope): Promise<void> {
    if (this.#closed) throw new Error('bus closed');
    const targets = [...this.#subs].filter((s) => !s.stopped && wantsType(s.spec.types, event.type));
    await Promise.all(targets.map((s) => this.#deliver(s, event)));
  }

  async #deliver(s: Entry, event: EventEnvelope): Promise<void> {
    // Each subscriber gets its own copy: handlers must not see each other's mutations.
    const copy = structuredClone(event);
    const previous = s.tail;
    const run = (async () => {
      await previous;
      const max = s.spec.broadcast ? 1 : (s.spec.maxDeliveries ?? 5);
      const backoff = s.spec.backoffMs ?? defaultBackoff;
      for (let attempt = 1; ; attempt++) {
        try {
          await s.handler(copy, attempt);
          return;
        } catch (err) {
          if (attempt >= max || s.stopped) {
            if (s.onDeadLetter && !s.spec.broadcast) await s.onDeadLetter(copy, err, attempt);
            return;
          }
          await sleep(backoff(attempt));
        }
      }
    })();
    s.tail = run.catch(() => {});
    s.inFlight.add(run);
    try {
      await run;
    } finally {
      s.inFlight.delete(run);
    }
  }

  async subscribe(
    spec: SubscriptionSpec,
    handler: EventHandler,
    onDeadLetter?: DeadLetterHandler,
  ): Promise<Subscription> {
    const entry: Entry = {
      spec,
      handler,
      onDeadLetter,
      inFlight: new Set(),
      tail: Promise.resolve(),
      stopped: false,
    };
    this.#subs.add(entry);
    return {
      stop: async () => {
        entry.stopped = true;
        this.#subs.delete(entry);
        await Promise.allSettled([...entry.inFlight]);
      },
    };
  }

  async broadcast(channel: string, payload: unknown): Promise<void> {
    this.#emitter.emit(channel, payload);
  }

  async onBroadcast(channel: string, listener: (payload: unknown) => void): Promise<() => void> {
    this.#emitter.on(channel, listener);
    return () => this.#emitter.off(channel, listener);
  }

  isReady(): boolean {
    return !this.#closed;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#subs].map((s) => Promise.allSettled([...s.inFlight])));
  }
}
