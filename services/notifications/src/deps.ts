/** The kit's dependencies as notifications sees them (typed by its tables and settings). */
import type { ServiceDeps } from '@portico/kit';
import type { Kysely, Transaction } from 'kysely';
import type { Replica } from './replica.ts';
import type { NotificationSettings } from './settings.ts';
import type { Database } from './tables.ts';

/** Publishes nothing on the bus; `deps.context` is this replica (its streams and workers). */
export type Deps = ServiceDeps<Database, NotificationSettings, {}, Replica>;
/** Either the pool or a transaction: repository functions run in whichever the caller holds. */
export type Db = Kysely<Database> | Transaction<Database>;
export type Trx = Transaction<Database>;
