/** SQL for users. Rows keep `password_hash`; only `toPublicUser` shapes leave the service. */
import { sql, type Kysely } from 'kysely';
import { AppError } from '@portico/kit';

export interface UserRow {
  id: string;
  email: string;
  full_name: string;
  password_hash: string;
  status: 'active' | 'disabled';
  roles: string[];
  is_bootstrap: boolean;
  created_at: Date;
  updated_at: Date;
  disabled_at: Date | null;
  password_changed_at: Date;
}

export interface PublicUser {
  id: string;
  email: string;
  full_name: string;
  roles: string[];
  status: 'active' | 'disabled';
  created_at: string;
  updated_at: string;
}

/** The only shape of a user that leaves identity: never the hash. */
export function toPublicUser(row: UserRow): PublicUser {
  return {
    id: row.id,
    email: row.email,
    full_name: row.full_name,
    roles: row.roles,
    status: row.status,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

export async function findUserByEmail(db: Kysely<any>, email: string): Promise<UserRow | undefined> {
  return (await db
    .selectFrom('users')
    .selectAll()
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst()) as UserRow | undefined;
}

export async function findUserById(
  db: Kysely<any>,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<UserRow | undefined> {
  let q = db.selectFrom('users').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return (await q.executeTakeFirst()) as UserRow | undefined;
}

/** Translates a unique violation on the email into 409 `already_exists` naming the field. */
export function emailConflict(err: unknown): never {
  if ((err as { code?: string }).code === '23505') {
    throw new AppError('already_exists', 'A user with this email already exists', {
      errors: [{ field: 'email', code: 'taken', message: 'is already registered' }],
    });
  }
  throw err;
}

export async function insertUser(
  db: Kysely<any>,
  user: {
    id: string;
    email: string;
    full_name: string;
    password_hash: string;
    roles: string[];
    is_bootstrap?: boolean;
  },
): Promise<UserRow> {
  try {
    return (await db
      .insertInto('users')
      .values({ ...user, is_bootstrap: user.is_bootstrap ?? false })
      .returningAll()
      .executeTakeFirstOrThrow()) as UserRow;
  } catch (err) {
    return emailConflict(err);
  }
}

/** Serialises every change that could remove an admin (two admins demoting each other at once). */
export async function lockAdmins(db: Kysely<any>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('portico-identity:admins'))`.execute(db);
}

export async function countOtherActiveAdmins(db: Kysely<any>, exceptId: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from users
    where status = 'active' and 'admin' = any(roles) and id <> ${exceptId}`.execute(db);
  return r.rows[0]?.n ?? 0;
}

export async function anyAdminExists(db: Kysely<any>): Promise<boolean> {
  const r = await sql<{ n: number }>`select count(*)::int as n from users where 'admin' = any(roles)`.execute(
    db,
  );
  return (r.rows[0]?.n ?? 0) > 0;
}
