/**
 * Typed events: `EventTypes` maps every event type to its data. The kit declares the one it
 * publishes itself (`access.denied`); each domain adds its own map by declaration merging from
 * `@portico/contracts`, so the kit names no domain. A service declares the map it publishes
 * (`defineService<DB, Settings, OrdersEvents>`): `deps.publish(trx, type, data)` accepts only
 * those types with their data, and a consumer's `event.data` is narrowed by `event.type`.
 */
import type { EventEnvelope } from './envelope.ts';

/**
 * `access.denied`, published by the gateway and services when they refuse an authenticated or
 * anonymous caller (401/403); identity records it in the audit log.
 */
export interface AccessDeniedData {
  actor_id: string | null;
  method: string;
  path: string;
  status: 401 | 403;
  reason: string;
  ip: string | null;
  user_agent: string | null;
  request_id: string;
  source: string;
}

/** The events the kit itself publishes. */
export interface PlatformEvents {
  'access.denied': AccessDeniedData;
}

/** Every event type and its data: the platform's plus the domains' (merged in by contracts). */
export interface EventTypes extends PlatformEvents {}

export type EventType = keyof EventTypes & string;

/** The envelope of one of the types `K`, as a union discriminated by `type`. */
export type EventOf<K extends EventType> = K extends EventType
  ? Omit<EventEnvelope<EventTypes[K]>, 'type'> & { type: K }
  : never;

/** A map from event type to data, as a service declares what it publishes (an interface). */
export type EventMap = object;

/** The types of a map. */
export type TypesOf<M extends EventMap> = keyof M & string;
