/**
 * `defineService()`: a service is data — its name, routes, migrations and events. The kit
 * mounts many in one process (embedded) or serves one alone (distributed); service code
 * receives the same `ServiceDeps` either way and cannot tell which.
 *
 * @example
 *   export default defineService({
 *     name: 'tasks', version: '1.0.0',
 *     migrations: new URL('./migrations/', import.meta.url),
 *     publishes: ['task.created'],
 *     routes: (app, deps) => { app.get('/api/v1/tasks', { ... }, async (req) => ...) },
 *     consumers: [{ name: 'on-user', types: ['user.registered'], handle: async (ev, ctx) => ... }],
 *   });
 */
import type {
  FastifyInstance,
  FastifyBaseLogger,
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { TObject } from 'typebox';
import type { Migration } from './db/migrations.ts';
import type { EventEnvelope } from './events/envelope.ts';
import type { EventBus } from './events/bus.ts';
import type { ServiceClient } from './client/service-client.ts';

/** The Fastify instance a service's routes are registered on (TypeBox-typed). */
export type ServiceApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface PublishOptions {
  /** The entity id the event is about (CloudEvents `subject`). */
  subject?: string;
  /** W3C traceparent to carry (defaults to none; pass `req.trace.traceparent`). */
  traceparent?: string;
}

/** What a service's code gets from the kit: the same in both modes. */
export interface ServiceDeps<DB = any, Settings = Record<string, unknown>> {
  readonly name: string;
  readonly db: Kysely<DB>;
  /**
   * Runs `fn` in one transaction and wakes the outbox relay after commit. Events published
   * with `publish(trx, …)` inside commit or roll back with the data.
   */
  tx<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
  publish<T>(trx: Transaction<DB>, type: string, data: T, opts?: PublishOptions): Promise<EventEnvelope<T>>;
  readonly settings: Settings;
  readonly log: Logger;
  /** Calls to other services (timeout, retries, breaker, passport). */
  readonly call: ServiceClient;
  /** Non-durable fan-out across replicas (live streams). */
  readonly bus: Pick<EventBus, 'broadcast' | 'onBroadcast'>;
  /** Directory for local files (embedded dev mailbox, keys); `./data/<service>`. */
  readonly dataDir: string;
  /** Registers work to run at shutdown, before pools close (stop timers, workers). */
  onClose(fn: () => Promise<void> | void): void;
}

export interface ConsumerContext<DB = any> {
  /** The transaction that also records the event id in the inbox. */
  trx: Transaction<DB>;
  publish<T>(type: string, data: T, opts?: PublishOptions): Promise<EventEnvelope<T>>;
  log: Logger;
  attempt: number;
  /** Runs `fn` once the handler's transaction committed (e.g. announce to live streams); not on rollback. */
  afterCommit(fn: () => void | Promise<void>): void;
}

export interface ConsumerDefinition<DB = any> {
  /** Unique within the service; the durable consumer is `<service>.<name>`. */
  name: string;
  types: string[];
  handle(event: EventEnvelope<any>, ctx: ConsumerContext<DB>): Promise<void>;
  maxDeliveries?: number;
  backoffMs?: (attempt: number) => number;
}

export interface ServiceDefinition<DB = any, Settings = any> {
  name: string;
  version: string;
  description?: string;
  /** A folder of `NNN_name.sql` files, or the migrations themselves. */
  migrations: URL | Migration[];
  /** Environment settings schema; validated at start (see config/settings.ts). */
  settings?: TObject;
  /** Event types this service publishes (documentation and checks). */
  publishes?: string[];
  consumers?: ConsumerDefinition<DB>[];
  /** Services this one calls synchronously (it gets passports only for these). */
  calls?: string[];
  routes(app: ServiceApp, deps: ServiceDeps<DB, Settings>): void | Promise<void>;
  /** Background work started after migrations (e.g. a delivery worker); stopped via `deps.onClose`. */
  start?(deps: ServiceDeps<DB, Settings>): void | Promise<void>;
}

export function defineService<DB = any, Settings = any>(
  def: ServiceDefinition<DB, Settings>,
): ServiceDefinition<DB, Settings> {
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(def.name))
    throw new Error(`service name must be lower-case kebab: ${def.name}`);
  return def;
}
