import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import finance from '../src/service.ts';
import { balanceOf, callers, expectProblem, issue, openAccount, pay, uid, voidInvoice } from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`finance invoices and payments (${matrixLabel})`, () => {
  let env: TestServices;
  let c: ReturnType<typeof callers>;
  beforeAll(async () => {
    env = await startTestServices([finance], { env: { FINANCE_OVERDUE_INTERVAL_MS: '0' } });
    c = callers(env);
  });
  afterAll(() => env?.stop());

  it('issues an invoice with a number, total and the whole total due, and the account owes it', async () => {
    const s = await openAccount(env, c.staff);
    const res = await c.staff.post('/api/v1/invoices', {
      student_id: s.student_id,
      items: [
        { description: 'Tuition', amount: 150_000 },
        { description: 'Lab fee', amount: 25_000 },
      ],
      currency: 'KES',
      due_date: '2030-01-31',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/v1/invoices/${res.body.id}`);
    expect(res.body).toMatchObject({
      status: 'issued',
      total: 175_000,
      amount_paid: 0,
      balance_due: 175_000,
      currency: 'KES',
      due_date: '2030-01-31',
    });
    expect(res.body.number).toMatch(/^INV-\d{6}$/);
    expect(await balanceOf(c.staff, s.student_id)).toBe(175_000);
  });

  it('refuses a non-positive item amount naming the item, an unknown student and a second currency', async () => {
    const s = await openAccount(env, c.staff);
    const bad = await c.staff.post('/api/v1/invoices', {
      student_id: s.student_id,
      items: [
        { description: 'ok', amount: 10 },
        { description: 'zero', amount: 0 },
      ],
      currency: 'KES',
      due_date: '2030-01-31',
    });
    expectProblem(bad, 422, 'validation_failed', 'items.1.amount');
    const float = await c.staff.post('/api/v1/invoices', {
      student_id: s.student_id,
      items: [{ description: 'float', amount: 10.5 }],
      currency: 'KES',
      due_date: '2030-01-31',
    });
    expectProblem(float, 422, 'validation_failed', 'items.0.amount');
    const unknown = await c.staff.post('/api/v1/invoices', {
      student_id: uid('nobody'),
      items: [{ description: 'x', amount: 10 }],
      currency: 'KES',
      due_date: '2030-01-31',
    });
    expectProblem(unknown, 422, 'validation_failed', 'student_id');
    await issue(c.staff, s.student_id, [100], { currency: 'KES' });
    const usd = await c.staff.post('/api/v1/invoices', {
      student_id: s.student_id,
      items: [{ description: 'x', amount: 10 }],
      currency: 'USD',
      due_date: '2030-01-31',
    });
    expectProblem(usd, 422, 'currency_mismatch', 'currency');
  });

  it('gives 100 parallel invoices 100 distinct consecutive numbers', async () => {
    const s = await openAccount(env, c.staff);
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        c.staff.post('/api/v1/invoices', {
          student_id: s.student_id,
          items: [{ description: 'Fee', amount: 100 }],
          currency: 'KES',
          due_date: '2030-01-31',
        }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const numbers = results.map((r) => Number((r.body.number as string).slice(4))).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(100);
    expect(numbers.at(-1)! - numbers[0]!).toBe(99);
  }, 120_000); // a load test: 2 cores shared by the whole machine

  it('takes two partial payments to paid and the statement balances to zero', async () => {
    const s = await openAccount(env, c.staff);
    const inv = await issue(c.staff, s.student_id, [1000]);
    const first = await pay(c.staff, inv.id, 400);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      amount: 400,
      invoice: { status: 'partially_paid', balance_due: 600 },
    });
    const second = await pay(c.student(s.user_id!), inv.id, 600);
    expect(second.status).toBe(201);
    expect(second.body.invoice).toMatchObject({ status: 'paid', balance_due: 0 });
    const got = await c.staff.get(`/api/v1/invoices/${inv.id}`);
    expect(got.body).toMatchObject({ status: 'paid', amount_paid: 1000, balance_due: 0 });
    const st = await c.student(s.user_id!).get(`/api/v1/students/${s.student_id}/statement`);
    expect(st.status).toBe(200);
    expect(st.body.entries.map((e: { kind: string; balance: number }) => [e.kind, e.balance])).toEqual([
      ['invoice', 1000],
      ['payment', 600],
      ['payment', 0],
    ]);
    expect(st.body.closing_balance).toBe(0);
    expect(await balanceOf(c.staff, s.student_id)).toBe(0);
  });

  it('refuses an overpayment (422 naming amount) and a payment on a paid invoice (409)', async () => {
    const s = await openAccount(env, c.staff);
    const inv = await issue(c.staff, s.student_id, [500]);
    expectProblem(await pay(c.staff, inv.id, 501), 422, 'overpayment', 'amount');
    expectProblem(await pay(c.staff, inv.id, 0), 422, 'validation_failed', 'amount');
    expect((await pay(c.staff, inv.id, 500)).status).toBe(201);
    expectProblem(await pay(c.staff, inv.id, 1), 409, 'invoice_not_payable');
  });

  it('records a payment once for one Idempotency-Key sent three times, and requires the key', async () => {
    const s = await openAccount(env, c.staff);
    const inv = await issue(c.staff, s.student_id, [900]);
    expectProblem(await pay(c.staff, inv.id, 100, null), 400, 'idempotency_key_required', 'Idempotency-Key');
    const key = uid('key');
    const tries = [];
    for (let i = 0; i < 3; i++) tries.push(await pay(c.staff, inv.id, 300, key));
    expect(tries.map((t) => t.status)).toEqual([201, 201, 201]);
    expect(new Set(tries.map((t) => t.body.id)).size).toBe(1);
    expect(tries[1]!.headers.get('idempotent-replayed')).toBe('true');
    const payments = await c.staff.get(`/api/v1/payments?invoice_id=${inv.id}`);
    expect(payments.body.data).toHaveLength(1);
    expect(await balanceOf(c.staff, s.student_id)).toBe(600);
    const st = await c.staff.get(`/api/v1/students/${s.student_id}/statement`);
    expect(st.body.entries.filter((e: { kind: string }) => e.kind === 'payment')).toHaveLength(1);
  });

  it('records a payment once when the same key races itself', async () => {
    const s = await openAccount(env, c.staff);
    const inv = await issue(c.staff, s.student_id, [900]);
    const key = uid('key');
    const results = await Promise.all(Array.from({ length: 5 }, () => pay(c.staff, inv.id, 300, key)));
    // The first wins; the rest are either replays (201) or told the first is still running (409).
    expect(results.every((r) => r.status === 201 || r.body.code === 'idempotency_in_progress')).toBe(true);
    const payments = await c.staff.get(`/api/v1/payments?invoice_id=${inv.id}`);
    expect(payments.body.data).toHaveLength(1);
    expect(await balanceOf(c.staff, s.student_id)).toBe(600);
  });

  it('lets exactly 10 of 50 parallel payments of 100 settle an invoice of 1,000', async () => {
    const s = await openAccount(env, c.staff);
    const inv = await issue(c.staff, s.student_id, [1000]);
    const results = await Promise.all(Array.from({ length: 50 }, () => pay(c.staff, inv.id, 100)));
    const ok = results.filter((r) => r.status === 201);
    expect(ok).toHaveLength(10);
    for (const r of results.filter((x) => x.status !== 201))
      expect(['overpayment', 'invoice_not_payable']).toContain(r.body.code);
    const got = await c.staff.get(`/api/v1/invoices/${inv.id}`);
    expect(got.body).toMatchObject({ status: 'paid', amount_paid: 1000, balance_due: 0 });
    expect(await balanceOf(c.staff, s.student_id)).toBe(0);
  }, 120_000); // a load test: 2 cores shared by the whole machine

  it('voids only an invoice without payments, reversing it in the ledger', async () => {
    const s = await openAccount(env, c.staff);
    const a = await issue(c.staff, s.student_id, [700]);
    const b = await issue(c.staff, s.student_id, [300]);
    // Voiding costs money if it acts on a stale view: If-Match is required (428 without).
    expectProblem(await c.staff.post(`/api/v1/invoices/${a.id}/void`, {}), 428, 'precondition_required');
    const voided = await voidInvoice(c.staff, a.id);
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ status: 'void', balance_due: 0 });
    expectProblem(await voidInvoice(c.staff, a.id), 409, 'invalid_state');
    expectProblem(await pay(c.staff, a.id, 100), 409, 'invoice_not_payable');
    expect((await pay(c.staff, b.id, 100)).status).toBe(201);
    expectProblem(await voidInvoice(c.staff, b.id), 409, 'invalid_state');
    expect(await balanceOf(c.staff, s.student_id)).toBe(200);
  });

  it('refunds at most what was paid, and the refunded amount is owed again', async () => {
    const s = await openAccount(env, c.staff);
    const inv = await issue(c.staff, s.student_id, [1000]);
    const p = (await pay(c.staff, inv.id, 1000)).body;
    const refund = await c.staff.post(`/api/v1/payments/${p.id}/refunds`, {
      amount: 400,
      reason: 'Overcharged',
    });
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({
      amount: 400,
      refundable_remaining: 600,
      invoice: { status: 'partially_paid', balance_due: 400 },
    });
    expect(await balanceOf(c.staff, s.student_id)).toBe(400);
    expectProblem(
      await c.staff.post(`/api/v1/payments/${p.id}/refunds`, { amount: 601, reason: 'too much' }),
      422,
      'refund_exceeds_payment',
      'amount',
    );
    // forgive what was refunded: a credit note brings the balance back to zero
    const credit = await c.staff.post('/api/v1/credit-notes', {
      invoice_id: inv.id,
      amount: 400,
      reason: 'Goodwill',
    });
    expect(credit.status).toBe(201);
    expect(credit.body.invoice).toMatchObject({ status: 'paid', balance_due: 0 });
    expect(await balanceOf(c.staff, s.student_id)).toBe(0);
    expectProblem(
      await c.staff.post(`/api/v1/credit-notes`, { invoice_id: inv.id, amount: 1, reason: 'more' }),
      409,
      'invalid_state',
    );
  });

  it('credits and scholarships reduce what is owed, never below zero', async () => {
    const s = await openAccount(env, c.staff);
    const inv = await issue(c.staff, s.student_id, [1000]);
    const sch = await c.staff.post('/api/v1/credit-notes', {
      invoice_id: inv.id,
      amount: 250,
      reason: 'Merit scholarship',
      kind: 'scholarship',
    });
    expect(sch.status).toBe(201);
    expect(sch.body).toMatchObject({ kind: 'scholarship', invoice: { balance_due: 750 } });
    expectProblem(
      await c.staff.post('/api/v1/credit-notes', { invoice_id: inv.id, amount: 751, reason: 'x' }),
      422,
      'credit_exceeds_balance',
      'amount',
    );
    const rest = await c.staff.post('/api/v1/credit-notes', {
      invoice_id: inv.id,
      amount: 750,
      reason: 'Waived',
    });
    expect(rest.body.invoice).toMatchObject({ status: 'credited', balance_due: 0 });
    expect(await balanceOf(c.staff, s.student_id)).toBe(0);
  });
});
