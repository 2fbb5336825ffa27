/**
 * Named diagnostics channels (node:diagnostics_channel). The kit publishes; metrics and
 * tracing subscribe. Domain code never imports a metrics or tracing SDK.
 */
import diagnostics from 'node:diagnostics_channel';

export interface RequestFinished {
  service: string;
  method: string;
  route: string;
  status: number;
  ms: number;
}
export interface EventRelayed {
  service: string;
  type: string;
  ms: number;
}
export interface EventConsumed {
  service: string;
  consumer: string;
  type: string;
  outcome: 'handled' | 'duplicate' | 'failed' | 'dead_lettered';
  /** Time from the event's `time` to the end of handling (consumer lag). */
  lagMs: number;
}

/** A typed view of a diagnostics channel; publishing costs nothing without subscribers. */
export interface TypedChannel<T> {
  publish(message: T): void;
  subscribe(fn: (message: T) => void): void;
  unsubscribe(fn: (message: T) => void): void;
}

function typed<T>(name: string): TypedChannel<T> {
  const ch = diagnostics.channel(name);
  return {
    publish: (m) => {
      if (ch.hasSubscribers) ch.publish(m);
    },
    subscribe: (fn) => ch.subscribe(fn as (m: unknown) => void),
    unsubscribe: (fn) => ch.unsubscribe(fn as (m: unknown) => void),
  };
}

export const kitEvents = {
  request: typed<RequestFinished>('portico:kit:request'),
  relayed: typed<EventRelayed>('portico:kit:outbox-relayed'),
  consumed: typed<EventConsumed>('portico:kit:event-consumed'),
};
