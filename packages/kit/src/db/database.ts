/**
 * The database port. Each service gets a Kysely instance confined to its own schema; the two
 * adapters (`pglite.ts`, `postgres.ts`) are the only code that knows which engine runs.
 */
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
