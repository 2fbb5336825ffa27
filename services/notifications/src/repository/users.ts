/** SQL for the users read model (from identity's events) and notification preferences. */
import { sql, type Selectable } from 'kysely';
import type { Db } from '../deps.ts';
import type { Channel, PreferencesTable, UsersTable } from '../tables.ts';

export type UserRow = Selectable<UsersTable>;

/** `roles` when the event carries them (an optional extension of UserRegisteredData). */
export async function upsertRegistered(
  db: Db,
  u: { id: string; email: string; full_name: string; roles?: string[] },
): Promise<void> {
  const roles = u.roles ? { roles: JSON.stringify(u.roles), roles_known: true } : {};
  await db
    .insertInto('users')
    .values({
      id: u.id,
      email: u.email,
      full_name: u.full_name,
      roles: JSON.stringify(['user']),
      status: 'active',
      ...roles,
    })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({ email: u.email, full_name: u.full_name, ...roles, updated_at: sql<Date>`now()` }),
    )
    .execute();
}

export async function upsertProfile(
  db: Db,
  u: { id: string; email: string; full_name: string; status: string },
): Promise<void> {
  await db
    .insertInto('users')
    .values({
      id: u.id,
      email: u.email,
      full_name: u.full_name,
      roles: JSON.stringify(['user']),
      status: u.status,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        email: u.email,
        full_name: u.full_name,
        status: u.status,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute();
}

export async function setRoles(db: Db, id: string, roles: string[]): Promise<void> {
  const json = JSON.stringify(roles);
  await db
    .insertInto('users')
    .values({ id, email: null, full_name: null, roles: json, roles_known: true, status: 'active' })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({ roles: json, roles_known: true, updated_at: sql<Date>`now()` }),
    )
    .execute();
}

export async function setStatus(db: Db, id: string, status: 'active' | 'disabled'): Promise<void> {
  await db
    .insertInto('users')
    .values({ id, email: null, full_name: null, roles: JSON.stringify(['user']), status })
    .onConflict((oc) => oc.column('id').doUpdateSet({ status, updated_at: sql<Date>`now()` }))
    .execute();
}

export function findUser(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUsers(db: Db, ids: readonly string[]): Promise<Map<string, UserRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** Ids of the active users holding `role` (the recipients of a bulk send to a role). */
export async function activeUserIdsWithRole(db: Db, role: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('status', '=', 'active')
    .where(sql<boolean>`roles @> ${JSON.stringify([role])}::jsonb`)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

export interface Preferences {
  in_app: boolean;
  email: boolean;
  webhook: boolean;
  updated_at: Date | null;
}

export const DEFAULT_PREFERENCES: Preferences = {
  in_app: true,
  email: true,
  webhook: true,
  updated_at: null,
};

export function allows(p: Preferences, channel: Channel): boolean {
  return p[channel];
}

const fromRow = (r: Selectable<PreferencesTable>): Preferences => ({
  in_app: r.in_app,
  email: r.email,
  webhook: r.webhook,
  updated_at: r.updated_at,
});

export async function preferencesOf(db: Db, userId: string): Promise<Preferences> {
  const r = await db.selectFrom('preferences').selectAll().where('user_id', '=', userId).executeTakeFirst();
  return r ? fromRow(r) : DEFAULT_PREFERENCES;
}

export async function preferencesOfMany(db: Db, ids: readonly string[]): Promise<Map<string, Preferences>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('preferences').selectAll().where('user_id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.user_id, fromRow(r)]));
}

export async function putPreferences(
  db: Db,
  userId: string,
  p: { in_app: boolean; email: boolean; webhook: boolean },
): Promise<Preferences> {
  const r = await db
    .insertInto('preferences')
    .values({ user_id: userId, ...p })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...p, updated_at: sql<Date>`now()` }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return fromRow(r);
}
