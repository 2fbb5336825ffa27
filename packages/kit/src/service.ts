/**
 * `defineService()`: a service is data — its name, routes, migrations and events. The kit
 * mounts many in one process (embedded) or serves one alone (distributed); service code
 * receives the same `ServiceDeps` either way and cannot tell which.
 *
 * @example
 *   // In a service's own folder; the kit knows no service's events, only the map it is given.
 *   export default defineService<NotesDB, NotesSettings, NotesEvents>({
 *     name: 'notes', version: '1.0.0',
 *     migrations: new URL('./migrations/', import.meta.url),
 *     publishes: ['note.created'],   // keys of the service's own event map, checked at start-up too
 *     routes: (app, deps) => { app.get('/api/v1/notes', { ... }, async (req) => ...) },
 *     consumers: [onPeerEvent],      // defineConsumer({ name, types: [...], handle })
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
import type { EventOf, EventType, TypesOf } from './events/types.ts';
import type { ServiceClient } from './client/service-client.ts';
import type { RetryOptions } from './db/sql-errors.ts';
import type { VersionChange } from './versions/chain.ts';

/** The Fastify instance a service's routes are registered on (TypeBox-typed). */
export type ServiceApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface TxOptions {
  /** Run the transaction again when PostgreSQL aborted it for a reason a re-run fixes. */
  retry?: RetryOptions;
}

export interface PublishOptions {
  /** The entity id the event is about (CloudEvents `subject`). */
  subject?: string;
  /**
   * W3C traceparent to carry. Defaults to the current one: the request's (HTTP handlers) or the
   * consumed event's (consumers), kept in AsyncLocalStorage; pass it only to override.
   */
  traceparent?: string;
}

/**
 * What a service's code gets from the kit: the same in both modes. `Events` is the map of the
 * events the service publishes (type → data); `publish` accepts nothing else.
 */
export interface ServiceDeps<
  DB = any,
  Settings = Record<string, unknown>,
  Events extends object = {},
  Context = unknown,
> {
  readonly name: string;
  /**
   * What the service's `context(deps)` built once at start (a key ring, workers): the same
   * object for its routes, `start` and consumers. Undefined inside `context` itself.
   */
  readonly context: Context;
  readonly db: Kysely<DB>;
  /**
   * Runs `fn` in one transaction and wakes the outbox relay after commit. Events published
   * with `publish(trx, …)` inside commit or roll back with the data. With `retry`, a
   * transaction PostgreSQL aborted (deadlock, serialization failure, or the SQLSTATEs in
   * `retry.also`) runs again from the start, up to `retry.attempts` runs (default 3).
   *
   * @example
   *   await deps.tx((trx) => reserveStock(trx, items), { retry: {} });
   */
  tx<T>(fn: (trx: Transaction<DB>) => Promise<T>, opts?: TxOptions): Promise<T>;
  /** Writes an event to the outbox in `trx`: it is relayed only if the transaction commits. */
  publish<K extends TypesOf<Events>>(
    trx: Transaction<DB>,
    type: K,
    data: Events[K],
    opts?: PublishOptions,
  ): Promise<EventEnvelope<Events[K]>>;
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

/** Any service's deps (what a consumer definition is generic over). */
export type AnyDeps = ServiceDeps<any, any, any, any>;

type DbOf<D> = D extends ServiceDeps<infer DB, any, any, any> ? DB : any;

export interface ConsumerContext<D extends AnyDeps = AnyDeps> {
  /** The transaction that also records the event id in the inbox; publish in it. */
  trx: Transaction<DbOf<D>>;
  /** The service's dependencies (the same object its routes get). */
  deps: D;
  log: Logger;
  attempt: number;
  /** Runs `fn` once the handler's transaction committed (e.g. announce to live streams); not on rollback. */
  afterCommit(fn: () => void | Promise<void>): void;
}

/**
 * A durable consumer of the event types `K`; `event.data` is narrowed by `event.type`. Events
 * the handler publishes (`ctx.deps.publish(ctx.trx, …)`) carry the consumed event's trace.
 */
export interface ConsumerDefinition<D extends AnyDeps = AnyDeps, K extends EventType = EventType> {
  /** Unique within the service; the durable consumer is `<service>.<name>`. */
  name: string;
  types: readonly K[];
  handle(event: EventOf<K>, ctx: ConsumerContext<D>): Promise<void>;
  maxDeliveries?: number;
  backoffMs?: (attempt: number) => number;
}

/** A consumer, typed: `types` fixes which events `handle` receives. */
export function defineConsumer<D extends AnyDeps, const K extends EventType>(
  def: ConsumerDefinition<D, K>,
): ConsumerDefinition<D, K> {
  return def;
}

/** A service; without type arguments, any service (what hosts handle). */
export interface ServiceDefinition<DB = any, Settings = any, Events extends object = any, Context = any> {
  name: string;
  version: string;
  description?: string;
  /** A folder of `NNN_name.sql` files, or the migrations themselves. */
  migrations: URL | Migration[];
  /** Environment settings schema; validated at start (see config/settings.ts). */
  settings?: TObject;
  /** Event types this service publishes: `deps.publish` refuses any other at run time too. */
  publishes?: readonly TypesOf<Events>[];
  consumers?: ConsumerDefinition<ServiceDeps<DB, Settings, Events, Context>, any>[];
  /**
   * Builds what the service's code shares, once per start, after migrations and before routes
   * (`deps.context` everywhere else). Register its shutdown with `deps.onClose`.
   */
  context?(deps: ServiceDeps<DB, Settings, Events, undefined>): Context | Promise<Context>;
  /** Services this one calls synchronously (it gets passports only for these). */
  calls?: string[];
  routes(app: ServiceApp, deps: ServiceDeps<DB, Settings, Events, Context>): void | Promise<void>;
  /**
   * The service's dated API changes (docs/versions.md): routes implement only the newest shape;
   * the kit upgrades older requests and downgrades answers through these.
   */
  versions?: readonly VersionChange[];
  /** Background work started after migrations (e.g. a delivery worker); stopped via `deps.onClose`. */
  start?(deps: ServiceDeps<DB, Settings, Events, Context>): void | Promise<void>;
}

export function defineService<DB = any, Settings = any, Events extends object = {}, Context = undefined>(
  def: ServiceDefinition<DB, Settings, Events, Context>,
): ServiceDefinition<DB, Settings, Events, Context> {
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(def.name))
    throw new Error(`service name must be lower-case kebab: ${def.name}`);
  return def;
}
