import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import finance from '../src/service.ts';
import { callers, expectProblem, inPast, issue, openAccount, pay, uid, voidInvoice } from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`finance access, statements and reports (${matrixLabel})`, () => {
  let env: TestServices;
  let c: ReturnType<typeof callers>;
  beforeAll(async () => {
    env = await startTestServices([finance], { env: { FINANCE_OVERDUE_INTERVAL_MS: '0' } });
    c = callers(env);
  });
  afterAll(() => env?.stop());

  it("shows a student only their own account, invoices and statement (others' → 404)", async () => {
    const alice = await openAccount(env, c.staff);
    const bob = await openAccount(env, c.staff);
    const aInv = await issue(c.staff, alice.student_id, [100]);
    const bInv = await issue(c.staff, bob.student_id, [200]);
    const asAlice = c.student(alice.user_id!);
    expect((await asAlice.get(`/api/v1/students/${alice.student_id}/account`)).body).toMatchObject({
      balance: 100,
    });
    expectProblem(await asAlice.get(`/api/v1/students/${bob.student_id}/account`), 404, 'not_found');
    expectProblem(await asAlice.get(`/api/v1/students/${bob.student_id}/statement`), 404, 'not_found');
    expectProblem(await asAlice.get(`/api/v1/invoices/${bInv.id}`), 404, 'not_found');
    expect((await asAlice.get(`/api/v1/invoices/${aInv.id}`)).status).toBe(200);
    const list = await asAlice.get('/api/v1/invoices?limit=100');
    expect(list.body.data.map((i: { id: string }) => i.id)).toEqual([aInv.id]);
    const peek = await asAlice.get(`/api/v1/invoices?student_id=${bob.student_id}`);
    expect(peek.body.data).toEqual([]);
    expectProblem(await pay(asAlice, bInv.id, 10), 404, 'not_found');
    expect((await pay(asAlice, aInv.id, 10)).status).toBe(201);
    // students do not issue, void, refund, credit or read school-wide data
    expectProblem(
      await asAlice.post('/api/v1/invoices', {
        student_id: alice.student_id,
        items: [{ description: 'x', amount: 1 }],
        currency: 'KES',
        due_date: '2030-01-01',
      }),
      403,
      'forbidden',
    );
    expect((await asAlice.post(`/api/v1/invoices/${aInv.id}/void`, {})).status).toBe(403);
    expect((await asAlice.get('/api/v1/payments')).status).toBe(403);
    expect((await asAlice.get('/api/v1/finance/summary')).status).toBe(403);
    expect((await asAlice.get('/api/v1/budgets/report?fiscal_year=2026')).status).toBe(403);
  });

  it('answers 403 to an instructor on every finance route', async () => {
    const s = await openAccount(env, c.staff);
    const inv = await issue(c.staff, s.student_id, [100]);
    for (const res of [
      await c.instructor.get(`/api/v1/students/${s.student_id}/account`),
      await c.instructor.get(`/api/v1/students/${s.student_id}/statement`),
      await c.instructor.get('/api/v1/invoices'),
      await c.instructor.get(`/api/v1/invoices/${inv.id}`),
      await pay(c.instructor, inv.id, 10),
      await c.instructor.get('/api/v1/finance/summary'),
      await c.instructor.get('/api/v1/fee-schedules'),
    ])
      expectProblem(res, 403, 'forbidden');
  });

  it('answers the statement as RFC 4180 CSV for Accept: text/csv', async () => {
    const s = await openAccount(env, c.staff);
    const inv = await issue(c.staff, s.student_id, [1000]);
    await pay(c.staff, inv.id, 400);
    await c.staff.post('/api/v1/credit-notes', {
      invoice_id: inv.id,
      amount: 100,
      reason: 'Bursary, "term 1", approved\nby the board',
      kind: 'scholarship',
    });
    const res = await c
      .student(s.user_id!)
      .get(`/api/v1/students/${s.student_id}/statement`, { accept: 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = res.body as string;
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = text.split('\r\n');
    expect(rows[0]).toBe('date,entry_id,kind,invoice_number,description,debit,credit,balance,currency');
    expect(rows[1]).toMatch(
      new RegExp(`^[^,]+,[^,]+,invoice,${inv.number},Invoice ${inv.number},1000,0,1000,KES$`),
    );
    expect(rows[2]).toMatch(/,payment,.*,0,400,600,KES$/);
    expect(text).toContain(
      `,scholarship,${inv.number},"Scholarship on ${inv.number}: Bursary, ""term 1"", approved\nby the board",0,100,500,KES\r\n`,
    );
  });

  it('sums the school per currency and ages what is due', async () => {
    const currency = 'UGX'; // a currency no other test uses, so the totals are this test's alone
    const s = await openAccount(env, c.staff);
    const old = await issue(c.staff, s.student_id, [1000], { currency, due_date: inPast(45) });
    const recent = await issue(c.staff, s.student_id, [500], { currency, due_date: inPast(5) });
    const paid = await issue(c.staff, s.student_id, [300], { currency, due_date: inPast(100) });
    await issue(c.staff, s.student_id, [200], { currency, due_date: '2099-01-01' });
    const voided = await issue(c.staff, s.student_id, [50], { currency });
    await pay(c.staff, paid.id, 300);
    await pay(c.staff, old.id, 100);
    await voidInvoice(c.staff, voided.id);
    await c.admin.post('/api/v1/finance/jobs/mark-overdue', {});
    const sum = await c.staff.get('/api/v1/finance/summary');
    expect(sum.status).toBe(200);
    const ugx = sum.body.currencies.find((x: { currency: string }) => x.currency === currency);
    expect(ugx).toMatchObject({
      invoiced: 2050,
      paid: 400,
      voided: 50,
      outstanding: 1600,
      overdue: 1400,
      counts: { invoices: 5, paid: 1, overdue: 2, issued: 1, void: 1, payments: 2 },
    });
    const aging = await c.staff.get('/api/v1/finance/aging');
    const a = aging.body.currencies.find((x: { currency: string }) => x.currency === currency);
    expect(a).toMatchObject({
      total: 1600,
      buckets: { current: 200, '0-30': 500, '31-60': 900, '61-90': 0, '90+': 0 },
      invoices: { current: 1, '0-30': 1, '31-60': 1, '61-90': 0, '90+': 0 },
    });
    expect(recent.id).toBeTruthy();
  });

  it('keeps budgets per year and category and reports allocated vs spent', async () => {
    const year = 2000 + Math.floor(Math.random() * 90);
    const cat = uid('cat');
    const b = await c.staff.post('/api/v1/budgets', {
      fiscal_year: year,
      category: cat,
      allocated: 10_000,
      currency: 'KES',
    });
    expect(b.status).toBe(201);
    expectProblem(
      await c.staff.post('/api/v1/budgets', {
        fiscal_year: year,
        category: cat,
        allocated: 5,
        currency: 'KES',
      }),
      409,
      'already_exists',
      'category',
    );
    const other = await c.staff.post('/api/v1/budgets', {
      fiscal_year: year,
      category: `${cat}-b`,
      allocated: 100,
      currency: 'KES',
    });
    for (const amount of [4_000, 3_500])
      expect(
        (
          await c.staff.post(`/api/v1/budgets/${b.body.id}/expenses`, {
            amount,
            description: 'Books',
            spent_on: `${year}-03-01`,
          })
        ).status,
      ).toBe(201);
    await c.staff.post(`/api/v1/budgets/${other.body.id}/expenses`, {
      amount: 150,
      description: 'Chalk',
      spent_on: `${year}-03-02`,
    });
    expectProblem(
      await c.staff.post(`/api/v1/budgets/${b.body.id}/expenses`, {
        amount: -1,
        description: 'x',
        spent_on: `${year}-03-01`,
      }),
      422,
      'validation_failed',
      'amount',
    );
    const report = await c.staff.get(`/api/v1/budgets/report?fiscal_year=${year}`);
    expect(report.status).toBe(200);
    expect(report.body.categories).toEqual([
      expect.objectContaining({
        category: cat,
        allocated: 10_000,
        spent: 7_500,
        remaining: 2_500,
        over_budget: false,
        expenses: 2,
      }),
      expect.objectContaining({
        category: `${cat}-b`,
        allocated: 100,
        spent: 150,
        remaining: -50,
        over_budget: true,
      }),
    ]);
  });
});
