/**
 * SQL for the students and staff curriculum knows from `student.*` / `staff.*` events. An
 * upsert applies only when its event is not older than what the row holds, so a late
 * redelivery never turns an active student back into an inactive one (or the reverse).
 */
import type { Db } from '../deps.ts';
import type { KnownPersonRow } from '../tables.ts';

type PeopleTable = 'known_students' | 'known_staff';

export interface PersonFact {
  id: string;
  user_id: string | null;
  status: string;
  event_time: Date;
}

export async function upsertPerson(db: Db, table: PeopleTable, fact: PersonFact): Promise<boolean> {
  const row = await db
    .insertInto(table)
    .values({ ...fact, updated_at: new Date() })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          user_id: eb.ref('excluded.user_id'),
          status: eb.ref('excluded.status'),
          event_time: eb.ref('excluded.event_time'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where(`${table}.event_time`, '<=', fact.event_time),
    )
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function findStudent(db: Db, id: string): Promise<KnownPersonRow | undefined> {
  return db.selectFrom('known_students').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findStaff(db: Db, id: string): Promise<KnownPersonRow | undefined> {
  return db.selectFrom('known_staff').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The student records linked to a login (normally one). */
export async function studentIdsOfUser(db: Db, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('known_students').select('id').where('user_id', '=', userId).execute();
  return rows.map((r) => r.id);
}

/** The active staff records linked to a login: the staff ids a course's `instructor_id` may hold. */
export async function activeStaffIdsOfUser(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('known_staff')
    .select('id')
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .execute();
  return rows.map((r) => r.id);
}
