/**
 * Leased job claims: a worker takes due rows of a job table for a lease; a worker that dies
 * mid-job loses them to another when the lease expires, and `skip locked` keeps two replicas
 * from taking the same row. A job table following the convention has `id`, `status`
 * ('pending' while due), `next_attempt_at`, `locked_until` and `attempts` columns.
 */
import { sql, type QueryExecutorProvider } from 'kysely';

export interface ClaimOptions {
  /** Rows to take at most. */
  limit: number;
  /** How long the claim holds (s) before another worker may take the row. */
  leaseSeconds: number;
  /** Count the claim as an attempt (`attempts = attempts + 1`). Default true. */
  countAttempt?: boolean;
}

/** Claims up to `limit` due rows of `table`, oldest due first, and returns them. */
export async function claimDueJobs<Row>(
  db: QueryExecutorProvider, // a Kysely instance or transaction of any service's database
  table: string,
  { limit, leaseSeconds, countAttempt = true }: ClaimOptions,
): Promise<Row[]> {
  const t = sql.table(table);
  const attempts = countAttempt ? sql`, attempts = attempts + 1` : sql``;
  const r = await sql<Row>`
    update ${t} set locked_until = now() + make_interval(secs => ${leaseSeconds})${attempts}
    where id in (
      select id from ${t}
      where status = 'pending' and next_attempt_at <= now()
        and (locked_until is null or locked_until < now())
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    )
    returning *`.execute(db);
  return r.rows;
}
