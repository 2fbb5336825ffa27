/** SQL for departments. Names are unique among active departments, ignoring case (409 naming `name`). */
import { sql } from 'kysely';
import type { Db } from '../deps.ts';
import type { DepartmentRow, RecordStatus } from '../tables.ts';
import { translateUnique } from '@portico/kit';

const UNIQUE = { departments_name: 'name' };

export interface DepartmentValues {
  id: string;
  name: string;
  description: string | null;
  head_staff_id: string | null;
}

export type DepartmentPatch = Partial<Omit<DepartmentValues, 'id'>>;

export async function insertDepartment(db: Db, values: DepartmentValues): Promise<DepartmentRow> {
  try {
    return await db.insertInto('departments').values(values).returningAll().executeTakeFirstOrThrow();
  } catch (err) {
    translateUnique(err, 'department', UNIQUE);
  }
}

export async function findDepartment(
  db: Db,
  id: string,
  opts: { lock?: 'update' | 'share' } = {},
): Promise<DepartmentRow | undefined> {
  let q = db.selectFrom('departments').selectAll().where('id', '=', id);
  if (opts.lock === 'update') q = q.forUpdate();
  if (opts.lock === 'share') q = q.forShare();
  return q.executeTakeFirst();
}

export async function updateDepartment(
  db: Db,
  id: string,
  patch: DepartmentPatch & { status?: RecordStatus },
  now: Date,
): Promise<DepartmentRow> {
  try {
    return await db
      .updateTable('departments')
      .set({ ...patch, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    translateUnique(err, 'department', UNIQUE);
  }
}

export async function countActiveStaff(db: Db, departmentId: string): Promise<number> {
  const row = await db
    .selectFrom('staff')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('department_id', '=', departmentId)
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return row.n;
}

/** Departments for `paginate`, by name; `status` undefined = active ones. */
export function departmentsQuery(db: Db, filter: { status?: RecordStatus | 'all' | undefined }) {
  let q = db.selectFrom('departments').selectAll();
  const status = filter.status ?? 'active';
  if (status !== 'all') q = q.where('status', '=', status);
  return q;
}

/** Whether the login `userId` is the active head of department `departmentId`. */
export async function isHeadOf(db: Db, userId: string | null, departmentId: string): Promise<boolean> {
  if (userId === null) return false;
  const row = await db
    .selectFrom('departments as d')
    .innerJoin('staff as h', 'h.id', 'd.head_staff_id')
    .select('d.id')
    .where('d.id', '=', departmentId)
    .where('h.user_id', '=', userId)
    .where('h.status', '=', 'active')
    .executeTakeFirst();
  return row !== undefined;
}
