/**
 * Distributed storage: PostgreSQL, one database per service (named by its `DATABASE_URL`), with
 * the service's tables in a schema of the service's name so the SQL matches embedded mode.
 * A missing database is created through the server's `postgres` database on first start.
 */
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { withRowPreconditions } from './row-versions.ts';
import { schemaName, type DatabaseProvider, type ServiceDatabase } from './database.ts';

pg.types.setTypeParser(20, (v) => Number(v));

export interface PostgresProviderOptions {
  /** A URL per service, or one function that names it. */
  urlFor: (service: string) => string;
  poolSize?: number;
}

/**
 * Whether a CREATE failed only because a racing replica or worker created the same thing:
 * 42P04 (database) or 42P06 (schema) exists, or 23505 when both passed PostgreSQL's own
 * existence check at once (`IF NOT EXISTS` included: the catalogue's unique index decides).
 */
function createdByRacer(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === '42P04' || code === '42P06' || code === '23505';
}

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const probe = new pg.Client({ connectionString: url });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.end();
    return;
  } catch (err) {
    await probe.end().catch(() => {});
    if ((err as { code?: string }).code !== '3D000') throw err;
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } catch (err) {
    if (!createdByRacer(err)) throw err;
  } finally {
    await client.end();
  }
}

export class PostgresProvider implements DatabaseProvider {
  readonly kind = 'postgres' as const;
  readonly #opts: PostgresProviderOptions;
  readonly #open = new Set<ServiceDatabase>();
  constructor(opts: PostgresProviderOptions) {
    this.#opts = opts;
  }

  async forService(service: string): Promise<ServiceDatabase> {
    const schema = schemaName(service);
    const url = this.#opts.urlFor(service);
    await ensureDatabase(url);
    const pool = new pg.Pool({
      connectionString: url,
      max: this.#opts.poolSize ?? 10,
      options: `-c search_path=${schema}`,
      // A server that is down refuses at once; one that hangs must not hold requests forever.
      connectionTimeoutMillis: 5000,
    });
    // A server restart (57P01) or a dropped connection is an 'error' event on every client it
    // holds; unhandled, it would crash the process. Idle clients are dropped by the pool and
    // errors surface on the next query (503), and new connections are made once it is back.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).catch((err: unknown) => {
      if (!createdByRacer(err)) throw err;
    });
    const db = new Kysely<any>({ dialect: withRowPreconditions(new PostgresDialect({ pool })) });
    const handle: ServiceDatabase = {
      schema,
      db,
      ping: async () => {
        await pool.query('select 1');
      },
      close: async () => {
        this.#open.delete(handle);
        await db.destroy();
      },
    };
    this.#open.add(handle);
    return handle;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#open].map((h) => h.close()));
  }
}
