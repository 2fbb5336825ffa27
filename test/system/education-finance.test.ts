/**
 * School fees end to end, through the gateway (issue "Education II"): an enrolment issues its
 * invoice by event, payments settle it, the statement balances to zero and the student is told
 * at each step; a dropped enrolment ends in a credit; races cannot overpay or skip a number; a
 * retried payment is recorded once. And staff absences: nobody approves their own, a decision
 * is final, another person's absence is not there.
 */
import { ifMatchOf } from '@portico/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';
import {
  createCourse,
  createInstructor,
  createStudent,
  enrol,
  notificationsOf,
  uid,
  type Student,
} from './school.ts';

const skip = await systemUnavailable();

describe.skipIf(skip)(`school fees and staff through the gateway (${systemMode})`, () => {
  let sys: System;
  let admin: Session;
  let amina: Student;
  let brian: Student;

  beforeAll(async () => {
    sys = await startSystem({ services: ['students', 'curriculum', 'staff', 'finance', 'notifications'] });
    admin = await sys.admin();
    [amina, brian] = await Promise.all([createStudent(sys, admin), createStudent(sys, admin)]);
  }, 240_000);
  afterAll(() => sys?.stop());

  const invoiceFor = (student: Student, enrollmentId?: string) =>
    sys.eventually(async () => {
      const res = await student.session.client.get(`/api/v1/invoices?student_id=${student.id}`);
      const list = (res.body.data ?? []) as { id: string; enrollment_id?: string | null; status: string }[];
      return list.find((i) => enrollmentId === undefined || i.enrollment_id === enrollmentId) ?? null;
    }, 20_000);
  /** The student's notifications about one invoice, once there are at least `count` of them. */
  const toldAbout = (student: Student, invoiceId: string, count: number) =>
    sys.eventually(async () => {
      const list = (await notificationsOf(student.session)).filter((n) => n.data?.invoice_id === invoiceId);
      return list.length >= count ? list : null;
    }, 20_000);
  const pay = (who: Session, invoiceId: string, amount: number, key = `pay-${uid()}-${uid()}`) =>
    who.client.post(
      `/api/v1/invoices/${invoiceId}/payments`,
      { amount, method: 'mpesa', reference: `MP-${key}` },
      { 'idempotency-key': key },
    );

  it('enrol → invoice issued by event → two partial payments → paid → statement balances to zero, student told each step', async () => {
    const course = await createCourse(sys, admin);
    const fee = await admin.client.post('/api/v1/fee-schedules', {
      course_id: course.id,
      amount: 150_000,
      currency: 'KES',
    });
    expect(fee.status, JSON.stringify(fee.body)).toBe(201);
    const e = await enrol(sys, amina.session, amina.id, course.id);
    const invoice = await invoiceFor(amina, e.id);
    expect(invoice.status).toBe('issued');

    const first = await pay(amina.session, invoice.id, 50_000);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const mid = await amina.session.client.get(`/api/v1/invoices/${invoice.id}`);
    expect(mid.body).toMatchObject({ status: 'partially_paid', amount_paid: 50_000, balance_due: 100_000 });
    const over = await pay(amina.session, invoice.id, 100_001);
    expect(over.status).toBe(422);
    expect((await pay(amina.session, invoice.id, 100_000)).status).toBe(201);
    const paid = await amina.session.client.get(`/api/v1/invoices/${invoice.id}`);
    expect(paid.body).toMatchObject({ status: 'paid', balance_due: 0 });
    expect((await pay(amina.session, invoice.id, 1)).status).toBe(409);

    const statement = await amina.session.client.get(`/api/v1/students/${amina.id}/statement`);
    expect(statement.status).toBe(200);
    const entries = statement.body.entries as { balance: number }[];
    expect(entries.length).toBeGreaterThanOrEqual(3);
    expect(entries.at(-1)!.balance).toBe(0);
    const csv = await amina.session.client.get(`/api/v1/students/${amina.id}/statement`, {
      accept: 'text/csv',
    });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(String(csv.body).split('\n')[0]).toMatch(/balance/i);

    const account = await sys.eventually(async () => {
      const res = await amina.session.client.get(`/api/v1/students/${amina.id}/account`);
      return res.status === 200 ? res.body : null;
    });
    expect(account).toMatchObject({ balance: 0, currency: 'KES' });
    // The students profile shows the balance too (from account.balance_changed).
    await sys.eventually(async () => {
      const res = await amina.session.client.get(`/api/v1/students/${amina.id}/profile`);
      return res.body.account?.balance === 0 && res.body.account?.currency === 'KES';
    });
    // Invoice issued, two payments received, invoice paid: the student was told each step, once.
    const told = await toldAbout(amina, invoice.id, 4);
    expect(told.map((n) => n.type).sort()).toEqual([
      'invoice.issued',
      'invoice.paid',
      'payment.received',
      'payment.received',
    ]);
    expect(told.find((n) => n.type === 'invoice.paid')!.title).toMatch(/^Invoice INV-\d{6} paid$/);

    // Another student sees none of it; an instructor may not look at fees at all.
    expect((await brian.session.client.get(`/api/v1/invoices/${invoice.id}`)).status).toBe(404);
    expect((await brian.session.client.get(`/api/v1/students/${amina.id}/statement`)).status).toBe(404);
    expect((await brian.session.client.get(`/api/v1/students/${amina.id}/account`)).status).toBe(404);
    const teacher = await createInstructor(sys, admin);
    expect((await teacher.session.client.get('/api/v1/invoices')).status).toBe(403);
  });

  it('a dropped enrolment before payment ends with the invoice credited and nothing owed', async () => {
    const course = await createCourse(sys, admin);
    await admin.client.post('/api/v1/fee-schedules', {
      course_id: course.id,
      amount: 80_000,
      currency: 'KES',
    });
    const e = await enrol(sys, admin, brian.id, course.id);
    const invoice = await invoiceFor(brian, e.id);
    expect((await admin.client.delete(`/api/v1/enrollments/${e.id}`)).status).toBeLessThan(300);
    await sys.eventually(async () => {
      const res = await brian.session.client.get(`/api/v1/invoices/${invoice.id}`);
      return res.body.balance_due === 0 && res.body.status !== 'issued';
    });
    const account = await brian.session.client.get(`/api/v1/students/${brian.id}/account`);
    expect(account.body.balance).toBe(0);
  });

  it('50 parallel payments of 100 against 1,000: exactly 10 succeed and the balance is 0', async () => {
    const created = await admin.client.post('/api/v1/invoices', {
      student_id: amina.id,
      currency: 'KES',
      due_date: '2027-01-31',
      items: [{ description: 'Lab fee', amount: 1_000 }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const results = await Promise.all(Array.from({ length: 50 }, () => pay(admin, created.body.id, 100)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status >= 500)).toHaveLength(0);
    const after = await admin.client.get(`/api/v1/invoices/${created.body.id}`);
    expect(after.body).toMatchObject({ status: 'paid', amount_paid: 1_000, balance_due: 0 });
  });

  it('100 parallel invoice creations get 100 distinct consecutive numbers', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        admin.client.post('/api/v1/invoices', {
          student_id: brian.id,
          currency: 'KES',
          due_date: '2027-02-28',
          items: [{ description: `Trip ${i}`, amount: 500 }],
        }),
      ),
    );
    expect(
      results.filter((r) => r.status !== 201).map((r) => `${r.status} ${JSON.stringify(r.body)}`),
    ).toEqual([]);
    const numbers = results
      .map((r) => Number(String(r.body.number).replace(/^INV-/, '')))
      .sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(100);
    expect(numbers.at(-1)! - numbers[0]!).toBe(99);
  });

  it('the same payment sent three times with one Idempotency-Key is recorded once', async () => {
    const inv = await admin.client.post('/api/v1/invoices', {
      student_id: amina.id,
      currency: 'KES',
      due_date: '2027-03-31',
      items: [{ description: 'Uniform', amount: 3_000 }],
    });
    const key = `retry-${uid()}-${uid()}`;
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await pay(admin, inv.body.id, 1_000, key));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const after = await admin.client.get(`/api/v1/invoices/${inv.body.id}`);
    expect(after.body.amount_paid).toBe(1_000);
    const noKey = await admin.client.post(`/api/v1/invoices/${inv.body.id}/payments`, {
      amount: 1,
      method: 'cash',
    });
    expect(noKey.status).toBe(400);
    expect(noKey.body.code).toBe('idempotency_key_required');
  });

  it('tells the student when an invoice is voided, a payment refunded and an invoice overdue', async () => {
    const invoice = (description: string, due_date = '2027-04-30') =>
      admin.client.post('/api/v1/invoices', {
        student_id: brian.id,
        currency: 'KES',
        due_date,
        items: [{ description, amount: 20_000 }],
      });
    const voided = await invoice('Bus fare');
    const current = await ifMatchOf(admin.client, `/api/v1/invoices/${voided.body.id}`);
    expect(
      (await admin.client.post(`/api/v1/invoices/${voided.body.id}/void`, undefined, current)).status,
    ).toBe(200);
    const refunded = await invoice('Library deposit');
    const paid = await pay(admin, refunded.body.id, 20_000);
    expect(paid.status).toBe(201);
    const refund = await admin.client.post(`/api/v1/payments/${paid.body.id}/refunds`, {
      amount: 5_000,
      reason: 'Deposit partly returned',
    });
    expect(refund.status, JSON.stringify(refund.body)).toBe(201);
    const late = await invoice('Exam fee', '2026-01-15');
    expect(late.status, JSON.stringify(late.body)).toBe(201);
    const job = await admin.client.post('/api/v1/finance/jobs/mark-overdue', {});
    expect(job.status, JSON.stringify(job.body)).toBe(200);
    expect(job.body.invoice_ids).toContain(late.body.id);

    const types = async (id: string, count: number) =>
      (await toldAbout(brian, id, count)).map((n) => n.type).sort();
    expect(await types(voided.body.id, 2)).toEqual(['invoice.issued', 'invoice.voided']);
    expect(await types(refunded.body.id, 4)).toEqual([
      'invoice.issued',
      'invoice.paid',
      'payment.received',
      'payment.refunded',
    ]);
    expect(await types(late.body.id, 2)).toEqual(['invoice.issued', 'invoice.overdue']);
    // The fees are Brian's business only.
    const others = await notificationsOf(amina.session);
    expect(
      others.filter((n) => [voided, refunded, late].some((i) => n.data?.invoice_id === i.body.id)),
    ).toEqual([]);
  });

  it('staff absences: nobody approves their own (403), a decision is final (409), others’ are not there (404)', async () => {
    const t1 = await createInstructor(sys, admin);
    const t2 = await createInstructor(sys, admin);
    const filed = await t1.session.client.post(`/api/v1/staff/${t1.staffId}/absences`, {
      start_date: '2027-01-10',
      end_date: '2027-01-12',
      reason: 'Conference',
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const own = await t1.session.client.post(`/api/v1/staff/${t1.staffId}/absences/${filed.body.id}/approve`);
    expect(own.status).toBe(403);
    expect((await t2.session.client.get(`/api/v1/staff/${t1.staffId}/absences`)).status).toBe(404);
    const approve = () => admin.client.post(`/api/v1/staff/${t1.staffId}/absences/${filed.body.id}/approve`);
    expect((await approve()).status).toBe(200);
    const again = await approve();
    expect(again.status).toBe(409);
    const second = await t1.session.client.post(`/api/v1/staff/${t1.staffId}/absences`, {
      start_date: '2027-03-01',
      end_date: '2027-03-02',
      reason: 'Family',
    });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(
      (await admin.client.post(`/api/v1/staff/${t1.staffId}/absences/${second.body.id}/reject`)).status,
    ).toBe(200);
    // The absent teacher is told of each request and decision; nobody else is.
    const told = await sys.eventually(async () => {
      const list = (await notificationsOf(t1.session)).filter((n) => n.type?.startsWith('absence.'));
      return list.length >= 4 ? list : null;
    }, 20_000);
    expect(told.map((n) => n.type).sort()).toEqual([
      'absence.approved',
      'absence.rejected',
      'absence.requested',
      'absence.requested',
    ]);
    expect((await notificationsOf(t2.session)).filter((n) => n.type?.startsWith('absence.'))).toEqual([]);
    const backwards = await t1.session.client.post(`/api/v1/staff/${t1.staffId}/absences`, {
      start_date: '2027-02-10',
      end_date: '2027-02-01',
      reason: 'Typo',
    });
    expect(backwards.status).toBe(422);
    expect(backwards.body.errors[0].field).toBe('end_date');
  });
});
