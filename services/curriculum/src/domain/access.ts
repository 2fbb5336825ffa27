/**
 * Who a caller is to curriculum, and what that lets them see or do. Admin and staff manage
 * (they hold `courses:update` for every course). An instructor is a login linked to active staff
 * records: they teach the courses whose `instructor_id` is one of those. A student is a login
 * linked to student records: they see their own. Pure decisions over what commands/viewer.ts
 * loads.
 */
import { scopeOf, type Caller } from '@portico/kit';

export interface Viewer {
  caller: Caller;
  /** Admin or staff: manages every course, enrolment and grade. */
  manager: boolean;
  /** The active staff ids linked to the caller's login (empty for managers: not needed). */
  staffIds: string[];
  /** The student ids linked to the caller's login. */
  studentIds: string[];
}

export function isManager(caller: Caller): boolean {
  return scopeOf(caller, 'courses:update') === 'all';
}

export function teaches(viewer: Viewer, course: { instructor_id: string | null }): boolean {
  return course.instructor_id !== null && viewer.staffIds.includes(course.instructor_id);
}

export function isOwnStudent(viewer: Viewer, studentId: string): boolean {
  return viewer.studentIds.includes(studentId);
}

/** May see this course at all: managers, its instructor, and everyone once it is published. */
export function seesCourse(
  viewer: Viewer,
  course: { status: string; instructor_id: string | null },
): boolean {
  return viewer.manager || course.status === 'published' || teaches(viewer, course);
}

/** May change a course's teaching material (assessments, resources, scores): managers and its instructor. */
export function teachesOrManages(viewer: Viewer, course: { instructor_id: string | null }): boolean {
  return viewer.manager || teaches(viewer, course);
}

/** May read an enrolment (and its grade): managers, the course's instructor, the student. */
export function seesEnrollment(
  viewer: Viewer,
  enrollment: { student_id: string },
  course: { instructor_id: string | null },
): boolean {
  return viewer.manager || teaches(viewer, course) || isOwnStudent(viewer, enrollment.student_id);
}
