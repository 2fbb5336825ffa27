/** SQL for fee schedules: what enrolling in a course costs. */
import type { Kysely } from 'kysely';
import type { FinanceDB } from '../tables.ts';

export async function feeScheduleOfCourse(db: Kysely<FinanceDB>, courseId: string) {
  return db.selectFrom('fee_schedules').selectAll().where('course_id', '=', courseId).executeTakeFirst();
}

export async function insertFeeSchedule(
  db: Kysely<FinanceDB>,
  f: { id: string; course_id: string; amount: number; currency: string; description: string | null },
) {
  return db.insertInto('fee_schedules').values(f).returningAll().executeTakeFirstOrThrow();
}
