/**
 * NATS JetStream adapter. One stream (default `PORTICO`) holds every event under
 * `<prefix>.<type>`; each consumer is durable with explicit acks. Publishing uses the event id
 * as `Nats-Msg-Id`, so a re-publish after a crash (row sent, not yet marked) is dropped by the
 * stream's duplicate window. A failing handler is nak'd with backoff; after `maxDeliveries` the
 * event is dead-lettered and terminated.
 *
 * Durability: JetStream acknowledges before fsync by default; production deployments should set
 * `sync_interval: always` or replicate the stream (see docs/operations.md).
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { headers as natsHeaders, nanos } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import {
  defaultBackoff,
  EVERY_EVENT_TYPE,
  wantsType,
  type DeadLetterHandler,
  type EventBus,
  type EventHandler,
  type Subscription,
  type SubscriptionSpec,
} from './bus.ts';
import type { EventEnvelope } from './envelope.ts';

export interface NatsBusOptions {
  url: string;
  /** Stream name; tests use a unique one. */
  stream?: string;
  /** Subject prefix; tests use a unique one. */
  prefix?: string;
  /** Duplicate window for `Nats-Msg-Id` dedup (ms). */
  duplicateWindowMs?: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export class NatsBus implements EventBus {
  readonly kind = 'nats' as const;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #stream: string;
  readonly #prefix: string;
  readonly #subs = new Set<Subscription>();
  /** False from a disconnect until the client has reconnected (readiness). */
  #connected = true;

  private constructor(
    nc: NatsConnection,
    js: JetStreamClient,
    jsm: JetStreamManager,
    stream: string,
    prefix: string,
  ) {
    this.#nc = nc;
    this.#js = js;
    this.#jsm = jsm;
    this.#stream = stream;
    this.#prefix = prefix;
    void (async () => {
      for await (const st of nc.status()) {
        if (st.type === 'disconnect' || st.type === 'staleConnection') this.#connected = false;
        else if (st.type === 'reconnect') this.#connected = true;
      }
    })().catch(() => {});
  }

  static async connect(opts: NatsBusOptions): Promise<NatsBus> {
    // Reconnects for ever (every 1 s, jittered) after a server restart; while it is away
    // `isReady()` is false and publishes fail (the outbox keeps the events for later).
    const nc = await connect({
      servers: opts.url,
      name: 'portico',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      pingInterval: 10_000,
    });
    const jsm = await jetstreamManager(nc);
    const stream = opts.stream ?? 'PORTICO';
    const prefix = opts.prefix ?? 'portico.events';
    const config = {
      name: stream,
      subjects: [`${prefix}.>`],
      duplicate_window: nanos(opts.duplicateWindowMs ?? 2 * 60_000),
    };
    try {
      await jsm.streams.info(stream);
    } catch {
      try {
        await jsm.streams.add(config);
      } catch (err) {
        // Another process created it first.
        await jsm.streams.info(stream).catch(() => {
          throw err;
        });
      }
    }
    return new NatsBus(nc, jetstream(nc), jsm, stream, prefix);
  }

  #subject(type: string): string {
    return `${this.#prefix}.${type}`;
  }

  async publish(event: EventEnvelope): Promise<void> {
    const h = natsHeaders();
    if (event.traceparent) h.set('traceparent', event.traceparent);
    await this.#js.publish(this.#subject(event.type), enc.encode(JSON.stringify(event)), {
      msgID: event.id,
      headers: h,
    });
  }

  async subscribe(
    spec: SubscriptionSpec,
    handler: EventHandler,
    onDeadLetter?: DeadLetterHandler,
  ): Promise<Subscription> {
    // One consumer per subscriber keeps the order of its events across types (an
    // order.cancelled never overtakes its order.confirmed). `filter_subjects` (several) needs
    // NATS 2.10; to run on 2.9 too, a multi-type consumer filters on the prefix and skips the rest.
    if (spec.types.includes(EVERY_EVENT_TYPE) && !spec.broadcast)
      throw new Error('only a broadcast subscription may take every event type');
    const one = spec.types.length === 1 && spec.types[0] !== EVERY_EVENT_TYPE;
    const filterSubject = one ? this.#subject(spec.types[0]!) : `${this.#prefix}.>`;
    const max = spec.maxDeliveries ?? 5;
    const backoff = spec.backoffMs ?? defaultBackoff;
    let consumer;
    if (spec.broadcast) {
      consumer = await this.#js.consumers.get(this.#stream, {
        filter_subjects: filterSubject,
        deliver_policy: DeliverPolicy.New,
      });
    } else {
      const durable = spec.consumer.replace(/[^A-Za-z0-9_-]/g, '_');
      const cfg = {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        filter_subject: filterSubject,
        ack_wait: nanos(30_000),
        max_deliver: -1,
        max_ack_pending: 256,
      };
      try {
        await this.#jsm.consumers.add(this.#stream, cfg);
      } catch {
        await this.#jsm.consumers
          .update(this.#stream, durable, { filter_subject: filterSubject })
          .catch(() => {});
      }
      consumer = await this.#js.consumers.get(this.#stream, durable);
    }
    const messages = await consumer.consume({ max_messages: 64 });
    const inFlight = new Set<Promise<void>>();
    const loop = (async () => {
      for await (const m of messages) {
        let event: EventEnvelope;
        try {
          event = JSON.parse(dec.decode(m.data)) as EventEnvelope;
        } catch {
          m.term('unparseable');
          continue;
        }
        if (!wantsType(spec.types, event.type)) {
          if (!spec.broadcast) m.ack();
          continue;
        }
        const attempt = m.info.deliveryCount;
        const work = (async () => {
          try {
            await handler(event, attempt);
            if (!spec.broadcast) await m.ackAck().catch(() => m.ack());
          } catch (err) {
            if (spec.broadcast) return;
            if (attempt >= max) {
              try {
                await onDeadLetter?.(event, err, attempt);
                m.term('dead-lettered');
              } catch {
                m.nak(backoff(attempt));
              }
            } else {
              m.nak(backoff(attempt));
            }
          }
        })();
        inFlight.add(work);
        void work.finally(() => inFlight.delete(work));
        // Handle one message at a time per consumer: keeps per-subject order for the common case.
        await work;
      }
    })();
    const sub: Subscription = {
      stop: async () => {
        this.#subs.delete(sub);
        await messages.close();
        await Promise.allSettled([...inFlight]);
        await loop.catch(() => {});
      },
    };
    this.#subs.add(sub);
    return sub;
  }

  async broadcast(channel: string, payload: unknown): Promise<void> {
    this.#nc.publish(`${this.#prefix}-broadcast.${channel}`, enc.encode(JSON.stringify(payload)));
  }

  async onBroadcast(channel: string, listener: (payload: unknown) => void): Promise<() => void> {
    const sub = this.#nc.subscribe(`${this.#prefix}-broadcast.${channel}`);
    void (async () => {
      for await (const m of sub) {
        try {
          listener(JSON.parse(dec.decode(m.data)));
        } catch {
          /* a bad payload must not stop the listener */
        }
      }
    })();
    return () => sub.unsubscribe();
  }

  isReady(): boolean {
    return this.#connected && !this.#nc.isClosed();
  }

  /** Deletes the stream (tests). */
  async destroyStream(): Promise<void> {
    await this.#jsm.streams.delete(this.#stream).catch(() => {});
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subs].map((s) => s.stop()));
    await this.#nc.drain().catch(() => {});
  }
}
