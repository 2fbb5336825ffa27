/**
 * Dropping an enrolment: status `dropped`, the seat freed, `enrollment.dropped` published. The
 * record (and any grade) stays: history is kept. Dropping twice → 409 invalid_state.
 */
import { AppError } from '@portico/kit';
import type { Deps } from '../deps.ts';
import { isOwnStudent, seesEnrollment, type Viewer } from '../domain/access.ts';
import { ENROLLMENT_DROPPED, enrollmentData } from '../events.ts';
import { findCourse, freeSeat } from '../repository/courses.ts';
import { findEnrollment, markDropped } from '../repository/enrollments.ts';
import { findStudent } from '../repository/people.ts';
import { publisher } from './actor.ts';

export async function dropEnrollment(deps: Deps, viewer: Viewer, id: string): Promise<void> {
  await deps.tx(async (trx) => {
    const enrollment = await findEnrollment(trx, id, { forUpdate: true });
    if (!enrollment) throw AppError.notFound('Enrollment');
    const course = (await findCourse(trx, enrollment.course_id))!;
    if (!seesEnrollment(viewer, enrollment, course)) throw AppError.notFound('Enrollment');
    // Dropping is for the office and the student themselves; an instructor (who reads the
    // roster) holds no enrollments:delete grant and never reaches this.
    if (!viewer.manager && !isOwnStudent(viewer, enrollment.student_id))
      throw new AppError('forbidden', 'Only staff or the student may drop an enrolment');
    if (enrollment.status !== 'active')
      throw new AppError('invalid_state', `The enrolment is already ${enrollment.status}`);
    const dropped = await markDropped(trx, id, new Date());
    await freeSeat(trx, course.id);
    const student = await findStudent(trx, enrollment.student_id);
    await publisher(deps, trx)(
      ENROLLMENT_DROPPED,
      enrollmentData(dropped, course, student?.user_id ?? null),
      dropped.id,
    );
  });
}
