/** SQL for API keys: stored by SHA-256 hash; the secret itself is never kept. */
import { sql } from 'kysely';
import type { Db } from '../deps.ts';
import type { ApiKeyRow, NewApiKey } from '../tables.ts';

export async function insertApiKey(db: Db, key: NewApiKey): Promise<ApiKeyRow> {
  return db.insertInto('api_keys').values(key).returningAll().executeTakeFirstOrThrow();
}

/** A key that is not revoked (expired ones included: they are still listed). */
export async function findLiveApiKey(
  db: Db,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<ApiKeyRow | undefined> {
  let q = db.selectFrom('api_keys').selectAll().where('id', '=', id).where('revoked_at', 'is', null);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** A user's keys that are not revoked (newest-first paging is the caller's). */
export function liveApiKeysOf(db: Db, userId: string) {
  return db.selectFrom('api_keys').selectAll().where('user_id', '=', userId).where('revoked_at', 'is', null);
}

/** Changes a live key's pinned API version; undefined when there is no such live key. */
export async function setApiKeyVersion(
  db: Db,
  id: string,
  apiVersion: string,
): Promise<ApiKeyRow | undefined> {
  return db
    .updateTable('api_keys')
    .set({ api_version: apiVersion })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export async function markApiKeyRevoked(db: Db, id: string): Promise<void> {
  await db.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', id).execute();
}

export interface VerifiedKeyRow extends ApiKeyRow {
  owner_status: string;
  owner_roles: string[];
  owner_plan: string | null;
}

export async function findApiKeyByHash(db: Db, hash: string): Promise<VerifiedKeyRow | undefined> {
  return (
    await sql<VerifiedKeyRow>`select k.*, u.status as owner_status, u.roles as owner_roles, u.plan as owner_plan
      from api_keys k join users u on u.id = k.user_id where k.key_hash = ${hash}`.execute(db)
  ).rows[0];
}

/** Records use at most once a minute per key: the verify path stays one cheap read. */
export async function touchApiKey(db: Db, id: string): Promise<void> {
  await sql`update api_keys set last_used_at = now()
    where id = ${id} and (last_used_at is null or last_used_at < now() - interval '1 minute')`.execute(db);
}
