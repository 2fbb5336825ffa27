import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import students from '../src/service.ts';
import { as, createStudent, expectOk, expectProblem, uid } from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`who reads which student (${matrixLabel})`, () => {
  let env: TestServices;
  const aliceLogin = uid('alice');
  const bobLogin = uid('bob');
  let alice: { id: string; student_number: string };
  let bob: { id: string };

  beforeAll(async () => {
    env = await startTestServices([students]);
    alice = await createStudent(env, { user_id: aliceLogin, full_name: 'Alice Wambui' });
    bob = await createStudent(env, { user_id: bobLogin, full_name: 'Bob Mutua' });
  });
  afterAll(() => env?.stop());

  it('shows a student their own record at /me and at /{id}', async () => {
    const me = expectOk(await as(env, 'student', aliceLogin).get('/api/v1/students/me'));
    expect(me).toMatchObject({ id: alice.id, user_id: aliceLogin, full_name: 'Alice Wambui' });
    expectOk(await as(env, 'student', aliceLogin).get(`/api/v1/students/${alice.id}`));
    expectOk(await as(env, 'student', aliceLogin).get(`/api/v1/students/${alice.id}/profile`));
  });

  it('answers 404 to a student reading another student’s record or profile, or one that does not exist', async () => {
    const asAlice = as(env, 'student', aliceLogin);
    expectProblem(await asAlice.get(`/api/v1/students/${bob.id}`), 404, 'not_found');
    expectProblem(await asAlice.get(`/api/v1/students/${bob.id}/profile`), 404, 'not_found');
    expectProblem(await asAlice.get('/api/v1/students/does-not-exist'), 404, 'not_found');
  });

  it('answers /me with 404 when no record is linked to the login', async () => {
    expectProblem(await as(env, 'student', uid('nobody')).get('/api/v1/students/me'), 404, 'not_found');
    expectProblem(await as(env, 'staff').get('/api/v1/students/me'), 404, 'not_found');
  });

  it('lists only their own record to a student', async () => {
    const page = expectOk(await as(env, 'student', aliceLogin).get('/api/v1/students?limit=100'));
    expect(page.data.map((s: { id: string }) => s.id)).toEqual([alice.id]);
    const none = expectOk(await as(env, 'student', uid('unlinked')).get('/api/v1/students'));
    expect(none.data).toEqual([]);
  });

  it('lets admin, staff and instructors read any record and profile', async () => {
    for (const role of ['admin', 'staff', 'instructor']) {
      expectOk(await as(env, role).get(`/api/v1/students/${bob.id}`));
      expectOk(await as(env, role).get(`/api/v1/students/${bob.id}/profile`));
      const page = expectOk(await as(env, role).get('/api/v1/students?limit=100'));
      expect(page.data.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([alice.id, bob.id]));
    }
  });

  it('follows a relinked login: the old login loses the record, the new one gains it', async () => {
    const carolLogin = uid('carol');
    const carol = await createStudent(env, { user_id: carolLogin });
    const newLogin = uid('carol2');
    expectOk(await as(env, 'staff').patch(`/api/v1/students/${carol.id}`, { user_id: newLogin }));
    expectProblem(await as(env, 'student', carolLogin).get(`/api/v1/students/${carol.id}`), 404, 'not_found');
    expect(expectOk(await as(env, 'student', newLogin).get('/api/v1/students/me')).id).toBe(carol.id);
    expectOk(await as(env, 'staff').patch(`/api/v1/students/${carol.id}`, { user_id: null }));
    expectProblem(await as(env, 'student', newLogin).get('/api/v1/students/me'), 404, 'not_found');
  });

  it('refuses a request without a gateway passport (401)', async () => {
    const res = await env.as('students', null).get(`/api/v1/students/${alice.id}`);
    expect(res.status).toBe(401);
  });
});
