import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  type TestResponse,
  type TestServices,
} from '@portico/kit/testing';
import students from '../src/service.ts';
import { as, createStudent, expectOk, expectProblem, newNumber } from './helpers.ts';

const skip = await matrixUnavailable();

interface Listed {
  id: string;
  full_name: string;
  student_number: string;
  email: string;
  status: string;
  created_at: string;
}

describe.skipIf(skip)(`listing students (${matrixLabel})`, () => {
  let env: TestServices;
  /** A word only this file's cohort carries in its emails, so `q` isolates it. */
  const cohort = `c${randomBytes(3).toString('hex')}`;
  const names = [
    'Wanjiru Mwangi',
    'amina odhiambo',
    'Brian Otieno',
    'Zawadi Njeri',
    'Chege Kariuki',
    'Baraka Ochieng',
    'esther Achieng',
  ];
  const made: Listed[] = [];

  /** Every page of a list, following `next_cursor` (and checking the `Link` header agrees). */
  async function allPages(query: string, limit: number): Promise<{ rows: Listed[]; pages: number }> {
    const rows: Listed[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/students?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res: TestResponse = await as(env, 'instructor').get(url);
      const page: { data: Listed[]; has_more: boolean; next_cursor: string | null } = expectOk(res);
      pages += 1;
      expect(page.data.length).toBeLessThanOrEqual(limit);
      rows.push(...page.data);
      cursor = page.next_cursor;
      expect(page.has_more).toBe(cursor !== null);
      if (cursor) expect(res.headers.get('link')).toContain('rel="next"');
      else expect(res.headers.get('link')).not.toContain('rel="next"');
    } while (cursor);
    return { rows, pages };
  }

  beforeAll(async () => {
    env = await startTestServices([students]);
    for (const [i, full_name] of names.entries()) {
      made.push(
        await createStudent(env, {
          full_name,
          email: `${full_name.split(' ')[0]!.toLowerCase()}.${cohort}@school.ac.ke`,
          student_number: newNumber(i % 2 === 0 ? 'KE' : 'UG'),
        }),
      );
    }
    await as(env, 'staff').patch(`/api/v1/students/${made[3]!.id}`, { status: 'graduated' });
    await as(env, 'staff').patch(`/api/v1/students/${made[5]!.id}`, { status: 'graduated' });
  });
  afterAll(() => env?.stop());

  it('sorts by full_name ignoring case, across pages, with no row twice or missed', async () => {
    const { rows, pages } = await allPages(`q=${cohort}&sort=full_name`, 2);
    expect(pages).toBe(4);
    expect(rows.map((r) => r.full_name)).toEqual(
      [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)),
    );
    const desc = await allPages(`q=${cohort}&sort=-full_name`, 3);
    expect(desc.rows.map((r) => r.full_name)).toEqual(rows.map((r) => r.full_name).reverse());
  });

  it('sorts by student_number and by -created_at (the default)', async () => {
    const byNumber = await allPages(`q=${cohort}&sort=student_number`, 3);
    expect(byNumber.rows.map((r) => r.student_number)).toEqual(made.map((s) => s.student_number).sort());
    const newest = await allPages(`q=${cohort}`, 2);
    expect(newest.rows.map((r) => r.id)).toEqual(made.map((s) => s.id).reverse());
    const oldest = await allPages(`q=${cohort}&sort=created_at`, 4);
    expect(oldest.rows.map((r) => r.id)).toEqual(made.map((s) => s.id));
  });

  it('searches name, email and number case-insensitively by "contains"', async () => {
    const find = async (q: string) =>
      expectOk(await as(env, 'staff').get(`/api/v1/students?q=${encodeURIComponent(q)}&limit=100`)).data.map(
        (r: Listed) => r.id,
      );
    expect(await find(`ACHIENG`)).toContain(made[6]!.id);
    expect(await find(`${cohort.toUpperCase()}@SCHOOL`)).toHaveLength(names.length);
    expect(await find(made[2]!.student_number.toLowerCase())).toEqual([made[2]!.id]);
    expect(await find(`zawadi.${cohort}`)).toEqual([made[3]!.id]);
    // LIKE wildcards match only themselves.
    expect(await find(`%${cohort}`)).toEqual([]);
    expect(await find(`_awadi.${cohort}`)).toEqual([]);
    expectProblem(
      await as(env, 'staff').get(`/api/v1/students?q=${'x'.repeat(101)}`),
      422,
      'validation_failed',
      'q',
    );
  });

  it('filters by status, combined with the search and the sort', async () => {
    const graduated = await allPages(`q=${cohort}&status=graduated&sort=full_name`, 1);
    expect(graduated.rows.map((r) => r.full_name)).toEqual(['Baraka Ochieng', 'Zawadi Njeri']);
    const active = await allPages(`q=${cohort}&status=active`, 10);
    expect(active.rows).toHaveLength(names.length - 2);
    expect(active.rows.every((r) => r.status === 'active')).toBe(true);
  });

  it('refuses a bad sort, status, limit or a cursor from another sort (422 naming the parameter)', async () => {
    const staff = as(env, 'staff');
    expectProblem(await staff.get('/api/v1/students?sort=email'), 422, 'validation_failed', 'sort');
    expectProblem(await staff.get('/api/v1/students?status=expelled'), 422, 'validation_failed', 'status');
    expectProblem(await staff.get('/api/v1/students?limit=0'), 422, 'validation_failed', 'limit');
    expectProblem(await staff.get('/api/v1/students?limit=101'), 422, 'validation_failed', 'limit');
    const first = expectOk(await staff.get(`/api/v1/students?q=${cohort}&sort=full_name&limit=1`));
    expectProblem(
      await staff.get(`/api/v1/students?q=${cohort}&sort=student_number&cursor=${first.next_cursor}`),
      422,
      'validation_failed',
      'cursor',
    );
    expectProblem(await staff.get('/api/v1/students?cursor=garbage'), 422, 'validation_failed', 'cursor');
  });
});
