/**
 * Enrolling a student in a course, in one transaction with `enrollment.created`:
 *  1. the course exists (422 naming course_id) and is published (409 course_not_published);
 *  2. the student is known from students' events (422 unknown_student) and active (422
 *     student_inactive); a student caller enrols only themselves (someone else's id → 404)
 *     and only where the course allows self-enrolment (403);
 *  3. not already actively enrolled (409 already_enrolled; the partial unique index settles
 *     two simultaneous requests for the same pair);
 *  4. a seat is free (409 course_full): one conditional UPDATE takes it, so 30 racers for 25
 *     seats give exactly 25 enrolments on PGlite and PostgreSQL alike.
 */
import { AppError } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Deps } from '../deps.ts';
import { isOwnStudent, type Viewer } from '../domain/access.ts';
import { ENROLLMENT_CREATED, enrollmentData } from '../events.ts';
import { isUniqueViolation } from '@portico/kit';
import { findCourse, takeSeat } from '../repository/courses.ts';
import { findActiveEnrollment, insertEnrollment } from '../repository/enrollments.ts';
import { findStudent } from '../repository/people.ts';
import type { CourseRow, EnrollmentRow } from '../tables.ts';
import { publisher } from './actor.ts';

const alreadyEnrolled = () =>
  new AppError('already_enrolled', 'The student is already enrolled in this course', {
    errors: [
      { field: 'course_id', code: 'already_enrolled', message: 'the student is already enrolled in it' },
    ],
  });

export async function enrollStudent(
  deps: Deps,
  viewer: Viewer,
  input: { student_id: string; course_id: string },
): Promise<{ enrollment: EnrollmentRow; course: CourseRow }> {
  return deps.tx(async (trx) => {
    const student = await findStudent(trx, input.student_id);
    if (!viewer.manager) {
      // An own-scope caller (a student) acts only for themselves: anyone else's record is 404.
      if (student && !isOwnStudent(viewer, student.id)) throw AppError.notFound('Student');
    }
    const course = await findCourse(trx, input.course_id);
    if (!course)
      throw AppError.validation([
        { field: 'course_id', code: 'not_found', message: `no course ${input.course_id}` },
      ]);
    if (!student)
      throw new AppError('unknown_student', `Curriculum has not heard of student ${input.student_id} (yet)`, {
        errors: [
          {
            field: 'student_id',
            code: 'unknown_student',
            message: 'is not a student curriculum knows; retry once the student is created',
          },
        ],
      });
    if (!viewer.manager && !course.self_enrollment)
      throw new AppError('forbidden', 'This course does not allow self-enrolment; ask the school office');
    if (student.status !== 'active')
      throw new AppError('student_inactive', `The student is ${student.status}`, {
        errors: [
          { field: 'student_id', code: 'student_inactive', message: `is ${student.status}, not active` },
        ],
      });
    if (course.status !== 'published')
      throw new AppError(
        'course_not_published',
        `The course is ${course.status}; only published courses take enrolments`,
        {
          errors: [{ field: 'course_id', code: 'course_not_published', message: `is ${course.status}` }],
        },
      );
    if (await findActiveEnrollment(trx, student.id, course.id)) throw alreadyEnrolled();
    if (!(await takeSeat(trx, course.id)))
      throw new AppError('course_full', `All ${course.capacity} seats of ${course.code} are taken`, {
        errors: [{ field: 'course_id', code: 'course_full', message: 'has no free seat' }],
      });
    let enrollment: EnrollmentRow;
    try {
      enrollment = await insertEnrollment(trx, {
        id: uuidv7(),
        student_id: student.id,
        course_id: course.id,
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw alreadyEnrolled();
      throw err;
    }
    await publisher(deps, trx)(
      ENROLLMENT_CREATED,
      enrollmentData(enrollment, course, student.user_id),
      enrollment.id,
    );
    return { enrollment, course };
  });
}
