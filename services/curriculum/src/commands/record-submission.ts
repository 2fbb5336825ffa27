/**
 * Recording a student's score on an assessment: 0 ≤ score ≤ max_score (422 naming `score`),
 * the student actively enrolled in the assessment's course (422 naming `student_id`), one
 * submission per student and assessment (a second one updates the score). The course's
 * instructor, staff or admin record it.
 */
import { AppError } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Deps } from '../deps.ts';
import { seesCourse, teachesOrManages, type Viewer } from '../domain/access.ts';
import { percentage } from '../domain/grading.ts';
import { findAssessment, upsertSubmission } from '../repository/assessments.ts';
import { findCourse } from '../repository/courses.ts';
import { findActiveEnrollment } from '../repository/enrollments.ts';
import { actorId, type Actor } from './actor.ts';

export async function recordSubmission(
  deps: Deps,
  actor: Actor,
  viewer: Viewer,
  assessmentId: string,
  input: { student_id: string; score: number },
) {
  const recorder = actorId(actor.caller);
  return deps.tx(async (trx) => {
    const assessment = await findAssessment(trx, assessmentId);
    if (!assessment) throw AppError.notFound('Assessment');
    const course = (await findCourse(trx, assessment.course_id))!;
    if (!teachesOrManages(viewer, course)) {
      if (!seesCourse(viewer, course)) throw AppError.notFound('Assessment');
      throw new AppError('forbidden', 'Only the course’s instructor, staff or an admin may record scores');
    }
    if (input.score > assessment.max_score)
      throw AppError.validation([
        {
          field: 'score',
          code: 'out_of_range',
          message: `must be between 0 and the max_score ${assessment.max_score}`,
        },
      ]);
    const enrollment = await findActiveEnrollment(trx, input.student_id, course.id);
    if (!enrollment)
      throw AppError.validation([
        {
          field: 'student_id',
          code: 'not_enrolled',
          message: 'is not actively enrolled in this assessment’s course',
        },
      ]);
    return upsertSubmission(trx, {
      id: uuidv7(),
      assessment_id: assessment.id,
      enrollment_id: enrollment.id,
      student_id: input.student_id,
      score: input.score,
      percentage: percentage(input.score, assessment.max_score),
      recorded_by: recorder,
    });
  });
}
