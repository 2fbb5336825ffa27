import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import staffService from '../src/service.ts';
import {
  asAdmin,
  asRole,
  eventProbe,
  expectOk,
  expectProblem,
  newDepartment,
  newStaff,
  staffBody,
  unique,
} from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`staff members (${matrixLabel})`, () => {
  let env: TestServices;
  let probe: Awaited<ReturnType<typeof eventProbe>>;
  let dept: { id: string };
  beforeAll(async () => {
    env = await startTestServices([staffService]);
    probe = await eventProbe(env);
    dept = await newDepartment(env);
  });
  afterAll(async () => {
    await probe?.stop();
    await env?.stop();
  });

  it('adds a staff member with 201, normalised email, and publishes staff.created with StaffData', async () => {
    const body = staffBody(dept.id, { email: 'Mixed.Case@School.TEST', user_id: unique('user') });
    const res = await asAdmin(env).post('/api/v1/staff', body);
    const created = expectOk(res, 201);
    expect(res.headers.get('location')).toBe(`/api/v1/staff/${created.id}`);
    expect(created).toMatchObject({
      employee_number: body.employee_number,
      email: 'mixed.case@school.test',
      department_id: dept.id,
      hire_date: '2024-01-15',
      status: 'active',
      user_id: body.user_id,
      current_salary: null,
    });
    await probe.settle();
    const [ev] = probe.of(created.id, 'staff.created');
    expect(ev?.source).toBe('staff');
    expect(ev?.data).toEqual({
      staff_id: created.id,
      employee_number: body.employee_number,
      email: 'mixed.case@school.test',
      full_name: body.full_name,
      position: 'Teacher',
      department_id: dept.id,
      status: 'active',
      user_id: body.user_id,
    });
  });

  it('answers 422 naming department_id for an unknown department, and nothing is published', async () => {
    const body = staffBody('no-such-dept');
    const res = await asAdmin(env).post('/api/v1/staff', body);
    expectProblem(res, 422, 'validation_failed', 'department_id');
    expect(res.body.errors[0].code).toBe('unknown_department');
    await probe.settle();
    expect(probe.events.some((e) => e.data.employee_number === body.employee_number)).toBe(false);
  });

  it('answers 409 naming the field for a duplicate employee number, email or linked login', async () => {
    const user = unique('user');
    const first = staffBody(dept.id, { user_id: user });
    await newStaff(env, dept.id, first);
    const cases: [string, Record<string, unknown>][] = [
      ['employee_number', { employee_number: first.employee_number.toLowerCase() }],
      ['email', { email: first.email.toUpperCase() }],
      ['user_id', { user_id: user }],
    ];
    for (const [field, dup] of cases) {
      expectProblem(
        await asAdmin(env).post('/api/v1/staff', staffBody(dept.id, dup)),
        409,
        'already_exists',
        field,
      );
    }
    const other = await newStaff(env, dept.id);
    expectProblem(
      await asAdmin(env).patch(`/api/v1/staff/${other.id}`, { email: first.email }),
      409,
      'already_exists',
      'email',
    );
  });

  it('answers 422 naming each invalid or missing field, and unknown fields', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['email', { email: 'not-an-email' }],
      ['hire_date', { hire_date: '2024-02-30' }],
      ['hire_date', { hire_date: '15/01/2024' }],
      ['employee_number', { employee_number: 'has space' }],
      ['full_name', { full_name: '   ' }],
      ['position', { position: '' }],
      ['status', { status: 'active' }],
    ];
    for (const [field, bad] of cases) {
      expectProblem(
        await asAdmin(env).post('/api/v1/staff', staffBody(dept.id, bad)),
        422,
        'validation_failed',
        field,
      );
    }
    for (const field of ['employee_number', 'email', 'full_name', 'position', 'department_id', 'hire_date']) {
      const body: Record<string, unknown> = staffBody(dept.id);
      delete body[field];
      expectProblem(await asAdmin(env).post('/api/v1/staff', body), 422, 'validation_failed', field);
    }
  });

  it('lets only admins write; staff read the directory, instructors only their own record', async () => {
    const staffCaller = asRole(env, unique('st'), 'staff');
    expectProblem(await staffCaller.post('/api/v1/staff', staffBody(dept.id)), 403, 'forbidden');
    const someone = await newStaff(env, dept.id);
    expectProblem(
      await staffCaller.patch(`/api/v1/staff/${someone.id}`, { position: 'Boss' }),
      403,
      'forbidden',
    );
    expectProblem(await staffCaller.delete(`/api/v1/staff/${someone.id}`), 403, 'forbidden');
    const read = expectOk(await staffCaller.get(`/api/v1/staff/${someone.id}`));
    expect(read.id).toBe(someone.id);
    expect(read).not.toHaveProperty('current_salary');

    const instructorId = unique('inst');
    const mine = await newStaff(env, dept.id, { user_id: instructorId, position: 'Instructor' });
    const instructor = asRole(env, instructorId, 'instructor');
    expect(expectOk(await instructor.get('/api/v1/staff/me')).id).toBe(mine.id);
    expect(expectOk(await instructor.get(`/api/v1/staff/${mine.id}`)).current_salary).toBeNull();
    expectProblem(await instructor.get(`/api/v1/staff/${someone.id}`), 404, 'not_found');
    expectProblem(await instructor.get('/api/v1/staff'), 403, 'forbidden');
    expectProblem(await asRole(env, unique('nobody'), 'user').get('/api/v1/staff/me'), 404, 'not_found');
  });

  it('filters the list by department, status and a search term, across pages', async () => {
    const d = await newDepartment(env);
    const tag = unique('zeta');
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await newStaff(env, d.id, { full_name: `${tag} ${i}` }));
    await newStaff(env, dept.id, { full_name: `${tag} elsewhere` });
    expect((await asAdmin(env).delete(`/api/v1/staff/${made[4].id}`)).status).toBe(204);

    const seen: string[] = [];
    let url = `/api/v1/staff?department_id=${d.id}&status=active&limit=2`;
    for (;;) {
      const page = expectOk(await asRole(env, unique('st'), 'staff').get(url));
      seen.push(...page.data.map((s: { full_name: string }) => s.full_name));
      if (!page.next_cursor) break;
      url = `/api/v1/staff?department_id=${d.id}&status=active&limit=2&cursor=${page.next_cursor}`;
    }
    expect(seen).toEqual([0, 1, 2, 3].map((i) => `${tag} ${i}`));

    const found = expectOk(await asAdmin(env).get(`/api/v1/staff?q=${tag.toUpperCase()}&limit=100`));
    expect(found.data).toHaveLength(6);
    const inactive = expectOk(await asAdmin(env).get(`/api/v1/staff?department_id=${d.id}&status=inactive`));
    expect(inactive.data.map((s: { id: string }) => s.id)).toEqual([made[4].id]);
    expect(expectOk(await asAdmin(env).get('/api/v1/staff?q=%25_%25')).data).toEqual([]);
    expectProblem(await asAdmin(env).get('/api/v1/staff?sort=salary'), 422, 'validation_failed', 'sort');
  });

  it('deactivates on DELETE (soft, stays readable) and publishes staff.deactivated once', async () => {
    const s = await newStaff(env, dept.id);
    expect((await asAdmin(env).delete(`/api/v1/staff/${s.id}`)).status).toBe(204);
    expect((await asAdmin(env).delete(`/api/v1/staff/${s.id}`)).status).toBe(204);
    const after = expectOk(await asAdmin(env).get(`/api/v1/staff/${s.id}`));
    expect(after.status).toBe('inactive');
    await probe.settle();
    const deactivated = probe.of(s.id, 'staff.deactivated');
    expect(deactivated).toHaveLength(1);
    expect(deactivated[0]!.data).toMatchObject({ staff_id: s.id, status: 'inactive' });
    expectProblem(await asAdmin(env).delete('/api/v1/staff/nope'), 404, 'not_found');
  });

  it('publishes staff.updated for a real change only, and reactivates through PATCH', async () => {
    const s = await newStaff(env, dept.id);
    const other = await newDepartment(env);
    const moved = expectOk(
      await asAdmin(env).patch(`/api/v1/staff/${s.id}`, {
        position: 'Head of Year',
        department_id: other.id,
      }),
    );
    expect(moved).toMatchObject({ position: 'Head of Year', department_id: other.id });
    expectOk(await asAdmin(env).patch(`/api/v1/staff/${s.id}`, { position: 'Head of Year' }));
    expectProblem(
      await asAdmin(env).patch(`/api/v1/staff/${s.id}`, { department_id: 'nowhere' }),
      422,
      'validation_failed',
      'department_id',
    );
    expectOk(await asAdmin(env).patch(`/api/v1/staff/${s.id}`, { status: 'inactive' }));
    expect(expectOk(await asAdmin(env).patch(`/api/v1/staff/${s.id}`, { status: 'active' })).status).toBe(
      'active',
    );
    await probe.settle();
    expect(probe.of(s.id).map((e) => e.type)).toEqual([
      'staff.created',
      'staff.updated',
      'staff.deactivated',
      'staff.updated',
    ]);
    expect(probe.of(s.id, 'staff.updated')[0]!.data.department_id).toBe(other.id);
  });
});
