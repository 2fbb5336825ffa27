/** SQL for assessments and submissions. */
import type { Db } from '../deps.ts';
import type { AssessmentRow, SubmissionRow } from '../tables.ts';
import type { WeightedPart } from '../domain/grading.ts';

export async function insertAssessment(
  db: Db,
  values: Omit<AssessmentRow, 'created_at' | 'updated_at'>,
): Promise<AssessmentRow> {
  return db.insertInto('assessments').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findAssessment(db: Db, id: string) {
  return db.selectFrom('assessments').selectAll().where('id', '=', id).executeTakeFirst();
}

export function assessmentsOf(db: Db, courseId: string) {
  return db.selectFrom('assessments').selectAll().where('course_id', '=', courseId);
}

/**
 * One submission per student and assessment: a second one updates the score. Returns the row
 * and whether it was created (201) or updated (200).
 */
export async function upsertSubmission(
  db: Db,
  values: Omit<SubmissionRow, 'created_at' | 'updated_at'>,
): Promise<{ row: SubmissionRow; created: boolean }> {
  const now = new Date();
  const row = await db
    .insertInto('submissions')
    .values({ ...values, created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['assessment_id', 'student_id']).doUpdateSet((eb) => ({
        score: eb.ref('excluded.score'),
        percentage: eb.ref('excluded.percentage'),
        enrollment_id: eb.ref('excluded.enrollment_id'),
        recorded_by: eb.ref('excluded.recorded_by'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, created: row.id === values.id };
}

export function submissionsOf(db: Db, assessmentId: string, studentIds?: string[]) {
  let q = db.selectFrom('submissions').selectAll().where('assessment_id', '=', assessmentId);
  if (studentIds) q = q.where('student_id', 'in', studentIds.length ? studentIds : ['']);
  return q;
}

/** The student's percentage and the assessment's weight, for every assessment they have a submission for. */
export async function weightedPartsOf(db: Db, enrollmentId: string): Promise<WeightedPart[]> {
  const rows = await db
    .selectFrom('submissions')
    .innerJoin('assessments', 'assessments.id', 'submissions.assessment_id')
    .select(['submissions.percentage', 'assessments.weight'])
    .where('submissions.enrollment_id', '=', enrollmentId)
    .execute();
  return rows.map((r) => ({ percentage: r.percentage, weight: r.weight }));
}
