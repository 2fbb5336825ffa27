/** SQL for absences: filing, the overlap check, decisions, and the lists deciders read. */
import type { Db } from '../deps.ts';
import { BLOCKING_STATUSES, type AbsenceStatus, type AbsenceType } from '../domain/absence.ts';
import type { AbsenceRow } from '../tables.ts';
import { day } from './dates.ts';

export interface AbsenceValues {
  id: string;
  staff_id: string;
  start_date: string;
  end_date: string;
  type: AbsenceType;
  reason: string;
  requested_by: string | null;
}

const COLUMNS = [
  'absences.id',
  'absences.staff_id',
  'absences.type',
  'absences.reason',
  'absences.status',
  'absences.requested_by',
  'absences.decided_by',
  'absences.decided_at',
  'absences.decision_reason',
  'absences.created_at',
  'absences.updated_at',
] as const;

function absenceSelect(db: Db) {
  return db
    .selectFrom('absences')
    .select(COLUMNS)
    .select([day('absences.start_date', 'start_date'), day('absences.end_date', 'end_date')]);
}

export async function insertAbsence(db: Db, values: AbsenceValues): Promise<AbsenceRow> {
  await db.insertInto('absences').values(values).execute();
  return (await findAbsence(db, values.staff_id, values.id))!;
}

/** An absence of one staff member (an id under another staff member is not found). */
export async function findAbsence(
  db: Db,
  staffId: string,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<AbsenceRow | undefined> {
  let q = absenceSelect(db).where('absences.id', '=', id).where('absences.staff_id', '=', staffId);
  if (opts.lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The pending or approved absences of `staffId` that share a day with [start, end]. */
export async function overlappingAbsences(
  db: Db,
  staffId: string,
  start: string,
  end: string,
): Promise<AbsenceRow[]> {
  return absenceSelect(db)
    .where('absences.staff_id', '=', staffId)
    .where('absences.status', 'in', BLOCKING_STATUSES)
    .where('absences.start_date', '<=', end)
    .where('absences.end_date', '>=', start)
    .execute();
}

export async function recordDecision(
  db: Db,
  id: string,
  values: { status: AbsenceStatus; decided_by: string | null; decision_reason: string | null },
  now: Date,
): Promise<void> {
  await db
    .updateTable('absences')
    .set({ ...values, decided_at: now, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** One staff member's absences for `paginate` (sort `absences.created_at`). */
export function absencesOf(db: Db, staffId: string, status: AbsenceStatus | undefined) {
  let q = absenceSelect(db).where('absences.staff_id', '=', staffId);
  if (status !== undefined) q = q.where('absences.status', '=', status);
  return q;
}

export interface AbsenceListFilter {
  status?: AbsenceStatus | undefined;
  staff_id?: string | undefined;
  department_id?: string | undefined;
}

/**
 * The absences a caller may see across people, for `paginate`: everyone's for an admin
 * (`userId` undefined); otherwise their own and those of every department they actively head.
 */
export function visibleAbsences(db: Db, userId: string | null | undefined, filter: AbsenceListFilter) {
  let q = absenceSelect(db).innerJoin('staff', 'staff.id', 'absences.staff_id');
  if (userId !== undefined) {
    if (userId === null) return q.where('absences.id', 'is', null);
    q = q.where((eb) =>
      eb.or([
        eb('staff.user_id', '=', userId),
        eb(
          'staff.department_id',
          'in',
          eb
            .selectFrom('departments as d')
            .innerJoin('staff as h', 'h.id', 'd.head_staff_id')
            .select('d.id')
            .where('h.user_id', '=', userId)
            .where('h.status', '=', 'active'),
        ),
      ]),
    );
  }
  if (filter.status !== undefined) q = q.where('absences.status', '=', filter.status);
  if (filter.staff_id !== undefined) q = q.where('absences.staff_id', '=', filter.staff_id);
  if (filter.department_id !== undefined) q = q.where('staff.department_id', '=', filter.department_id);
  return q;
}
