/**
 * The database port. Each service gets a Kysely instance confined to its own schema; the two
 * adapters (`pglite.ts`, `postgres.ts`) are the only code that knows which engine runs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely } from 'kysely';

export interface ServiceDatabase<DB = any> {
  /** The service's schema name (also its search_path). */
  readonly schema: string;
  readonly db: Kysely<DB>;
  /** Runs `select 1`; used by readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseProvider {
  readonly kind: 'pglite' | 'postgres';
  /** Opens (creating if needed) the storage that belongs to one service. */
  forService(service: string): Promise<ServiceDatabase>;
  close(): Promise<void>;
}

/** Service names become schema and role names: keep them to a safe identifier alphabet. */
export function schemaName(service: string): string {
  const name = service.replaceAll('-', '_');
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(name)) throw new Error(`invalid service name for a schema: ${service}`);
  return name;
}

const eventWork = new AsyncLocalStorage<true>();

/**
 * Runs the event chain's database work (the outbox relay, consumers) marked as such. Where
 * there is one connection for everything (PGlite), it is handed to this work before request
 * work waiting beside it: otherwise a consumer that handles one event at a time gets one turn
 * in every (concurrent requests + 1) and falls ever further behind under sustained load.
 */
export function asEventWork<T>(fn: () => Promise<T>): Promise<T> {
  return eventWork.run(true, fn);
}

export function isEventWork(): boolean {
  return eventWork.getStore() === true;
}
