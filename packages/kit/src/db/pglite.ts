/**
 * Embedded storage: one PGlite instance for every service in the process, one schema and one
 * role per service. A service's connection runs `SET ROLE` to its role before its statements,
 * so it cannot read or write another service's schema (PostgreSQL's own privilege checks).
 *
 * Why one instance (architecture.md): an instance costs ~290 MB and ~0.7 s to open; PGlite is
 * single-threaded, so more instances buy no parallelism. Every statement is serialised through
 * one lock; a transaction holds it from BEGIN to COMMIT.
 *
 * It runs on the calling thread. On a worker thread (architecture.md suggests it) every
 * statement pays a thread hop while holding the one lock: measured, that cut orders/s to ~0.7×
 * once the event chain kept up (docs/benchmarks.md, "PGlite on a worker thread").
 */
import { PGlite } from '@electric-sql/pglite';
import {
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import { isEventWork, schemaName, type DatabaseProvider, type ServiceDatabase } from './database.ts';
import { withRowPreconditions } from './row-versions.ts';

const INT8 = 20;

/**
 * The one connection, handed out in order of request, except that the event chain's work
 * (`asEventWork`: outbox relay, consumers) goes before request work that is waiting.
 */
class Lock {
  #held = false;
  #events: (() => void)[] = [];
  #requests: (() => void)[] = [];

  acquire(eventWork = false): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.#next();
        });
      };
      if (!this.#held) {
        this.#held = true;
        grant();
      } else (eventWork ? this.#events : this.#requests).push(grant);
    });
  }

  #next(): void {
    const next = this.#events.shift() ?? this.#requests.shift();
    if (next) next();
    else this.#held = false;
  }
}

/** The shared engine: the instance, its lock and which role the session currently acts as. */
class Engine {
  readonly pg: PGlite;
  readonly lock = new Lock();
  currentRole: string | null = null;
  constructor(pg: PGlite) {
    this.pg = pg;
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #engine: Engine;
  constructor(engine: Engine) {
    this.#engine = engine;
  }
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (query.parameters.length === 0 && query.sql.includes(';')) {
      // Several statements (a migration file): only the simple protocol takes them.
      const all = await this.#engine.pg.exec(query.sql);
      return { rows: (all.at(-1)?.rows ?? []) as R[] };
    }
    const res = await this.#engine.pg.query<R>(query.sql, query.parameters as unknown[]);
    const out: { rows: R[]; numAffectedRows?: bigint } = { rows: res.rows };
    if (res.affectedRows !== undefined && !/^\s*select/i.test(query.sql))
      out.numAffectedRows = BigInt(res.affectedRows);
    return out;
  }
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on PGlite');
  }
}

class PGliteDriver implements Driver {
  readonly #engine: Engine;
  readonly #role: string;
  readonly #releases = new WeakMap<DatabaseConnection, () => void>();
  constructor(engine: Engine, role: string) {
    this.#engine = engine;
    this.#role = role;
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#engine.lock.acquire(isEventWork());
    try {
      if (this.#engine.currentRole !== this.#role) {
        await this.#engine.pg.exec(`SET ROLE ${this.#role}; SET search_path TO ${this.#role}`);
        this.#engine.currentRole = this.#role;
      }
    } catch (err) {
      release();
      throw err;
    }
    const conn = new PGliteConnection(this.#engine);
    this.#releases.set(conn, release);
    return conn;
  }
  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await this.#engine.pg.exec('BEGIN');
    void conn;
  }
  async commitTransaction(): Promise<void> {
    await this.#engine.pg.exec('COMMIT');
  }
  async rollbackTransaction(): Promise<void> {
    await this.#engine.pg.exec('ROLLBACK');
  }
  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    this.#releases.get(conn)?.();
    this.#releases.delete(conn);
  }
  async destroy(): Promise<void> {}
}

function dialect(engine: Engine, role: string): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new PGliteDriver(engine, role),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
}

export interface PGliteProviderOptions {
  /** Directory for the data files; omitted → in memory (tests). */
  dataDir?: string;
  /** A snapshot from `dumpDataDir()` to start from (fast test setup). */
  loadDataDir?: Blob;
}

export class PGliteProvider implements DatabaseProvider {
  readonly kind = 'pglite' as const;
  readonly #engine: Engine;
  private constructor(engine: Engine) {
    this.#engine = engine;
  }

  static async open(opts: PGliteProviderOptions = {}): Promise<PGliteProvider> {
    const init: ConstructorParameters<typeof PGlite>[0] = { parsers: { [INT8]: (v: string) => Number(v) } };
    if (opts.dataDir) init.dataDir = opts.dataDir;
    if (opts.loadDataDir) init.loadDataDir = opts.loadDataDir;
    const pg = new PGlite(init);
    await pg.waitReady;
    return new PGliteProvider(new Engine(pg));
  }

  /** The raw instance, for snapshots in tests. */
  get instance(): PGlite {
    return this.#engine.pg;
  }

  async forService(service: string): Promise<ServiceDatabase> {
    const schema = schemaName(service);
    const engine = this.#engine;
    const release = await engine.lock.acquire();
    try {
      await engine.pg.exec('RESET ROLE');
      engine.currentRole = null;
      // Idempotent: a restart finds the role and schema already there.
      await engine.pg.exec(`
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${schema}') THEN
            CREATE ROLE ${schema} NOLOGIN;
          END IF;
        END $$;
        CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${schema};
        REVOKE ALL ON SCHEMA public FROM PUBLIC;
        REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC;
      `);
    } finally {
      release();
    }
    const db = new Kysely<any>({ dialect: withRowPreconditions(dialect(engine, schema)) });
    return {
      schema,
      db,
      ping: async () => {
        await engine.pg.query('select 1');
      },
      close: async () => {
        await db.destroy();
      },
    };
  }

  async close(): Promise<void> {
    if (!this.#engine.pg.closed) await this.#engine.pg.close();
  }
}
