/**
 * Row versions for conditional requests (RFC 9110 §13). A table opts in once, in a migration,
 * with `select kit_versioned('products')`: that adds `version integer` and a
 * trigger (`kit_row_version`, kit migration 003) which bumps it on every UPDATE, whoever writes
 * it, so no repository can forget. The same trigger enforces a request's `If-Match` at the
 * moment the addressed row is written — after the handler's own checks (so another user's row
 * still answers 404, never 412) and under the row lock the UPDATE takes (so two writers holding
 * the same ETag cannot both pass).
 *
 * The request's precondition travels to the trigger as a session setting: this driver wrapper
 * sets `portico.precondition` when it hands out a connection during such a request and, when it
 * takes the connection back, reads what the trigger recorded (the row's new version) and clears
 * both settings, so a pooled connection never carries one request's precondition to another.
 */
import { CompiledQuery, sql, type DatabaseConnection, type Dialect, type Driver, type Kysely } from 'kysely';
import { currentScope } from '../runtime/scope.ts';

/** What a write request asks of the row it addresses (kept in the request's scope). */
export interface RowPrecondition {
  /** The id of the addressed row (the route's last path parameter). */
  readonly target: string;
  /** `If-Match` versions; `'*'` for any; `null` when the request sent none. */
  readonly expected: readonly number[] | '*' | null;
  /** The row's version after this request wrote it (set once the trigger checked it). */
  written?: number | 'deleted';
}

/** The encoded setting the trigger reads: `target \t expected` (empty: only record the write). */
function encode(p: RowPrecondition): string {
  // Once the addressed row was written in this request, its later writes are this request's own.
  if (p.written !== undefined) return `${p.target}\t*`;
  const expected = p.expected === null ? '' : p.expected === '*' ? '*' : p.expected.join(',');
  return `${p.target}\t${expected}`;
}

const clear = CompiledQuery.raw(
  "select current_setting('portico.precondition_met', true) as met, " +
    "set_config('portico.precondition', '', false), set_config('portico.precondition_met', '', false)",
);

class PreconditionDriver implements Driver {
  readonly #inner: Driver;
  readonly #holding = new WeakMap<DatabaseConnection, RowPrecondition>();
  constructor(inner: Driver) {
    this.#inner = inner;
    if (inner.savepoint) this.savepoint = inner.savepoint.bind(inner);
    if (inner.rollbackToSavepoint) this.rollbackToSavepoint = inner.rollbackToSavepoint.bind(inner);
    if (inner.releaseSavepoint) this.releaseSavepoint = inner.releaseSavepoint.bind(inner);
  }
  savepoint?: Driver['savepoint'];
  rollbackToSavepoint?: Driver['rollbackToSavepoint'];
  releaseSavepoint?: Driver['releaseSavepoint'];
  init(): Promise<void> {
    return this.#inner.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const conn = await this.#inner.acquireConnection();
    const p = currentScope()?.precondition;
    if (p) {
      try {
        await conn.executeQuery(
          CompiledQuery.raw("select set_config('portico.precondition', $1, false)", [encode(p)]),
        );
      } catch (err) {
        await this.#inner.releaseConnection(conn);
        throw err;
      }
      this.#holding.set(conn, p);
    }
    return conn;
  }
  beginTransaction: Driver['beginTransaction'] = (c, s) => this.#inner.beginTransaction(c, s);
  commitTransaction: Driver['commitTransaction'] = (c) => this.#inner.commitTransaction(c);
  rollbackTransaction: Driver['rollbackTransaction'] = (c) => this.#inner.rollbackTransaction(c);
  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    const p = this.#holding.get(conn);
    try {
      if (p) {
        this.#holding.delete(conn);
        const res = await conn.executeQuery<{ met: string | null }>(clear);
        const met = res.rows[0]?.met;
        // Rolled back work leaves nothing: the setting made inside it was undone with it.
        if (met) p.written = met === 'deleted' ? 'deleted' : Number(met);
      }
    } finally {
      await this.#inner.releaseConnection(conn);
    }
  }
  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

/** Wraps a dialect so its connections carry the request's row precondition to the trigger. */
export function withRowPreconditions(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new PreconditionDriver(dialect.createDriver()),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

/** The SQLSTATE the trigger raises for a stale If-Match (class `PT`, Portico's own). */
export const PRECONDITION_FAILED_STATE = 'PT412';

/** The service's versioned tables (those with the trigger), read once after its migrations. */
export async function versionedTables(db: Kysely<any>): Promise<string[]> {
  const res = await sql<{ table: string }>`
    select c.relname as table from pg_trigger t
      join pg_class c on c.oid = t.tgrelid
      join pg_proc p on p.oid = t.tgfoid
    where p.proname = 'kit_row_version' and c.relnamespace = current_schema()::regnamespace
    order by c.relname`.execute(db);
  return res.rows.map((r) => r.table);
}

/**
 * The current version of the row with this id in any versioned table, or undefined. Ids are
 * UUIDv7 (unique across a service's tables); each branch is a primary-key lookup.
 */
export async function currentVersion(
  db: Kysely<any>,
  tables: readonly string[],
  id: string,
): Promise<number | undefined> {
  if (tables.length === 0) return undefined;
  const branches = tables.map((t) => sql`select version from ${sql.table(t)} where id = ${id}`);
  const res = await sql<{ version: number }>`${sql.join(branches, sql` union all `)} limit 1`.execute(db);
  return res.rows[0]?.version;
}
