import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import students from '../src/service.ts';
import {
  as,
  createStudent,
  expectOk,
  expectProblem,
  newNumber,
  newStudentBody,
  studentEventProbe,
  uid,
} from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`student records (${matrixLabel})`, () => {
  let env: TestServices;
  let probe: Awaited<ReturnType<typeof studentEventProbe>>;
  const staff = () => as(env, 'staff');
  const admin = () => as(env, 'admin');

  beforeAll(async () => {
    env = await startTestServices([students]);
    probe = await studentEventProbe(env);
  });
  afterAll(async () => {
    await probe?.stop();
    await env?.stop();
  });

  it('creates an active student with a Location and publishes student.created with the record', async () => {
    const userId = uid('login');
    const body = newStudentBody({
      full_name: 'Amina Odhiambo',
      phone: '+254 712 345678',
      address: 'P.O. Box 100, Nairobi',
      date_of_birth: '2010-04-17',
      user_id: userId,
    });
    const res = await admin().post('/api/v1/students', body);
    const s = expectOk(res, 201);
    expect(res.headers.get('location')).toBe(`/api/v1/students/${s.id}`);
    expect(s).toMatchObject({ ...body, status: 'active', links: { self: `/api/v1/students/${s.id}` } });
    expect(Date.parse(s.created_at)).not.toBeNaN();
    expectOk(await staff().get(`/api/v1/students/${s.id}`));
    const ev = await env.eventually(async () => probe.of(s.id, 'student.created')[0]);
    expect(ev.source).toBe('students');
    expect(ev.data).toEqual({
      student_id: s.id,
      student_number: body.student_number,
      email: body.email,
      full_name: 'Amina Odhiambo',
      status: 'active',
      user_id: userId,
    });
  });

  it.each([
    ['lower-case letters', 'ke123456'],
    ['too few digits', 'KE12345'],
    ['too many digits', 'KE1234567'],
    ['three letters', 'KEN12345'],
    ['a space', 'KE 123456'],
  ])('refuses a student_number with %s (422 naming student_number)', async (_, number) => {
    const res = await staff().post('/api/v1/students', newStudentBody({ student_number: number }));
    expectProblem(res, 422, 'validation_failed', 'student_number');
  });

  it.each([
    ['a missing student_number', { student_number: undefined }, 'student_number'],
    ['a missing email', { email: undefined }, 'email'],
    ['a bad email', { email: 'not-an-email' }, 'email'],
    ['a blank full_name', { full_name: '   ' }, 'full_name'],
    ['a bad phone', { phone: 'call me' }, 'phone'],
    ['a malformed date_of_birth', { date_of_birth: '17/04/2010' }, 'date_of_birth'],
    ['a date_of_birth that does not exist', { date_of_birth: '2011-02-30' }, 'date_of_birth'],
    ['a date_of_birth in the future', { date_of_birth: '2999-01-01' }, 'date_of_birth'],
    ['an unknown field', { roles: ['admin'] }, 'roles'],
    ['a status on create', { status: 'graduated' }, 'status'],
  ])('refuses %s (422 naming the field)', async (_, over, field) => {
    const res = await staff().post('/api/v1/students', newStudentBody(over));
    expectProblem(res, 422, 'validation_failed', field);
  });

  it('refuses a duplicate student_number, email (ignoring case) or user_id with 409 naming each field', async () => {
    const first = await createStudent(env, { user_id: uid('login') });
    const byNumber = await staff().post(
      '/api/v1/students',
      newStudentBody({ student_number: first.student_number }),
    );
    expectProblem(byNumber, 409, 'already_exists', 'student_number');
    const byEmail = await staff().post(
      '/api/v1/students',
      newStudentBody({ email: first.email.toUpperCase() }),
    );
    expectProblem(byEmail, 409, 'already_exists', 'email');
    const byUser = await staff().post('/api/v1/students', newStudentBody({ user_id: first.user_id }));
    expectProblem(byUser, 409, 'already_exists', 'user_id');
    const all = await staff().post('/api/v1/students', {
      student_number: first.student_number,
      email: first.email,
      full_name: 'Twin',
      user_id: first.user_id,
    });
    expectProblem(all, 409, 'already_exists');
    expect(all.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'student_number',
      'email',
      'user_id',
    ]);
  });

  it('lets exactly one of many concurrent creates with the same number win (409 for the rest)', async () => {
    const number = newNumber();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        staff().post('/api/v1/students', newStudentBody({ student_number: number })),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 201))
      expectProblem(r, 409, 'already_exists', 'student_number');
  });

  it('refuses writes to instructors, students and users (403) and reads to users (403)', async () => {
    const s = await createStudent(env);
    for (const role of ['instructor', 'student', 'user']) {
      expectProblem(await as(env, role).post('/api/v1/students', newStudentBody()), 403, 'forbidden');
      expectProblem(
        await as(env, role).patch(`/api/v1/students/${s.id}`, { full_name: 'X' }),
        403,
        'forbidden',
      );
      expectProblem(await as(env, role).delete(`/api/v1/students/${s.id}`), 403, 'forbidden');
    }
    expectProblem(await as(env, 'user').get('/api/v1/students'), 403, 'forbidden');
    expectProblem(await as(env, 'user').get(`/api/v1/students/${s.id}`), 403, 'forbidden');
    expectProblem(await as(env, 'user').get(`/api/v1/students/${s.id}/profile`), 403, 'forbidden');
    expectProblem(await as(env, 'user').get('/api/v1/students/me'), 403, 'forbidden');
  });

  it('changes fields with PATCH, publishes student.updated, and publishes nothing for a PATCH that changes nothing', async () => {
    const s = await createStudent(env);
    const res = await staff().patch(`/api/v1/students/${s.id}`, {
      full_name: 'Brian Kamau',
      phone: null,
      date_of_birth: '2009-01-31',
      status: 'suspended',
    });
    const changed = expectOk(res);
    expect(changed).toMatchObject({
      full_name: 'Brian Kamau',
      date_of_birth: '2009-01-31',
      status: 'suspended',
    });
    expect(Date.parse(changed.updated_at)).toBeGreaterThanOrEqual(Date.parse(s.updated_at));
    expectOk(await staff().patch(`/api/v1/students/${s.id}`, { full_name: 'Brian Kamau' }));
    await probe.settle();
    const updates = probe.of(s.id, 'student.updated');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.data).toMatchObject({
      student_id: s.id,
      full_name: 'Brian Kamau',
      status: 'suspended',
    });
    expect((await staff().get(`/api/v1/students/${s.id}`)).body).toMatchObject({
      full_name: 'Brian Kamau',
      phone: null,
    });
  });

  it('moves between all four statuses in any order', async () => {
    const s = await createStudent(env);
    for (const status of ['graduated', 'active', 'suspended', 'inactive', 'graduated', 'active']) {
      expect(expectOk(await admin().patch(`/api/v1/students/${s.id}`, { status })).status).toBe(status);
    }
  });

  it('validates a PATCH: bad values and duplicates name the field, an empty body and unknown ids are refused', async () => {
    const a = await createStudent(env);
    const b = await createStudent(env);
    expectProblem(
      await staff().patch(`/api/v1/students/${a.id}`, { student_number: 'X1' }),
      422,
      'validation_failed',
      'student_number',
    );
    expectProblem(
      await staff().patch(`/api/v1/students/${a.id}`, { status: 'expelled' }),
      422,
      'validation_failed',
      'status',
    );
    expectProblem(
      await staff().patch(`/api/v1/students/${a.id}`, { created_at: '2020-01-01T00:00:00Z' }),
      422,
      'validation_failed',
      'created_at',
    );
    expectProblem(await staff().patch(`/api/v1/students/${a.id}`, {}), 422, 'validation_failed');
    expectProblem(
      await staff().patch(`/api/v1/students/${a.id}`, { email: b.email }),
      409,
      'already_exists',
      'email',
    );
    expectProblem(
      await staff().patch(`/api/v1/students/${a.id}`, { student_number: b.student_number }),
      409,
      'already_exists',
      'student_number',
    );
    expectProblem(await staff().patch('/api/v1/students/nope', { full_name: 'X' }), 404, 'not_found');
    // Changing the case of one's own email is no conflict.
    expectOk(await staff().patch(`/api/v1/students/${a.id}`, { email: a.email.toUpperCase() }));
  });

  it('soft-deletes to inactive once: the record stays readable, student.deactivated is published once', async () => {
    const s = await createStudent(env);
    const del = await staff().delete(`/api/v1/students/${s.id}`);
    expect(del.status).toBe(204);
    expect(del.body).toBeNull();
    expect((await admin().get(`/api/v1/students/${s.id}`)).body.status).toBe('inactive');
    expect((await staff().delete(`/api/v1/students/${s.id}`)).status).toBe(204);
    expectProblem(await staff().delete('/api/v1/students/nope'), 404, 'not_found');
    await probe.settle();
    const deactivated = probe.of(s.id, 'student.deactivated');
    expect(deactivated).toHaveLength(1);
    expect(deactivated[0]!.data).toMatchObject({ student_id: s.id, status: 'inactive' });
    expect(probe.of(s.id, 'student.updated')).toHaveLength(0);
    const inactive = expectOk(await staff().get(`/api/v1/students?status=inactive&q=${s.student_number}`));
    expect(inactive.data.map((x: { id: string }) => x.id)).toEqual([s.id]);
  });

  it('publishes student.deactivated when a PATCH makes a student inactive', async () => {
    const s = await createStudent(env);
    expectOk(await staff().patch(`/api/v1/students/${s.id}`, { status: 'inactive' }));
    await probe.settle();
    expect(probe.of(s.id, 'student.deactivated')).toHaveLength(1);
    expect(probe.of(s.id, 'student.updated')).toHaveLength(0);
  });
});
