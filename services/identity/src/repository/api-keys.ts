/** SQL for API keys: stored by SHA-256 hash; the secret itself is never kept. */
import { sql, type Kysely } from 'kysely';

export interface ApiKeyRow {
  id: string;
  user_id: string;
  name: string;
  key_hash: string;
  prefix: string;
  last4: string;
  scopes: string[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** The listed shape: never the secret nor its hash. */
export function toPublicApiKey(row: ApiKeyRow) {
  return {
    id: row.id,
    user_id: row.user_id,
    name: row.name,
    prefix: row.prefix,
    last4: row.last4,
    scopes: row.scopes,
    created_at: new Date(row.created_at).toISOString(),
    expires_at: iso(row.expires_at),
    last_used_at: iso(row.last_used_at),
  };
}

export async function findLiveApiKey(db: Kysely<any>, id: string): Promise<ApiKeyRow | undefined> {
  return (await db
    .selectFrom('api_keys')
    .selectAll()
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()) as ApiKeyRow | undefined;
}

export interface VerifiedKeyRow extends ApiKeyRow {
  owner_status: string;
  owner_roles: string[];
}

export async function findApiKeyByHash(db: Kysely<any>, hash: string): Promise<VerifiedKeyRow | undefined> {
  return (
    await sql<VerifiedKeyRow>`select k.*, u.status as owner_status, u.roles as owner_roles
      from api_keys k join users u on u.id = k.user_id where k.key_hash = ${hash}`.execute(db)
  ).rows[0];
}

/** Records use at most once a minute per key: the verify path stays one cheap read. */
export async function touchApiKey(db: Kysely<any>, id: string): Promise<void> {
  await sql`update api_keys set last_used_at = now()
    where id = ${id} and (last_used_at is null or last_used_at < now() - interval '1 minute')`.execute(db);
}
