/** SQL for enrolments (and the grade each one carries). */
import type { Db } from '../deps.ts';
import type { EnrollmentRow } from '../tables.ts';

export async function insertEnrollment(
  db: Db,
  values: { id: string; student_id: string; course_id: string },
): Promise<EnrollmentRow> {
  return db.insertInto('enrollments').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findEnrollment(db: Db, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('enrollments').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findActiveEnrollment(db: Db, studentId: string, courseId: string) {
  return db
    .selectFrom('enrollments')
    .selectAll()
    .where('student_id', '=', studentId)
    .where('course_id', '=', courseId)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

export async function markDropped(db: Db, id: string, now: Date): Promise<EnrollmentRow> {
  return db
    .updateTable('enrollments')
    .set({ status: 'dropped', dropped_at: now, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setGrade(
  db: Db,
  id: string,
  g: { score: number; grade: string; grade_points: number; graded_by: string },
  now: Date,
): Promise<EnrollmentRow> {
  return db
    .updateTable('enrollments')
    .set({ ...g, graded_at: now, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface EnrollmentFilter {
  student_id?: string | undefined;
  course_id?: string | undefined;
  status?: string | undefined;
  /** Restricts to these students (a student's own records). */
  studentIds?: string[] | undefined;
  /** Restricts to courses taught by these staff ids (an instructor's rosters). */
  instructorIds?: string[] | undefined;
}

export function enrollmentsQuery(db: Db, f: EnrollmentFilter) {
  let q = db
    .selectFrom('enrollments')
    .innerJoin('courses', 'courses.id', 'enrollments.course_id')
    .selectAll('enrollments')
    .select(['courses.grading_scale', 'courses.credits']);
  if (f.student_id) q = q.where('enrollments.student_id', '=', f.student_id);
  if (f.course_id) q = q.where('enrollments.course_id', '=', f.course_id);
  if (f.status) q = q.where('enrollments.status', '=', f.status as EnrollmentRow['status']);
  if (f.studentIds) q = q.where('enrollments.student_id', 'in', f.studentIds.length ? f.studentIds : ['']);
  if (f.instructorIds) {
    const ids = f.instructorIds.length ? f.instructorIds : [''];
    q = q.where('courses.instructor_id', 'in', ids);
  }
  return q;
}

/** Whether the student is actively enrolled in some course one of `staffIds` teaches. */
export async function taughtBy(db: Db, studentId: string, staffIds: string[]): Promise<boolean> {
  if (staffIds.length === 0) return false;
  const row = await db
    .selectFrom('enrollments')
    .innerJoin('courses', 'courses.id', 'enrollments.course_id')
    .select('enrollments.id')
    .where('enrollments.student_id', '=', studentId)
    .where('enrollments.status', '=', 'active')
    .where('courses.instructor_id', 'in', staffIds)
    .executeTakeFirst();
  return row !== undefined;
}
