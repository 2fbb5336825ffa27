/** The kit's dependencies as this service sees them (typed by its schema). */
import type { ServiceApp, ServiceDeps } from '@portico/kit';
import type { CurriculumEvents } from '@portico/contracts';
import type { Kysely, Transaction } from 'kysely';
import type { CurriculumDB } from './tables.ts';

/** `publish` accepts the events of `CurriculumEvents` only. */
export type Deps = ServiceDeps<CurriculumDB, Record<string, unknown>, CurriculumEvents>;
export type Db = Kysely<CurriculumDB> | Transaction<CurriculumDB>;
export type Trx = Transaction<CurriculumDB>;
export type RouteModule = (app: ServiceApp, deps: Deps) => void;
