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
  unique,
} from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`absences (${matrixLabel})`, () => {
  let env: TestServices;
  let probe: Awaited<ReturnType<typeof eventProbe>>;
  beforeAll(async () => {
    env = await startTestServices([staffService]);
    probe = await eventProbe(env);
  });
  afterAll(async () => {
    await probe?.stop();
    await env?.stop();
  });

  /** A department with a head and two members, each linked to a login acting with `role`. */
  async function team(role = 'staff') {
    const dept = await newDepartment(env);
    const ids = { head: unique('head'), alice: unique('alice'), bob: unique('bob') };
    const head = await newStaff(env, dept.id, { user_id: ids.head });
    const alice = await newStaff(env, dept.id, { user_id: ids.alice });
    const bob = await newStaff(env, dept.id, { user_id: ids.bob });
    expectOk(await asAdmin(env).patch(`/api/v1/departments/${dept.id}`, { head_staff_id: head.id }));
    return {
      dept,
      head: { record: head, as: asRole(env, ids.head, role) },
      alice: { record: alice, as: asRole(env, ids.alice, role) },
      bob: { record: bob, as: asRole(env, ids.bob, role) },
    };
  }

  const leave = (start_date: string, end_date: string, extra: Record<string, unknown> = {}) => ({
    start_date,
    end_date,
    reason: 'Family matters',
    ...extra,
  });

  it('lets a staff member file their own absence (201, pending) and publishes absence.requested', async () => {
    const t = await team();
    const res = await t.alice.as.post(
      `/api/v1/staff/${t.alice.record.id}/absences`,
      leave('2027-03-01', '2027-03-03', { type: 'annual' }),
    );
    const a = expectOk(res, 201);
    expect(res.headers.get('location')).toBe(`/api/v1/staff/${t.alice.record.id}/absences/${a.id}`);
    expect(a).toMatchObject({
      status: 'pending',
      type: 'annual',
      days: 3,
      start_date: '2027-03-01',
      end_date: '2027-03-03',
    });
    expect(expectOk(await t.alice.as.get(a.links.self))).toEqual(a);
    await probe.settle();
    expect(probe.of(a.id, 'absence.requested')[0]?.data).toEqual({
      absence_id: a.id,
      staff_id: t.alice.record.id,
      start_date: '2027-03-01',
      end_date: '2027-03-03',
      status: 'pending',
      decided_by: null,
      user_id: t.alice.record.user_id,
    });
  });

  it('answers 422 naming end_date when the end is before the start; one-day absences are fine', async () => {
    const t = await team();
    const url = `/api/v1/staff/${t.alice.record.id}/absences`;
    expectProblem(
      await t.alice.as.post(url, leave('2027-04-10', '2027-04-09')),
      422,
      'validation_failed',
      'end_date',
    );
    expectProblem(
      await t.alice.as.post(url, leave('2027-04-10', '2027-04-31')),
      422,
      'validation_failed',
      'end_date',
    );
    expectProblem(
      await t.alice.as.post(url, leave('2027-04-10', '2027-04-10', { type: 'holiday' })),
      422,
      'validation_failed',
      'type',
    );
    expectProblem(
      await t.alice.as.post(url, { start_date: '2027-04-10', end_date: '2027-04-10' }),
      422,
      'validation_failed',
      'reason',
    );
    expect(expectOk(await t.alice.as.post(url, leave('2027-04-10', '2027-04-10')), 201).days).toBe(1);
  });

  it('answers 409 absence_overlap to an absence sharing a day with a pending or approved one, not a rejected one', async () => {
    const t = await team();
    const url = `/api/v1/staff/${t.alice.record.id}/absences`;
    const first = expectOk(await t.alice.as.post(url, leave('2027-05-10', '2027-05-14')), 201);
    const clash = await t.alice.as.post(url, leave('2027-05-14', '2027-05-20'));
    expectProblem(clash, 409, 'absence_overlap', 'start_date');
    expect(clash.body.conflicting_absence_id).toBe(first.id);
    expectProblem(await asAdmin(env).post(url, leave('2027-05-01', '2027-05-30')), 409, 'absence_overlap');
    expectOk(await t.alice.as.post(url, leave('2027-05-15', '2027-05-16')), 201);
    // Another person's days are theirs: no clash.
    expectOk(
      await t.bob.as.post(`/api/v1/staff/${t.bob.record.id}/absences`, leave('2027-05-10', '2027-05-14')),
      201,
    );

    expectOk(await t.head.as.post(`${url}/${first.id}/reject`, { reason: 'Exams week' }));
    expectOk(await t.alice.as.post(url, leave('2027-05-12', '2027-05-13')), 201);
  });

  it('hides another staff member’s absences and record-bound routes: 404 for a plain staff caller', async () => {
    const t = await team();
    const a = expectOk(
      await t.alice.as.post(`/api/v1/staff/${t.alice.record.id}/absences`, leave('2027-06-01', '2027-06-02')),
      201,
    );
    const base = `/api/v1/staff/${t.alice.record.id}/absences`;
    expectProblem(await t.bob.as.get(base), 404, 'not_found');
    expectProblem(await t.bob.as.get(`${base}/${a.id}`), 404, 'not_found');
    expectProblem(await t.bob.as.post(base, leave('2027-06-05', '2027-06-06')), 404, 'not_found');
    expectProblem(await t.bob.as.post(`${base}/${a.id}/approve`), 404, 'not_found');
    expectProblem(await t.bob.as.post(`${base}/${a.id}/reject`, {}), 404, 'not_found');
    // An absence id under the wrong person is not found either.
    expectProblem(
      await asAdmin(env).get(`/api/v1/staff/${t.bob.record.id}/absences/${a.id}`),
      404,
      'not_found',
    );
    expect(expectOk(await t.alice.as.get(base)).data.map((x: { id: string }) => x.id)).toEqual([a.id]);
  });

  it('answers 403 to approving one’s own absence — a department head and an admin alike', async () => {
    const t = await team();
    const own = expectOk(
      await t.head.as.post(`/api/v1/staff/${t.head.record.id}/absences`, leave('2027-07-01', '2027-07-02')),
      201,
    );
    expectProblem(
      await t.head.as.post(`/api/v1/staff/${t.head.record.id}/absences/${own.id}/approve`),
      403,
      'forbidden',
    );

    const plain = expectOk(
      await t.alice.as.post(`/api/v1/staff/${t.alice.record.id}/absences`, leave('2027-07-01', '2027-07-02')),
      201,
    );
    expectProblem(
      await t.alice.as.post(`/api/v1/staff/${t.alice.record.id}/absences/${plain.id}/approve`),
      403,
      'forbidden',
    );

    const adminId = unique('admin');
    const adminStaff = await newStaff(env, t.dept.id, { user_id: adminId });
    const adminOwn = expectOk(
      await asAdmin(env, adminId).post(
        `/api/v1/staff/${adminStaff.id}/absences`,
        leave('2027-07-01', '2027-07-02'),
      ),
      201,
    );
    expectProblem(
      await asAdmin(env, adminId).post(`/api/v1/staff/${adminStaff.id}/absences/${adminOwn.id}/approve`),
      403,
      'forbidden',
    );
    expect(expectOk(await asAdmin(env).get(adminOwn.links.self)).status).toBe('pending');
  });

  it('lets the department head decide their department’s absences, once (again → 409), with events', async () => {
    const t = await team();
    const base = `/api/v1/staff/${t.alice.record.id}/absences`;
    const a = expectOk(await t.alice.as.post(base, leave('2027-08-01', '2027-08-05')), 201);
    const b = expectOk(await t.alice.as.post(base, leave('2027-08-10', '2027-08-11')), 201);

    const approved = expectOk(await t.head.as.post(`${base}/${a.id}/approve`));
    expect(approved).toMatchObject({ status: 'approved', decided_by: t.head.record.user_id });
    expect(approved.decided_at).not.toBeNull();
    expectProblem(await t.head.as.post(`${base}/${a.id}/approve`), 409, 'invalid_state');
    expectProblem(await t.head.as.post(`${base}/${a.id}/reject`, {}), 409, 'invalid_state');
    expectProblem(await asAdmin(env).post(`${base}/${a.id}/reject`, {}), 409, 'invalid_state');

    const rejected = expectOk(await t.head.as.post(`${base}/${b.id}/reject`, { reason: 'Short-staffed' }));
    expect(rejected).toMatchObject({ status: 'rejected', decision_reason: 'Short-staffed' });

    // A head of another department sees nothing here.
    const elsewhere = await team();
    const c = expectOk(
      await t.bob.as.post(`/api/v1/staff/${t.bob.record.id}/absences`, leave('2027-08-01', '2027-08-01')),
      201,
    );
    expectProblem(
      await elsewhere.head.as.post(`/api/v1/staff/${t.bob.record.id}/absences/${c.id}/approve`),
      404,
      'not_found',
    );

    await probe.settle();
    expect(probe.of(a.id).map((e) => e.type)).toEqual(['absence.requested', 'absence.approved']);
    expect(probe.of(a.id, 'absence.approved')[0]!.data).toMatchObject({
      status: 'approved',
      decided_by: t.head.record.user_id,
      user_id: t.alice.record.user_id,
    });
    expect(probe.of(b.id).map((e) => e.type)).toEqual(['absence.requested', 'absence.rejected']);
  });

  it('lets an admin file for anyone and decide; a head may read but not file for a member', async () => {
    const t = await team();
    const base = `/api/v1/staff/${t.bob.record.id}/absences`;
    const a = expectOk(
      await asAdmin(env).post(base, leave('2027-09-01', '2027-09-03', { type: 'sick' })),
      201,
    );
    expect(a.requested_by).toBe('admin-root');
    expect(expectOk(await t.head.as.get(base)).data).toHaveLength(1);
    expectProblem(await t.head.as.post(base, leave('2027-09-10', '2027-09-10')), 403, 'forbidden');
    expect(expectOk(await asAdmin(env).post(`${base}/${a.id}/approve`)).status).toBe('approved');
    const b = expectOk(await asAdmin(env).post(base, leave('2027-09-20', '2027-09-20')), 201);
    const rejected = expectOk(await asAdmin(env).post(`${base}/${b.id}/reject`));
    expect(rejected).toMatchObject({ status: 'rejected', decision_reason: null });
  });

  it('accepts exactly one of several concurrent overlapping requests', async () => {
    const t = await team();
    const base = `/api/v1/staff/${t.alice.record.id}/absences`;
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((d) => t.alice.as.post(base, leave(`2028-01-0${d}`, '2028-01-09'))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(expectOk(await t.alice.as.get(base)).data).toHaveLength(1);
  });

  it('gives instructors the same self-service through their linked record, not their role', async () => {
    const t = await team('instructor');
    const base = `/api/v1/staff/${t.alice.record.id}/absences`;
    const a = expectOk(await t.alice.as.post(base, leave('2027-10-01', '2027-10-01')), 201);
    expect(expectOk(await t.alice.as.get(base)).data).toHaveLength(1);
    expectProblem(await t.bob.as.get(base), 404, 'not_found');
    // A head is a head by the department link, whatever their role.
    expect(expectOk(await t.head.as.post(`${base}/${a.id}/approve`)).status).toBe('approved');
    // A login with no staff record files nothing.
    expectProblem(
      await asRole(env, unique('user'), 'user').post(base, leave('2027-10-05', '2027-10-05')),
      404,
      'not_found',
    );
  });

  it('lists the pending queue: an admin sees all, a head their department’s, a member their own', async () => {
    const t = await team();
    const other = await team();
    const mine = expectOk(
      await t.alice.as.post(`/api/v1/staff/${t.alice.record.id}/absences`, leave('2027-11-01', '2027-11-02')),
      201,
    );
    const bobs = expectOk(
      await t.bob.as.post(`/api/v1/staff/${t.bob.record.id}/absences`, leave('2027-11-01', '2027-11-02')),
      201,
    );
    const foreign = expectOk(
      await other.alice.as.post(
        `/api/v1/staff/${other.alice.record.id}/absences`,
        leave('2027-11-01', '2027-11-02'),
      ),
      201,
    );
    expectOk(await t.head.as.post(`/api/v1/staff/${t.bob.record.id}/absences/${bobs.id}/approve`));

    const ids = async (client: typeof t.head.as, query: string) => {
      const out: string[] = [];
      let url = `/api/v1/absences?${query}&limit=2`;
      for (;;) {
        const page = expectOk(await client.get(url));
        out.push(...page.data.map((x: { id: string }) => x.id));
        if (!page.next_cursor) return out;
        url = `/api/v1/absences?${query}&limit=2&cursor=${page.next_cursor}`;
      }
    };
    expect(await ids(t.head.as, 'status=pending')).toEqual([mine.id]);
    expect(await ids(t.head.as, 'status=approved')).toEqual([bobs.id]);
    expect(await ids(t.alice.as, 'status=pending')).toEqual([mine.id]);
    expect(await ids(t.bob.as, 'status=pending')).toEqual([]);
    const all = await ids(asAdmin(env), `status=pending&department_id=${other.dept.id}`);
    expect(all).toEqual([foreign.id]);
    expect(await ids(asAdmin(env), `staff_id=${t.alice.record.id}`)).toEqual([mine.id]);
    expect(await ids(asRole(env, unique('nobody'), 'user'), 'status=pending')).toEqual([]);
  });
});
