/**
 * CloudEvents 1.0 JSON envelope (https://github.com/cloudevents/spec, v1.0.2) with the W3C
 * `traceparent` extension. `id` is unique per event; consumers dedupe on it.
 */
import { uuidv7 } from 'uuidv7';

export interface EventEnvelope<T = unknown> {
  specversion: '1.0';
  id: string;
  /** The publishing service, e.g. `orders`. */
  source: string;
  /** Past-tense fact `<entity>.<verb>`, e.g. `order.confirmed`. */
  type: string;
  /** The entity id the event is about. */
  subject?: string;
  /** RFC 3339 UTC. */
  time: string;
  datacontenttype: 'application/json';
  data: T;
  traceparent?: string;
}

export function makeEvent<T>(
  source: string,
  type: string,
  data: T,
  opts: { subject?: string; traceparent?: string; id?: string } = {},
): EventEnvelope<T> {
  const ev: EventEnvelope<T> = {
    specversion: '1.0',
    id: opts.id ?? uuidv7(),
    source,
    type,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
  };
  if (opts.subject !== undefined) ev.subject = opts.subject;
  if (opts.traceparent !== undefined) ev.traceparent = opts.traceparent;
  return ev;
}
