/** SQL for OAuth clients (`oauth_clients`) and remembered consents (`oauth_consents`). */
import type { Insertable } from 'kysely';
import type { Db } from '../deps.ts';
import type { OAuthClientRow, OAuthClientsTable } from '../tables.ts';

export async function insertOAuthClient(db: Db, row: Insertable<OAuthClientsTable>): Promise<OAuthClientRow> {
  return db.insertInto('oauth_clients').values(row).returningAll().executeTakeFirstOrThrow();
}

/** A client that is not deleted. */
export async function findLiveOAuthClient(
  db: Db,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<OAuthClientRow | undefined> {
  let q = db.selectFrom('oauth_clients').selectAll().where('id', '=', id).where('deleted_at', 'is', null);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Clients not deleted (paging is the caller's). */
export function liveOAuthClients(db: Db) {
  return db.selectFrom('oauth_clients').selectAll().where('deleted_at', 'is', null);
}

export async function updateOAuthClient(
  db: Db,
  id: string,
  changes: Partial<Pick<OAuthClientRow, 'name' | 'redirect_uris' | 'post_logout_redirect_uris' | 'scopes'>>,
): Promise<OAuthClientRow> {
  return db
    .updateTable('oauth_clients')
    .set({ ...changes, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function markOAuthClientDeleted(db: Db, id: string): Promise<void> {
  await db
    .updateTable('oauth_clients')
    .set({ deleted_at: new Date(), secret_hash: null, confidential: false })
    .where('id', '=', id)
    .execute();
}

/** Grant ids of a client (all users), for revoking them when the client is deleted. */
export async function grantIdsOfClient(db: Db, clientId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('oauth_artifacts')
    .select('id')
    .where('model', '=', 'Grant')
    .where((eb) => eb(eb.ref('payload', '->>').key('clientId'), '=', clientId))
    .execute();
  return rows.map((r) => r.id);
}

/** Grant ids one user gave one client. */
export async function grantIdsOf(db: Db, userId: string, clientId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('oauth_artifacts')
    .select('id')
    .where('model', '=', 'Grant')
    .where((eb) => eb(eb.ref('payload', '->>').key('clientId'), '=', clientId))
    .where((eb) => eb(eb.ref('payload', '->>').key('accountId'), '=', userId))
    .execute();
  return rows.map((r) => r.id);
}

export async function rememberedConsent(db: Db, userId: string, clientId: string): Promise<string[] | null> {
  const row = await db
    .selectFrom('oauth_consents')
    .select('scopes')
    .where('user_id', '=', userId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row?.scopes ?? null;
}

/** Remembers the union of what the user has consented to for this client. */
export async function rememberConsent(
  db: Db,
  userId: string,
  clientId: string,
  scopes: string[],
): Promise<void> {
  const prior = (await rememberedConsent(db, userId, clientId)) ?? [];
  const all = [...new Set([...prior, ...scopes])].sort();
  await db
    .insertInto('oauth_consents')
    .values({ user_id: userId, client_id: clientId, scopes: all })
    .onConflict((oc) =>
      oc.columns(['user_id', 'client_id']).doUpdateSet({ scopes: all, updated_at: new Date() }),
    )
    .execute();
}

export function consentsOf(db: Db, userId: string) {
  return db
    .selectFrom('oauth_consents')
    .innerJoin('oauth_clients', 'oauth_clients.id', 'oauth_consents.client_id')
    .select([
      'oauth_consents.client_id',
      'oauth_clients.name as client_name',
      'oauth_consents.scopes',
      'oauth_consents.updated_at',
    ])
    .where('oauth_consents.user_id', '=', userId)
    .orderBy('oauth_consents.updated_at', 'desc')
    .execute();
}

export async function forgetConsent(db: Db, userId: string, clientId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('oauth_consents')
    .where('user_id', '=', userId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}
