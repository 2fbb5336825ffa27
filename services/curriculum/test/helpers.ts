/**
 * Shared helpers for curriculum's tests: callers, students and staff fed in as the students and
 * staff services would (their events on the real bus), courses, problem assertions.
 */
import { randomBytes } from 'node:crypto';
import { makeEvent, type EventEnvelope } from '@portico/kit';
import { userCaller, type TestClient, type TestServices } from '@portico/kit/testing';
import type { StaffData, StudentData, StudentStatus } from '@portico/contracts';
import { expectOk, expectProblem } from '@portico/kit/testing/expect';

export { expectOk, expectProblem };

export const uid = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

export const as = (env: TestServices, id: string, roles: string[]): TestClient =>
  env.as('curriculum', userCaller(id, roles));
export const admin = (env: TestServices) => as(env, 'admin-root', ['admin']);
export const staff = (env: TestServices) => as(env, 'staff-office', ['staff']);

export interface TestStudent {
  id: string;
  userId: string;
  client: TestClient;
}

function studentData(id: string, userId: string, status: StudentStatus): StudentData {
  return {
    student_id: id,
    student_number: `KE${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`,
    email: `${id}@school.test`,
    full_name: `Student ${id}`,
    status,
    user_id: userId,
  };
}

/** Publishes `student.<type>` as the students service would. */
export function studentEvent(
  id: string,
  userId: string,
  status: StudentStatus,
  type: 'created' | 'updated' | 'deactivated' = 'created',
  time?: string,
): EventEnvelope<StudentData> {
  const ev = makeEvent('students', `student.${type}`, studentData(id, userId, status), { subject: id });
  if (time) ev.time = time;
  return ev;
}

/** A student curriculum knows (waits until its `student.created` was consumed). */
export async function feedStudent(env: TestServices, status: StudentStatus = 'active'): Promise<TestStudent> {
  const id = uid('stu');
  const userId = uid('login');
  const client = as(env, userId, ['student']);
  await env.bus.publish(studentEvent(id, userId, status));
  // The student's own enrolment list answers 404 until curriculum links the login to the record.
  await env.eventually(async () => (await client.get(`/api/v1/students/${id}/enrollments`)).status === 200);
  return { id, userId, client };
}

/** Many students at once (their events published together, then each awaited). */
export async function feedStudents(env: TestServices, n: number): Promise<TestStudent[]> {
  const students = Array.from({ length: n }, () => {
    const id = uid('stu');
    const userId = uid('login');
    return { id, userId, client: as(env, userId, ['student']) };
  });
  await Promise.all(students.map((s) => env.bus.publish(studentEvent(s.id, s.userId, 'active'))));
  for (const s of students)
    await env.eventually(
      async () => (await s.client.get(`/api/v1/students/${s.id}/enrollments`)).status === 200,
    );
  return students;
}

export interface TestInstructor {
  staffId: string;
  userId: string;
  client: TestClient;
}

/** Publishes `staff.created` for a new instructor (not awaited: use `courseTaughtBy`). */
export async function feedInstructor(env: TestServices): Promise<TestInstructor> {
  const staffId = uid('staff');
  const userId = uid('teacher');
  const data: StaffData = {
    staff_id: staffId,
    employee_number: `EMP${randomBytes(3).toString('hex')}`,
    email: `${staffId}@school.test`,
    full_name: `Teacher ${staffId}`,
    position: 'Teacher',
    department_id: 'dept-1',
    status: 'active',
    user_id: userId,
  };
  await env.bus.publish(makeEvent('staff', 'staff.created', data, { subject: staffId }));
  return { staffId, userId, client: as(env, userId, ['instructor']) };
}

export const courseBody = (extra: Record<string, unknown> = {}) => ({
  code: uid('C').toUpperCase(),
  title: 'Mathematics',
  credits: 3,
  capacity: 25,
  framework: 'generic',
  ...extra,
});

/** Creates (as admin) and optionally publishes a course; retries while its instructor is not yet known. */
export async function makeCourse(
  env: TestServices,
  extra: Record<string, unknown> = {},
  publish = true,
): Promise<any> {
  const body = courseBody(extra);
  const res = await env.eventually(async () => {
    const r = await admin(env).post('/api/v1/courses', body);
    return r.body?.code === 'unknown_instructor' ? null : r;
  });
  const course = expectOk(res, 201);
  if (!publish) return course;
  return expectOk(await admin(env).post(`/api/v1/courses/${course.id}/publish`));
}

export const enrol = (client: TestClient, studentId: string, courseId: string) =>
  client.post('/api/v1/enrollments', { student_id: studentId, course_id: courseId });
