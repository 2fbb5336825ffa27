/**
 * SQL for staff members. Employee numbers, emails and linked logins are unique (409 naming
 * the field); `hire_date` is read back as 'YYYY-MM-DD'.
 */
import type { Db } from '../deps.ts';
import type { RecordStatus, StaffRow } from '../tables.ts';
import { day } from './dates.ts';
import { translateUnique } from '@portico/kit';

const UNIQUE = {
  staff_employee_number: 'employee_number',
  staff_email: 'email',
  staff_user_id: 'user_id',
};

export interface StaffValues {
  id: string;
  employee_number: string;
  email: string;
  full_name: string;
  position: string;
  department_id: string;
  hire_date: string;
  user_id: string | null;
}

export type StaffPatch = Partial<Omit<StaffValues, 'id'>> & { status?: RecordStatus };

const COLUMNS = [
  'staff.id',
  'staff.employee_number',
  'staff.email',
  'staff.full_name',
  'staff.position',
  'staff.department_id',
  'staff.user_id',
  'staff.status',
  'staff.created_at',
  'staff.updated_at',
] as const;

function staffSelect(db: Db) {
  return db.selectFrom('staff').select(COLUMNS).select(day('staff.hire_date', 'hire_date'));
}

export async function insertStaff(db: Db, values: StaffValues): Promise<StaffRow> {
  try {
    const { id } = await db.insertInto('staff').values(values).returning('id').executeTakeFirstOrThrow();
    return (await findStaff(db, id))!;
  } catch (err) {
    translateUnique(err, 'staff member', UNIQUE);
  }
}

export async function findStaff(
  db: Db,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<StaffRow | undefined> {
  let q = staffSelect(db).where('staff.id', '=', id);
  if (opts.lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findStaffByUser(db: Db, userId: string): Promise<StaffRow | undefined> {
  return staffSelect(db).where('staff.user_id', '=', userId).executeTakeFirst();
}

export async function updateStaff(db: Db, id: string, patch: StaffPatch, now: Date): Promise<StaffRow> {
  try {
    await db
      .updateTable('staff')
      .set({ ...patch, updated_at: now })
      .where('id', '=', id)
      .execute();
    return (await findStaff(db, id))!;
  } catch (err) {
    translateUnique(err, 'staff member', UNIQUE);
  }
}

export interface StaffFilter {
  department_id?: string | undefined;
  status?: RecordStatus | undefined;
  q?: string | undefined;
}

/** `%`, `_` and `\` in a search term match themselves (LIKE's default escape is `\`). */
const likeTerm = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;

/** Staff for `paginate`, filtered; `q` searches name, email and employee number. */
export function staffQuery(db: Db, filter: StaffFilter) {
  let q = staffSelect(db);
  if (filter.department_id !== undefined) q = q.where('staff.department_id', '=', filter.department_id);
  if (filter.status !== undefined) q = q.where('staff.status', '=', filter.status);
  const term = filter.q?.trim();
  if (term) {
    const pattern = likeTerm(term);
    q = q.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['staff.full_name']), 'like', pattern),
        eb(eb.fn('lower', ['staff.email']), 'like', pattern),
        eb(eb.fn('lower', ['staff.employee_number']), 'like', pattern),
      ]),
    );
  }
  return q;
}
