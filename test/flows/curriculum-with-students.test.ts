/**
 * curriculum beside the real students service: a student created there (as admin, linked to a
 * login) becomes enrollable here through `student.created` alone, and a deactivation there
 * stops new enrolments here while the enrolment already made stays the student's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  userCaller,
  type TestServices,
} from '@portico/kit/testing';
import curriculum from '../../services/curriculum/src/service.ts';
import students from '../../services/students/src/service.ts';
import {
  admin,
  enrol,
  expectOk,
  expectProblem,
  makeCourse,
  uid,
} from '../../services/curriculum/test/helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`curriculum with the students service (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([students, curriculum]);
  });
  afterAll(() => env?.stop());

  it('enrols a student students created, and refuses new enrolments after students deactivates them', async () => {
    const login = uid('login');
    const office = env.as('students', userCaller('admin-root', ['admin']));
    const created = expectOk(
      await office.post('/api/v1/students', {
        student_number: `KE${String(randomInt(1e6)).padStart(6, '0')}`,
        email: `${uid('s')}@school.test`,
        full_name: 'Amani Otieno',
        user_id: login,
      }),
      201,
    );
    const me = env.as('curriculum', userCaller(login, ['student']));
    await env.eventually(
      async () => (await me.get(`/api/v1/students/${created.id}/enrollments`)).status === 200,
    );
    const course = await makeCourse(env);
    const e = expectOk(await enrol(admin(env), created.id, course.id), 201);
    expect(expectOk(await me.get('/api/v1/enrollments')).data.map((x: { id: string }) => x.id)).toEqual([
      e.id,
    ]);

    expect((await office.delete(`/api/v1/students/${created.id}`)).status).toBe(204);
    const draft = await makeCourse(env, {}, false);
    await env.eventually(
      async () => (await enrol(admin(env), created.id, draft.id)).body?.code === 'student_inactive',
    );
    expectProblem(await enrol(admin(env), created.id, (await makeCourse(env)).id), 422, 'student_inactive');
    expect(expectOk(await me.get(`/api/v1/enrollments/${e.id}`)).status).toBe('active');
  });
});
