/**
 * Checks that what a body refers to exists, each failure a 422 naming the field
 * (`competency_ids[2]`, `subject_id`, `instructor_id`).
 */
import { AppError, type FieldError } from '@portico/kit';
import type { Db } from '../deps.ts';
import { findStaff } from '../repository/people.ts';

export async function checkCompetencies(db: Db, ids: readonly string[]): Promise<FieldError[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('competencies')
    .select('id')
    .where('id', 'in', [...ids])
    .execute();
  const known = new Set(rows.map((r) => r.id));
  return ids.flatMap((id, i) =>
    known.has(id)
      ? []
      : [{ field: `competency_ids[${i}]`, code: 'not_found', message: `no competency ${id}` }],
  );
}

export async function checkSubject(db: Db, id: string | null | undefined): Promise<FieldError[]> {
  if (id === null || id === undefined) return [];
  const row = await db.selectFrom('subjects').select('id').where('id', '=', id).executeTakeFirst();
  return row ? [] : [{ field: 'subject_id', code: 'not_found', message: `no subject ${id}` }];
}

/** A course's instructor is a staff id curriculum has heard of (staff.* events) and still active. */
export async function checkInstructor(db: Db, id: string | null | undefined): Promise<void> {
  if (id === null || id === undefined) return;
  const staff = await findStaff(db, id);
  if (!staff || staff.status !== 'active') {
    throw new AppError('unknown_instructor', `No active staff member ${id} is known to curriculum`, {
      errors: [
        {
          field: 'instructor_id',
          code: 'unknown_instructor',
          message: staff ? 'is not an active staff member' : 'is not a staff member curriculum knows',
        },
      ],
    });
  }
}

export function failIf(errors: FieldError[]): void {
  if (errors.length > 0) throw AppError.validation(errors);
}
