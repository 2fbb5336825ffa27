/** The kit's dependencies as tasks sees them (typed by its tables and its events). */
import type { ServiceDeps } from '@portico/kit';
import type { TasksEvents } from '@portico/contracts';
import type { Kysely, Transaction } from 'kysely';
import type { TasksDatabase } from './tables.ts';

/** `publish` accepts the events of `TasksEvents` only. */
export type Deps = ServiceDeps<TasksDatabase, Record<string, unknown>, TasksEvents>;
/** Either the pool or a transaction: repository functions run in whichever the caller holds. */
export type Db = Kysely<TasksDatabase> | Transaction<TasksDatabase>;
export type Trx = Transaction<TasksDatabase>;
