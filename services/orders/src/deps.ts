/** The kit's dependencies as this service sees them (typed by its schema). */
import type { ServiceApp, ServiceDeps } from '@portico/kit';
import type { OrdersEvents } from '@portico/contracts';
import type { Kysely, Transaction } from 'kysely';
import type { OrdersDB } from './tables.ts';

/** `publish` accepts the events of `OrdersEvents` only. */
export type Deps = ServiceDeps<OrdersDB, Record<string, unknown>, OrdersEvents>;
export type RouteModule = (app: ServiceApp, deps: Deps) => void;
/** A connection or a transaction: repository functions take either. */
export type Db = Kysely<OrdersDB> | Transaction<OrdersDB>;
export type Trx = Transaction<OrdersDB>;
