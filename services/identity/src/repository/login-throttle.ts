/**
 * Login throttling, atomic under parallel attempts. An attempt is *reserved* with one upsert
 * before the password is checked (`insert … on conflict do update set count = count + 1
 * returning count`): PostgreSQL serialises the upserts on the row, so of N parallel guesses
 * exactly `limit` see a count within the limit and reach argon2; the rest are refused. A
 * read-then-write counter lets them all through (ZITADEL GHSA-7h8m-vrxx-vr4m).
 *
 * Fixed windows: the first attempt after a window ends starts a new one.
 */
import { sql } from 'kysely';
import type { Db } from '../deps.ts';

export interface Reservation {
  allowed: boolean;
  count: number;
  /** Seconds until the window ends (for Retry-After). */
  retryAfter: number;
}

export async function reserveAttempt(
  db: Db,
  key: string,
  limit: number,
  windowSeconds: number,
): Promise<Reservation> {
  const row = (
    await sql<{ count: number; reset_in: number }>`
      insert into login_throttle as t (key, count, window_start) values (${key}, 1, now())
      on conflict (key) do update set
        count = case when t.window_start <= now() - make_interval(secs => ${windowSeconds}) then 1 else t.count + 1 end,
        window_start = case when t.window_start <= now() - make_interval(secs => ${windowSeconds}) then now() else t.window_start end
      returning count, extract(epoch from (window_start + make_interval(secs => ${windowSeconds}) - now()))::float8 as reset_in`.execute(
      db,
    )
  ).rows[0]!;
  return { allowed: row.count <= limit, count: row.count, retryAfter: Math.max(1, Math.ceil(row.reset_in)) };
}

/** After a successful login: forget the (IP, email) failures. */
export async function clearAttempts(db: Db, key: string): Promise<void> {
  await sql`delete from login_throttle where key = ${key}`.execute(db);
}

/** After a successful login: the attempt reserved against the IP was not a failure. */
export async function releaseAttempt(db: Db, key: string): Promise<void> {
  await sql`update login_throttle set count = greatest(count - 1, 0) where key = ${key}`.execute(db);
}

/** Drops counters whose window has ended (housekeeping). */
export async function pruneAttempts(db: Db, windowSeconds: number): Promise<number> {
  const res =
    await sql`delete from login_throttle where window_start <= now() - make_interval(secs => ${windowSeconds})`.execute(
      db,
    );
  return Number(res.numAffectedRows ?? 0);
}
