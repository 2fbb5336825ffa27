/** SQL for courses and their seats. */
import type { Db } from '../deps.ts';
import type { CourseRow, CourseStatus, NewCourse } from '../tables.ts';
import { translateUnique } from '@portico/kit';

export async function insertCourse(db: Db, values: NewCourse): Promise<CourseRow> {
  return db
    .insertInto('courses')
    .values(values)
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch((err: unknown) => translateUnique(err, 'course', 'code'));
}

export async function findCourse(db: Db, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('courses').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export type CoursePatch = Partial<
  Pick<
    NewCourse,
    | 'title'
    | 'description'
    | 'credits'
    | 'capacity'
    | 'grading_scale'
    | 'instructor_id'
    | 'term'
    | 'subject_id'
    | 'competency_ids'
    | 'self_enrollment'
  >
>;

export async function updateCourse(
  db: Db,
  id: string,
  patch: CoursePatch & { status?: CourseStatus; published_at?: Date; archived_at?: Date },
) {
  return db
    .updateTable('courses')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Takes a seat if one is free, atomically: the row lock this UPDATE takes serialises racers on
 * PostgreSQL, and each re-checks `enrolled < capacity` after the one before it committed. No
 * row back means the course was full (or not published any more).
 */
export async function takeSeat(db: Db, courseId: string): Promise<boolean> {
  const row = await db
    .updateTable('courses')
    .set((eb) => ({ enrolled: eb('enrolled', '+', 1) }))
    .where('id', '=', courseId)
    .where('status', '=', 'published')
    .whereRef('enrolled', '<', 'capacity')
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function freeSeat(db: Db, courseId: string): Promise<void> {
  await db
    .updateTable('courses')
    .set((eb) => ({ enrolled: eb('enrolled', '-', 1) }))
    .where('id', '=', courseId)
    .where('enrolled', '>', 0)
    .execute();
}

export interface CourseFilter {
  status?: CourseStatus | undefined;
  framework?: string | undefined;
  instructor_id?: string | undefined;
  subject_id?: string | undefined;
  /** Non-managers: published courses, plus the drafts of courses they teach. */
  visibleTo?: { staffIds: string[] } | undefined;
}

export function coursesQuery(db: Db, f: CourseFilter) {
  let q = db.selectFrom('courses').selectAll();
  if (f.status) q = q.where('status', '=', f.status);
  if (f.framework) q = q.where('framework', '=', f.framework as CourseRow['framework']);
  if (f.instructor_id) q = q.where('instructor_id', '=', f.instructor_id);
  if (f.subject_id) q = q.where('subject_id', '=', f.subject_id);
  const visible = f.visibleTo;
  if (visible) {
    q = q.where((eb) =>
      visible.staffIds.length === 0
        ? eb('status', '=', 'published')
        : eb.or([eb('status', '=', 'published'), eb('instructor_id', 'in', visible.staffIds)]),
    );
  }
  return q;
}

/** Which of `ids` name no course (for 422s naming `course_ids[i]`). */
export async function existingCourseIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('courses')
    .select('id')
    .where('id', 'in', [...ids])
    .execute();
  return new Set(rows.map((r) => r.id));
}
