/** SQL for users. Rows keep `password_hash`; only views.ts shapes leave the service. */
import { sql } from 'kysely';
import { AppError, uniqueViolation, LATEST_API_VERSION } from '@portico/kit';
import type { Db } from '../deps.ts';
import type { UserRow, UsersTable, UserStatus } from '../tables.ts';

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

export async function findUserById(
  db: Db,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<UserRow | undefined> {
  let q = db.selectFrom('users').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Translates a unique violation on the email into 409 `already_exists` naming the field. */
export function emailConflict(err: unknown): never {
  if (uniqueViolation(err) !== undefined) {
    throw new AppError('already_exists', 'A user with this email already exists', {
      errors: [{ field: 'email', code: 'taken', message: 'is already registered' }],
    });
  }
  throw err;
}

export async function insertUser(
  db: Db,
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
    return await db
      .insertInto('users')
      // Pinned to the version current at creation (docs/versions.md).
      .values({ ...user, is_bootstrap: user.is_bootstrap ?? false, api_version: LATEST_API_VERSION })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    return emailConflict(err);
  }
}

export type UserChanges = Partial<
  Pick<UsersTable, 'full_name' | 'email' | 'password_hash' | 'api_version'>
> & {
  roles?: string[];
  status?: UserStatus;
  disabled_at?: Date | null;
  password_changed_at?: Date;
};

/** Applies `changes` (and `updated_at = now`); undefined when the user does not exist. */
export async function updateUser(db: Db, id: string, changes: UserChanges): Promise<UserRow | undefined> {
  return db
    .updateTable('users')
    .set({ ...changes, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Users (admin list); narrowed to `onlyId` for an `:own` grant. Newest-first paging is the caller's. */
export function usersQuery(
  db: Db,
  filter: {
    onlyId?: string | null | undefined;
    role?: string | undefined;
    status?: UserStatus | undefined;
    q?: string | undefined;
  },
) {
  let q = db.selectFrom('users').selectAll();
  if (filter.onlyId === null) q = q.where(sql<boolean>`false`);
  else if (filter.onlyId !== undefined) q = q.where('id', '=', filter.onlyId);
  if (filter.role) q = q.where(sql<boolean>`${filter.role} = any(roles)`);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.q) {
    const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    q = q.where((eb) =>
      eb.or([eb(sql`lower(email)`, 'like', like), eb(sql`lower(full_name)`, 'like', like)]),
    );
  }
  return q;
}

/** Serialises every change that could remove an admin (two admins demoting each other at once). */
export async function lockAdmins(db: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('portico-identity:admins'))`.execute(db);
}

/** Serialises bootstrap-admin creation across replicas starting together. */
export async function lockBootstrap(db: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('portico-identity:bootstrap'))`.execute(db);
}

export async function countOtherActiveAdmins(db: Db, exceptId: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from users
    where status = 'active' and 'admin' = any(roles) and id <> ${exceptId}`.execute(db);
  return r.rows[0]?.n ?? 0;
}

export async function anyAdminExists(db: Db): Promise<boolean> {
  const r = await sql<{ n: number }>`select count(*)::int as n from users where 'admin' = any(roles)`.execute(
    db,
  );
  return (r.rows[0]?.n ?? 0) > 0;
}
