/**
 * The event bus port. Two adapters implement it: `memory-bus.ts` (embedded mode) and
 * `nats-bus.ts` (JetStream). Nothing outside them knows which one runs.
 *
 * Delivery is at-least-once: `publish` resolves only once the bus has durably accepted the
 * event (JetStream PubAck; in memory, once every subscriber has handled or parked it), and a
 * handler that throws is redelivered with backoff until `maxDeliveries`, then dead-lettered.
 */
import type { EventEnvelope } from './envelope.ts';

export interface SubscriptionSpec {
  /** Durable consumer name, unique per (service, consumer); e.g. `shipping`. */
  consumer: string;
  /** Event types to receive (exact names), or `[EVERY_EVENT_TYPE]` for all of them (broadcast only). */
  types: string[];
  /** Deliveries before the event is dead-lettered (default 5). */
  maxDeliveries?: number;
  /** Delay before redelivery `attempt` (1-based); default exponential from 200 ms, capped 30 s. */
  backoffMs?: (attempt: number) => number;
  /**
   * A non-durable subscription: each subscriber (each gateway replica) receives every event,
   * from now on; no redelivery after a restart. For caches such as the gateway's denylist.
   */
  broadcast?: boolean;
}

export type EventHandler = (event: EventEnvelope, attempt: number) => Promise<void>;
/** Called when an event has failed `maxDeliveries` times; must store it durably. */
export type DeadLetterHandler = (event: EventEnvelope, error: unknown, attempts: number) => Promise<void>;

export interface Subscription {
  /** Stops taking new events and waits for the ones being handled. */
  stop(): Promise<void>;
}

export interface EventBus {
  readonly kind: 'memory' | 'nats';
  publish(event: EventEnvelope): Promise<void>;
  subscribe(
    spec: SubscriptionSpec,
    handler: EventHandler,
    onDeadLetter?: DeadLetterHandler,
  ): Promise<Subscription>;
  /** Fire-and-forget fan-out to every live listener of `channel` (e.g. SSE streams on all replicas). */
  broadcast(channel: string, payload: unknown): Promise<void>;
  onBroadcast(channel: string, listener: (payload: unknown) => void): Promise<() => void>;
  isReady(): boolean;
  close(): Promise<void>;
}

/**
 * `types: [EVERY_EVENT_TYPE]`: every event on the bus, whatever its type — for a broadcast
 * subscription that watches (the gateway's live feed for operators), never for a durable consumer.
 */
export const EVERY_EVENT_TYPE = '*';

/** Whether a subscription for `types` receives an event of `type`. */
export function wantsType(types: readonly string[], type: string): boolean {
  return types.includes(type) || types.includes(EVERY_EVENT_TYPE);
}

export function defaultBackoff(attempt: number): number {
  return Math.min(30_000, 200 * 2 ** (attempt - 1));
}
