/** The kit's dependencies as this service sees them (typed by its schema). */
import type { ServiceApp, ServiceDeps } from '@portico/kit';
import type { Kysely, Transaction } from 'kysely';
import type { CurriculumDB } from './tables.ts';

export type Deps = ServiceDeps<CurriculumDB>;
export type Db = Kysely<CurriculumDB> | Transaction<CurriculumDB>;
export type Trx = Transaction<CurriculumDB>;
export type RouteModule = (app: ServiceApp, deps: Deps) => void;
