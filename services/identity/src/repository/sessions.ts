/**
 * Sessions and refresh tokens. A session is one refresh-token family; its id is the `sid` of
 * every access token issued in it. Tokens are looked up by their SHA-256 hash only.
 */
import { sql } from 'kysely';
import type { Db } from '../deps.ts';
import { uuidv7 } from 'uuidv7';
import { newRefreshToken } from '../domain/secrets.ts';

export interface RefreshTokenRow {
  id: string;
  session_id: string;
  expires_at: Date;
  used_at: Date | null;
  user_id: string;
  session_expires_at: Date;
  revoked_at: Date | null;
}

export async function createSession(
  db: Db,
  opts: { userId: string; ip: string | null; userAgent: string | null; refreshTtl: number; maxAge: number },
): Promise<{ sessionId: string; refreshToken: string }> {
  const sessionId = uuidv7();
  await sql`insert into sessions (id, user_id, expires_at, ip, user_agent)
    values (${sessionId}, ${opts.userId}, now() + make_interval(secs => ${opts.maxAge}), ${opts.ip}, ${opts.userAgent})`.execute(
    db,
  );
  const { token } = await addRefreshToken(db, sessionId, opts.refreshTtl);
  return { sessionId, refreshToken: token };
}

/** A new refresh token in the session; it never outlives the session. */
export async function addRefreshToken(
  db: Db,
  sessionId: string,
  ttl: number,
): Promise<{ token: string; id: string }> {
  const { token, hash } = newRefreshToken();
  const id = uuidv7();
  await sql`insert into refresh_tokens (id, session_id, token_hash, expires_at)
    select ${id}, id, ${hash}, least(now() + make_interval(secs => ${ttl}), expires_at) from sessions where id = ${sessionId}`.execute(
    db,
  );
  return { token, id };
}

export async function findRefreshToken(db: Db, hash: string): Promise<RefreshTokenRow | undefined> {
  return (
    await sql<RefreshTokenRow>`select rt.id, rt.session_id, rt.expires_at, rt.used_at, s.user_id,
        s.expires_at as session_expires_at, s.revoked_at
      from refresh_tokens rt join sessions s on s.id = rt.session_id
      where rt.token_hash = ${hash}`.execute(db)
  ).rows[0];
}

/**
 * Spends a refresh token: a conditional update, so of two concurrent refreshes of one token
 * exactly one finds `used_at is null` and wins.
 */
export async function spendRefreshToken(db: Db, id: string): Promise<boolean> {
  const r =
    await sql`update refresh_tokens set used_at = now() where id = ${id} and used_at is null returning id`.execute(
      db,
    );
  return r.rows.length === 1;
}

export async function markReplaced(db: Db, id: string, replacedBy: string, sessionId: string): Promise<void> {
  await sql`update refresh_tokens set replaced_by = ${replacedBy} where id = ${id}`.execute(db);
  await sql`update sessions set last_used_at = now() where id = ${sessionId}`.execute(db);
}

/**
 * Revokes sessions: the given ids, or every live session of a user (optionally but one).
 * Spends their refresh tokens too. Returns the ids actually revoked now.
 */
export async function revokeSessions(
  db: Db,
  where: { sessionIds: string[] } | { userId: string; exceptSessionId?: string | undefined },
  reason: string,
): Promise<string[]> {
  let rows: { id: string }[];
  if ('sessionIds' in where) {
    if (where.sessionIds.length === 0) return [];
    rows = (
      await sql<{ id: string }>`update sessions set revoked_at = now(), revoked_reason = ${reason}
      where id = any(${where.sessionIds}) and revoked_at is null returning id`.execute(db)
    ).rows;
  } else {
    rows = (
      await sql<{ id: string }>`update sessions set revoked_at = now(), revoked_reason = ${reason}
      where user_id = ${where.userId} and revoked_at is null and expires_at > now()
        and id <> ${where.exceptSessionId ?? ''} returning id`.execute(db)
    ).rows;
  }
  const ids = rows.map((r) => r.id);
  if (ids.length)
    await sql`update refresh_tokens set used_at = coalesce(used_at, now()) where session_id = any(${ids})`.execute(
      db,
    );
  return ids;
}

/** The session a refresh token belongs to, if the token is known (logout with a refresh token). */
export async function sessionOfRefreshToken(
  db: Db,
  hash: string,
): Promise<{ session_id: string; user_id: string } | undefined> {
  return (
    await sql<{ session_id: string; user_id: string }>`select rt.session_id, s.user_id from refresh_tokens rt
      join sessions s on s.id = rt.session_id where rt.token_hash = ${hash}`.execute(db)
  ).rows[0];
}

/**
 * Housekeeping: forgets refresh tokens a day after they expired, and sessions (with their
 * tokens) a day after they ended. Reuse detection needs spent tokens only while they could
 * still have been presented.
 */
export async function pruneSessions(db: Db): Promise<void> {
  await sql`delete from refresh_tokens where expires_at < now() - interval '1 day'`.execute(db);
  const ended = sql`select id from sessions where expires_at < now() - interval '1 day' or revoked_at < now() - interval '1 day'`;
  await sql`delete from refresh_tokens where session_id in (${ended})`.execute(db);
  await sql`delete from sessions where id in (${ended})`.execute(db);
}
