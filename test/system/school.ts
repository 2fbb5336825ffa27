/**
 * A school built through the public API, for the education system tests: an admin, a
 * department with an instructor on the staff, students linked to their own logins, and courses
 * in each framework. Everything goes through the gateway, as a school's admin would do it; the
 * services learn about each other's records by events only, so steps that depend on an event
 * having arrived are retried until it has.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Session, System } from './harness.ts';

export const uid = () => randomBytes(3).toString('hex');
/** `AB123456`: two letters and six digits, unique enough per run. */
export const studentNumber = () =>
  `${String.fromCharCode(65 + Math.floor(Math.random() * 26))}${String.fromCharCode(
    65 + Math.floor(Math.random() * 26),
  )}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;

export interface Student {
  id: string;
  session: Session;
}

/** As `who`, POSTs until the answer is `status` (an event the route depends on may not have arrived yet). */
export async function postWhenReady(
  sys: System,
  who: Session,
  path: string,
  body: unknown,
  status = 201,
  headers?: Record<string, string>,
): Promise<any> {
  let last: unknown;
  try {
    return await sys.eventually(async () => {
      const res = await who.client.post(path, body, headers);
      last = res.body;
      return res.status === status ? res.body : null;
    }, 20_000);
  } catch (err) {
    throw new Error(`${path} never answered ${status}: ${JSON.stringify(last)} (${String(err)})`);
  }
}

export async function createStudent(sys: System, admin: Session, session?: Session): Promise<Student> {
  const s = session ?? (await sys.grantRoles(await sys.signUp(), ['student']));
  const res = await admin.client.post('/api/v1/students', {
    student_number: studentNumber(),
    email: s.email,
    full_name: `Student ${uid()}`,
    user_id: s.id,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id as string, session: s };
}

export async function createInstructor(sys: System, admin: Session) {
  const session = await sys.grantRoles(await sys.signUp(), ['instructor']);
  const dept = await admin.client.post('/api/v1/departments', { name: `Sciences ${uid()}` });
  expect(dept.status, JSON.stringify(dept.body)).toBe(201);
  const staff = await admin.client.post('/api/v1/staff', {
    employee_number: `EMP-${uid()}`,
    email: session.email,
    full_name: `Teacher ${uid()}`,
    position: 'Teacher',
    department_id: dept.body.id,
    hire_date: '2024-01-08',
    user_id: session.id,
  });
  expect(staff.status, JSON.stringify(staff.body)).toBe(201);
  return { session, staffId: staff.body.id as string, departmentId: dept.body.id as string };
}

export interface CourseOptions {
  framework?: 'generic' | 'cbc' | 'british';
  capacity?: number;
  credits?: number;
  instructorId?: string;
  competencyIds?: string[];
  subjectId?: string;
  selfEnrollment?: boolean;
  publish?: boolean;
}

export async function createCourse(sys: System, admin: Session, o: CourseOptions = {}) {
  const body: Record<string, unknown> = {
    code: `C${uid()}`.toUpperCase(),
    title: `Course ${uid()}`,
    credits: o.credits ?? 3,
    capacity: o.capacity ?? 30,
    framework: o.framework ?? 'generic',
    self_enrollment: o.selfEnrollment ?? true,
  };
  if (o.instructorId) body.instructor_id = o.instructorId;
  if (o.competencyIds) body.competency_ids = o.competencyIds;
  if (o.subjectId) body.subject_id = o.subjectId;
  // The instructor is known to curriculum once staff.created has arrived.
  const course = await postWhenReady(sys, admin, '/api/v1/courses', body);
  if (o.publish ?? true) {
    const pub = await admin.client.post(`/api/v1/courses/${course.id}/publish`);
    expect(pub.status, JSON.stringify(pub.body)).toBe(200);
  }
  return course as { id: string; code: string; title: string };
}

/** Enrols `student` in `courseId` as `who`, once curriculum has heard of the student. */
export const enrol = (sys: System, who: Session, studentId: string, courseId: string) =>
  postWhenReady(sys, who, '/api/v1/enrollments', { student_id: studentId, course_id: courseId }) as Promise<{
    id: string;
  }>;

export async function notificationsOf(
  who: Session,
): Promise<{ type?: string; title: string; body: string; data?: Record<string, unknown> }[]> {
  const res = await who.client.get('/api/v1/notifications?limit=100');
  expect(res.status).toBe(200);
  return res.body.data;
}
