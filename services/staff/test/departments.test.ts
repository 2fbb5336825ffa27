import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import staffService from '../src/service.ts';
import { asAdmin, asRole, expectOk, expectProblem, newDepartment, newStaff, unique } from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`departments (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([staffService]);
  });
  afterAll(() => env?.stop());

  it('creates a department with 201 and a Location; staff read it', async () => {
    const name = unique('Science');
    const res = await asAdmin(env).post('/api/v1/departments', { name, description: 'Labs' });
    const body = expectOk(res, 201);
    expect(res.headers.get('location')).toBe(`/api/v1/departments/${body.id}`);
    expect(body).toMatchObject({ name, description: 'Labs', head_staff_id: null, status: 'active' });
    expect(expectOk(await asRole(env, 'st-1', 'staff').get(body.links.self))).toEqual(body);
  });

  it('answers 409 naming name to a duplicate name, ignoring case and surrounding spaces', async () => {
    const name = unique('Maths');
    await newDepartment(env, { name });
    for (const dup of [name.toUpperCase(), ` ${name} `]) {
      expectProblem(
        await asAdmin(env).post('/api/v1/departments', { name: dup }),
        409,
        'already_exists',
        'name',
      );
    }
    const other = await newDepartment(env);
    expectProblem(
      await asAdmin(env).patch(`/api/v1/departments/${other.id}`, { name: name.toLowerCase() }),
      409,
      'already_exists',
      'name',
    );
  });

  it('lets only admins write: staff get 403, instructors may not even read', async () => {
    const staff = asRole(env, 'st-2', 'staff');
    expectProblem(await staff.post('/api/v1/departments', { name: unique('D') }), 403, 'forbidden');
    const d = await newDepartment(env);
    expectProblem(await staff.patch(`/api/v1/departments/${d.id}`, { name: 'x' }), 403, 'forbidden');
    expectProblem(await staff.delete(`/api/v1/departments/${d.id}`), 403, 'forbidden');
    expectProblem(await asRole(env, 'in-1', 'instructor').get('/api/v1/departments'), 403, 'forbidden');
  });

  it('answers 422 to a blank name, an unknown field and an unknown head', async () => {
    expectProblem(
      await asAdmin(env).post('/api/v1/departments', { name: '  ' }),
      422,
      'validation_failed',
      'name',
    );
    expectProblem(
      await asAdmin(env).post('/api/v1/departments', { name: unique('D'), budget: 5 }),
      422,
      'validation_failed',
      'budget',
    );
    expectProblem(
      await asAdmin(env).post('/api/v1/departments', { name: unique('D'), head_staff_id: 'nobody' }),
      422,
      'validation_failed',
      'head_staff_id',
    );
  });

  it('sets and clears a head of department', async () => {
    const d = await newDepartment(env);
    const head = await newStaff(env, d.id);
    expect(
      expectOk(await asAdmin(env).patch(`/api/v1/departments/${d.id}`, { head_staff_id: head.id }))
        .head_staff_id,
    ).toBe(head.id);
    expect(
      expectOk(await asAdmin(env).patch(`/api/v1/departments/${d.id}`, { head_staff_id: null }))
        .head_staff_id,
    ).toBeNull();
  });

  it('lists departments by name across cursor pages', async () => {
    const prefix = unique('Page');
    for (const n of ['c', 'a', 'd', 'b', 'e']) await newDepartment(env, { name: `${prefix}-${n}` });
    const seen: string[] = [];
    let url = '/api/v1/departments?limit=2';
    for (;;) {
      const res = await asAdmin(env).get(url);
      const page = expectOk(res);
      if (page.next_cursor) expect(res.headers.get('link')).toContain('rel="next"');
      seen.push(
        ...page.data.map((d: { name: string }) => d.name).filter((n: string) => n.startsWith(prefix)),
      );
      if (!page.next_cursor) break;
      url = `/api/v1/departments?limit=2&cursor=${page.next_cursor}`;
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e'].map((n) => `${prefix}-${n}`));
    expectProblem(await asAdmin(env).get('/api/v1/departments?limit=101'), 422, 'validation_failed', 'limit');
  });

  it('refuses to delete a department with active staff (409), deletes it softly once they are gone', async () => {
    const d = await newDepartment(env);
    const member = await newStaff(env, d.id);
    const refused = await asAdmin(env).delete(`/api/v1/departments/${d.id}`);
    expectProblem(refused, 409, 'conflict');
    expect(refused.body.detail).toMatch(/1 active staff/);

    expect((await asAdmin(env).delete(`/api/v1/staff/${member.id}`)).status).toBe(204);
    const del = await asAdmin(env).delete(`/api/v1/departments/${d.id}`);
    expect(del.status).toBe(204);
    expect(expectOk(await asAdmin(env).get(`/api/v1/departments/${d.id}`)).status).toBe('inactive');
    const active = expectOk(await asAdmin(env).get('/api/v1/departments?limit=100&status=active'));
    expect(active.data.map((x: { id: string }) => x.id)).not.toContain(d.id);
    // The inactive member still points at it; nobody new may join it; its name is free again.
    expect(expectOk(await asAdmin(env).get(`/api/v1/staff/${member.id}`)).department_id).toBe(d.id);
    expectProblem(
      await asAdmin(env).post('/api/v1/staff', {
        employee_number: unique('E'),
        email: `${unique('e')}@school.test`,
        full_name: 'Late Joiner',
        position: 'Clerk',
        department_id: d.id,
        hire_date: '2025-01-01',
      }),
      422,
      'validation_failed',
      'department_id',
    );
    await newDepartment(env, { name: d.name });
  });

  it('documents every route in its OpenAPI', async () => {
    const doc = expectOk(await asAdmin(env).get('/openapi.json'));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/departments/{id}',
        '/api/v1/staff/me',
        '/api/v1/staff/{id}/salaries',
        '/api/v1/staff/{id}/absences/{aid}/reject',
        '/api/v1/absences',
      ]),
    );
  });

  it('answers 404 for an unknown department', async () => {
    expectProblem(await asAdmin(env).get('/api/v1/departments/nope'), 404, 'not_found');
    expectProblem(await asAdmin(env).delete('/api/v1/departments/nope'), 404, 'not_found');
  });
});
