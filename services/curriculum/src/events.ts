/**
 * The events curriculum publishes and consumes; payloads are the shared shapes of
 * @portico/contracts (education.ts).
 */
import type {
  CompetencyProgressData,
  CoursePublishedData,
  EnrollmentData,
  GradeRecordedData,
} from '@portico/contracts';
import type { CompetencyProgressRow, CourseRow, EnrollmentRow } from './tables.ts';

export const COURSE_PUBLISHED = 'course.published';
export const ENROLLMENT_CREATED = 'enrollment.created';
export const ENROLLMENT_DROPPED = 'enrollment.dropped';
export const GRADE_RECORDED = 'grade.recorded';
export const COMPETENCY_PROGRESS_RECORDED = 'competency.progress_recorded';

export const CURRICULUM_EVENTS = [
  COURSE_PUBLISHED,
  ENROLLMENT_CREATED,
  ENROLLMENT_DROPPED,
  GRADE_RECORDED,
  COMPETENCY_PROGRESS_RECORDED,
] as const;

export const STUDENT_EVENTS = ['student.created', 'student.updated', 'student.deactivated'] as const;
export const STAFF_EVENTS = ['staff.created', 'staff.updated', 'staff.deactivated'] as const;

export function coursePublishedData(c: CourseRow): CoursePublishedData {
  return {
    course_id: c.id,
    code: c.code,
    title: c.title,
    credits: c.credits,
    capacity: c.capacity,
    framework: c.framework,
    grading_scale: c.grading_scale,
    instructor_id: c.instructor_id,
  };
}

export function enrollmentData(e: EnrollmentRow, c: CourseRow, userId: string | null): EnrollmentData {
  return {
    enrollment_id: e.id,
    student_id: e.student_id,
    course_id: c.id,
    course_code: c.code,
    course_title: c.title,
    credits: c.credits,
    user_id: userId,
  };
}

export function gradeRecordedData(e: EnrollmentRow, c: CourseRow, userId: string | null): GradeRecordedData {
  return {
    enrollment_id: e.id,
    student_id: e.student_id,
    course_id: c.id,
    course_code: c.code,
    course_title: c.title,
    credits: c.credits,
    score: e.score ?? 0,
    grade: e.grade ?? '',
    grade_points: e.grade_points ?? 0,
    scale: c.grading_scale,
    user_id: userId,
  };
}

export function progressData(
  p: CompetencyProgressRow,
  competencyCode: string,
  userId: string | null,
): CompetencyProgressData {
  return {
    progress_id: p.id,
    student_id: p.student_id,
    competency_id: p.competency_id,
    competency_code: competencyCode,
    status: p.status,
    proficiency_level: p.proficiency_level,
    assessed_by: p.assessed_by,
    user_id: userId,
  };
}
