/** The kit's dependencies as this service sees them (typed by its schema). */
import type { ServiceApp, ServiceDeps } from '@portico/kit';
import type { ShippingEvents } from '@portico/contracts';
import type { Kysely, Transaction } from 'kysely';
import type { ShippingDB } from './tables.ts';

/** `publish` accepts the events of `ShippingEvents` only. */
export type Deps = ServiceDeps<ShippingDB, Record<string, unknown>, ShippingEvents>;
export type RouteModule = (app: ServiceApp, deps: Deps) => void;
/** A connection or a transaction: repository functions take either. */
export type Db = Kysely<ShippingDB> | Transaction<ShippingDB>;
export type Trx = Transaction<ShippingDB>;
