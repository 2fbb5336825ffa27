/**
 * Recording a course's final grade on an enrolment, from a score given directly
 * (PUT /enrollments/{id}/grade) or computed from the weighted assessments
 * (POST /enrollments/{id}/grade/compute: Σ(pct × weight) / Σweight over the assessments the
 * student has a submission for). Either way the grade is the course's scale applied to the
 * percentage (domain/grading.ts) and `grade.recorded` goes out in the same transaction.
 * Who: admin, staff, and the instructor who teaches the course; anyone else 403 (the route
 * already refuses callers without `grades:write`, e.g. students).
 */
import { AppError } from '@portico/kit';
import type { Deps, Trx } from '../deps.ts';
import { teachesOrManages, type Viewer } from '../domain/access.ts';
import { gradeOf, weightedPercentage } from '../domain/grading.ts';
import { GRADE_RECORDED, gradeRecordedData } from '../events.ts';
import { findCourse } from '../repository/courses.ts';
import { findEnrollment, setGrade } from '../repository/enrollments.ts';
import { findStudent } from '../repository/people.ts';
import { weightedPartsOf } from '../repository/assessments.ts';
import type { CourseRow, EnrollmentRow } from '../tables.ts';
import { actorId, publisher, type Actor } from './actor.ts';

type Score = number | ((trx: Trx, e: EnrollmentRow) => Promise<number>);

async function record(deps: Deps, actor: Actor, viewer: Viewer, id: string, score: Score) {
  const grader = actorId(actor.caller);
  return deps.tx(async (trx) => {
    const enrollment = await findEnrollment(trx, id, { forUpdate: true });
    if (!enrollment) throw AppError.notFound('Enrollment');
    const course = (await findCourse(trx, enrollment.course_id))!;
    // Everyone who reaches this holds grades:write (staff, admin, instructors): an instructor of
    // another course learns only that they may not grade it (403, as EDU.md asks).
    if (!teachesOrManages(viewer, course))
      throw new AppError('forbidden', 'Only the course’s instructor, staff or an admin may grade it');
    if (enrollment.status !== 'active')
      throw new AppError('invalid_state', `A ${enrollment.status} enrolment cannot be graded`);
    const pct = typeof score === 'number' ? score : await score(trx, enrollment);
    const g = gradeOf(course.grading_scale, pct);
    const graded = await setGrade(
      trx,
      id,
      { score: g.score, grade: g.grade, grade_points: g.grade_points, graded_by: grader },
      new Date(),
    );
    const student = await findStudent(trx, enrollment.student_id);
    await publisher(deps, trx)(
      GRADE_RECORDED,
      gradeRecordedData(graded, course, student?.user_id ?? null),
      graded.id,
    );
    return { enrollment: graded, course };
  });
}

export function recordGrade(
  deps: Deps,
  actor: Actor,
  viewer: Viewer,
  id: string,
  score: number,
): Promise<{ enrollment: EnrollmentRow; course: CourseRow }> {
  return record(deps, actor, viewer, id, score);
}

export function computeGrade(
  deps: Deps,
  actor: Actor,
  viewer: Viewer,
  id: string,
): Promise<{ enrollment: EnrollmentRow; course: CourseRow }> {
  return record(deps, actor, viewer, id, async (trx, enrollment) => {
    const pct = weightedPercentage(await weightedPartsOf(trx, enrollment.id));
    if (pct === null)
      throw new AppError(
        'invalid_state',
        'The student has no assessment submissions to compute a grade from',
      );
    return pct;
  });
}
