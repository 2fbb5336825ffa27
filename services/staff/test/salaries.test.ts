import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import staffService from '../src/service.ts';
import { asAdmin, asRole, expectOk, expectProblem, newDepartment, newStaff, unique } from './helpers.ts';

const skip = await matrixUnavailable();

/** A calendar day `days` from today (UTC), as the service counts days. */
const dayFromToday = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe.skipIf(skip)(`salaries (${matrixLabel})`, () => {
  let env: TestServices;
  let dept: { id: string };
  beforeAll(async () => {
    env = await startTestServices([staffService]);
    dept = await newDepartment(env);
  });
  afterAll(() => env?.stop());

  const pay = (staffId: string, body: Record<string, unknown>) =>
    asAdmin(env).post(`/api/v1/staff/${staffId}/salaries`, body);

  it('records salaries; the current one is the latest effective date not in the future', async () => {
    const s = await newStaff(env, dept.id);
    const res = await pay(s.id, { amount: 100_000, currency: 'KES', effective_date: '2024-01-01' });
    const first = expectOk(res, 201);
    expect(res.headers.get('location')).toBe(`/api/v1/staff/${s.id}/salaries/${first.id}`);
    expect(first).toMatchObject({
      staff_id: s.id,
      amount: 100_000,
      currency: 'KES',
      effective_date: '2024-01-01',
    });
    expectOk(await pay(s.id, { amount: 120_000, currency: 'KES', effective_date: dayFromToday(-1) }), 201);
    expectOk(await pay(s.id, { amount: 999_999, currency: 'KES', effective_date: dayFromToday(30) }), 201);

    const record = expectOk(await asAdmin(env).get(`/api/v1/staff/${s.id}`));
    expect(record.current_salary).toMatchObject({
      amount: 120_000,
      currency: 'KES',
      effective_date: dayFromToday(-1),
    });

    const history = expectOk(await asAdmin(env).get(`/api/v1/staff/${s.id}/salaries`));
    expect(history.data.map((x: { amount: number }) => x.amount)).toEqual([999_999, 120_000, 100_000]);
    expect(expectOk(await asAdmin(env).get(`/api/v1/staff/${s.id}/salaries/${first.id}`)).id).toBe(first.id);
  });

  it('shows no current salary while the only one is future-dated, and today’s counts', async () => {
    const s = await newStaff(env, dept.id);
    expectOk(await pay(s.id, { amount: 50_000, currency: 'USD', effective_date: dayFromToday(2) }), 201);
    expect(expectOk(await asAdmin(env).get(`/api/v1/staff/${s.id}`)).current_salary).toBeNull();
    expectOk(await pay(s.id, { amount: 40_000, currency: 'USD', effective_date: dayFromToday(0) }), 201);
    expect(expectOk(await asAdmin(env).get(`/api/v1/staff/${s.id}`)).current_salary.amount).toBe(40_000);
    const listed = expectOk(await asAdmin(env).get(`/api/v1/staff?department_id=${dept.id}&limit=100`));
    expect(listed.data.find((x: { id: string }) => x.id === s.id).current_salary.amount).toBe(40_000);
  });

  it('pages the salary history', async () => {
    const s = await newStaff(env, dept.id);
    for (let m = 1; m <= 5; m++) {
      expectOk(await pay(s.id, { amount: m * 1000, currency: 'KES', effective_date: `2023-0${m}-01` }), 201);
    }
    const amounts: number[] = [];
    let url = `/api/v1/staff/${s.id}/salaries?limit=2`;
    for (;;) {
      const page = expectOk(await asAdmin(env).get(url));
      amounts.push(...page.data.map((x: { amount: number }) => x.amount));
      if (!page.next_cursor) break;
      url = `/api/v1/staff/${s.id}/salaries?limit=2&cursor=${page.next_cursor}`;
    }
    expect(amounts).toEqual([5000, 4000, 3000, 2000, 1000]);
  });

  it('answers 422 naming the field to a non-positive, fractional or huge amount, a bad currency or date', async () => {
    const s = await newStaff(env, dept.id);
    const ok = { amount: 1000, currency: 'KES', effective_date: '2025-01-01' };
    const cases: [string, Record<string, unknown>][] = [
      ['amount', { amount: 0 }],
      ['amount', { amount: -5 }],
      ['amount', { amount: 10.5 }],
      ['amount', { amount: '1000' }],
      ['amount', { amount: 2 ** 60 }],
      ['currency', { currency: 'kes' }],
      ['currency', { currency: 'KENYA' }],
      ['effective_date', { effective_date: '2025-13-01' }],
    ];
    for (const [field, bad] of cases) {
      expectProblem(await pay(s.id, { ...ok, ...bad }), 422, 'validation_failed', field);
    }
    expectProblem(await pay('no-such-staff', ok), 404, 'not_found');
  });

  it('refuses a salary for an inactive staff member (409)', async () => {
    const s = await newStaff(env, dept.id);
    expect((await asAdmin(env).delete(`/api/v1/staff/${s.id}`)).status).toBe(204);
    expectProblem(
      await pay(s.id, { amount: 1, currency: 'KES', effective_date: '2025-01-01' }),
      409,
      'invalid_state',
    );
  });

  it('lets a staff member read only their own salary history; others get 404, writes 403', async () => {
    const meId = unique('me');
    const me = await newStaff(env, dept.id, { user_id: meId });
    const colleague = await newStaff(env, dept.id);
    expectOk(await pay(me.id, { amount: 70_000, currency: 'KES', effective_date: '2025-01-01' }), 201);
    expectOk(await pay(colleague.id, { amount: 80_000, currency: 'KES', effective_date: '2025-01-01' }), 201);

    for (const role of ['staff', 'instructor']) {
      const caller = asRole(env, meId, role);
      expect(expectOk(await caller.get(`/api/v1/staff/${me.id}/salaries`)).data).toHaveLength(1);
      expect(expectOk(await caller.get('/api/v1/staff/me')).current_salary.amount).toBe(70_000);
      expectProblem(await caller.get(`/api/v1/staff/${colleague.id}/salaries`), 404, 'not_found');
      expectProblem(
        await caller.post(`/api/v1/staff/${me.id}/salaries`, {
          amount: 1,
          currency: 'KES',
          effective_date: '2025-01-01',
        }),
        403,
        'forbidden',
      );
    }
    const staffView = expectOk(await asRole(env, meId, 'staff').get(`/api/v1/staff/${colleague.id}`));
    expect(staffView).not.toHaveProperty('current_salary');
  });
});
