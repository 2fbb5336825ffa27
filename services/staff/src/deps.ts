/** The kit's dependencies as this service sees them (typed by its schema). */
import type { ServiceApp, ServiceDeps } from '@portico/kit';
import type { StaffEvents } from '@portico/contracts';
import type { Kysely, Transaction } from 'kysely';
import type { StaffDatabase } from './tables.ts';

/** `publish` accepts the events of `StaffEvents` only. */
export type Deps = ServiceDeps<StaffDatabase, Record<string, unknown>, StaffEvents>;
export type RouteModule = (app: ServiceApp, deps: Deps) => void;
/** A connection or a transaction: repository functions take either. */
export type Db = Kysely<StaffDatabase> | Transaction<StaffDatabase>;
export type Trx = Transaction<StaffDatabase>;
