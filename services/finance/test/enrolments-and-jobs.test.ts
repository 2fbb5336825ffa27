import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, type EventEnvelope } from '@portico/kit';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import finance from '../src/service.ts';
import {
  balanceOf,
  callers,
  enrollment,
  inPast,
  issue,
  openAccount,
  pay,
  studentData,
  uid,
} from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`finance enrolment invoices and the overdue job (${matrixLabel})`, () => {
  let env: TestServices;
  let c: ReturnType<typeof callers>;
  const events: EventEnvelope<any>[] = [];
  beforeAll(async () => {
    env = await startTestServices([finance], { env: { FINANCE_OVERDUE_INTERVAL_MS: '0' } });
    c = callers(env);
    await env.bus.subscribe(
      {
        consumer: `finance-test-probe-${uid('p')}`,
        types: [
          'invoice.issued',
          'invoice.overdue',
          'invoice.paid',
          'invoice.voided',
          'account.balance_changed',
        ],
      },
      async (ev) => {
        events.push(ev);
      },
    );
  });
  afterAll(() => env?.stop());

  const feeFor = async (amount = 50_000) => {
    const course = uid('course');
    const res = await c.staff.post('/api/v1/fee-schedules', { course_id: course, amount, currency: 'KES' });
    expect(res.status).toBe(201);
    return course;
  };
  const invoicesOf = async (studentId: string) =>
    (await c.staff.get(`/api/v1/invoices?student_id=${studentId}`)).body.data as {
      id: string;
      status: string;
      balance_due: number;
      enrollment_id: string | null;
      total: number;
    }[];

  it('issues the invoice for an enrolment exactly once, even when the event is delivered twice', async () => {
    const s = await openAccount(env, c.staff);
    const course = await feeFor(50_000);
    const e = enrollment(s.student_id, course, { user_id: s.user_id });
    const ev = makeEvent('curriculum', 'enrollment.created', e, { subject: e.enrollment_id });
    await env.bus.publish(ev);
    await env.bus.publish(ev);
    // a second envelope for the same enrolment (a replayed outbox row) changes nothing either
    await env.bus.publish(makeEvent('curriculum', 'enrollment.created', e, { subject: e.enrollment_id }));
    const [inv] = await env.eventually(async () => {
      const list = await invoicesOf(s.student_id);
      return list.length > 0 ? list : null;
    });
    expect(inv).toMatchObject({ enrollment_id: e.enrollment_id, total: 50_000, status: 'issued' });
    // a marker enrolment in another course proves the earlier deliveries were all handled
    const marker = enrollment(s.student_id, await feeFor(1), { user_id: s.user_id });
    await env.bus.publish(
      makeEvent('curriculum', 'enrollment.created', marker, { subject: marker.enrollment_id }),
    );
    await env.eventually(async () => (await invoicesOf(s.student_id)).length === 2);
    expect((await invoicesOf(s.student_id)).filter((i) => i.enrollment_id === e.enrollment_id)).toHaveLength(
      1,
    );
    expect(await balanceOf(c.staff, s.student_id)).toBe(50_001);
  });

  it('ignores an enrolment in a course without a fee schedule', async () => {
    const s = await openAccount(env, c.staff);
    const e = enrollment(s.student_id, uid('free-course'));
    await env.bus.publish(makeEvent('curriculum', 'enrollment.created', e, { subject: e.enrollment_id }));
    const marker = enrollment(s.student_id, await feeFor(10));
    await env.bus.publish(
      makeEvent('curriculum', 'enrollment.created', marker, { subject: marker.enrollment_id }),
    );
    await env.eventually(async () => (await invoicesOf(s.student_id)).length === 1);
    expect((await invoicesOf(s.student_id))[0]!.enrollment_id).toBe(marker.enrollment_id);
  });

  it('credits the whole invoice when the enrolment is dropped before any payment', async () => {
    const s = await openAccount(env, c.staff);
    const e = enrollment(s.student_id, await feeFor(30_000));
    await env.bus.publish(makeEvent('curriculum', 'enrollment.created', e, { subject: e.enrollment_id }));
    await env.eventually(async () => (await invoicesOf(s.student_id)).length === 1);
    await env.bus.publish(makeEvent('curriculum', 'enrollment.dropped', e, { subject: e.enrollment_id }));
    const [inv] = await env.eventually(async () => {
      const list = await invoicesOf(s.student_id);
      return list[0]?.status === 'credited' ? list : null;
    });
    expect(inv).toMatchObject({ balance_due: 0 });
    expect(await balanceOf(c.staff, s.student_id)).toBe(0);
    const st = await c.staff.get(`/api/v1/students/${s.student_id}/statement`);
    expect(st.body.entries.map((x: { kind: string }) => x.kind)).toEqual(['invoice', 'credit_note']);
  });

  it('credits only the unpaid remainder when the enrolment is dropped after a partial payment', async () => {
    const s = await openAccount(env, c.staff);
    const e = enrollment(s.student_id, await feeFor(30_000));
    await env.bus.publish(makeEvent('curriculum', 'enrollment.created', e, { subject: e.enrollment_id }));
    const [inv] = await env.eventually(async () => {
      const list = await invoicesOf(s.student_id);
      return list.length ? list : null;
    });
    expect((await pay(c.staff, inv!.id, 10_000)).status).toBe(201);
    await env.bus.publish(makeEvent('curriculum', 'enrollment.dropped', e, { subject: e.enrollment_id }));
    const got = await env.eventually(async () => {
      const r = await c.staff.get(`/api/v1/invoices/${inv!.id}`);
      return r.body.balance_due === 0 ? r.body : null;
    });
    expect(got).toMatchObject({ status: 'paid', amount_paid: 10_000, amount_credited: 20_000 });
    expect(await balanceOf(c.staff, s.student_id)).toBe(0);
  });

  it('opens the account from an enrolment that arrives before student.created', async () => {
    const s = studentData();
    const e = enrollment(s.student_id, await feeFor(5_000), { user_id: s.user_id });
    await env.bus.publish(makeEvent('curriculum', 'enrollment.created', e, { subject: e.enrollment_id }));
    await env.eventually(async () => (await invoicesOf(s.student_id)).length === 1);
    await env.bus.publish(makeEvent('students', 'student.created', s, { subject: s.student_id }));
    const own = await env.eventually(async () => {
      const r = await c.student(s.user_id!).get(`/api/v1/students/${s.student_id}/account`);
      return r.status === 200 ? r.body : null;
    });
    expect(own).toMatchObject({ balance: 5_000, currency: 'KES' });
  });

  it('marks an invoice overdue once its due date passed, publishing invoice.overdue once', async () => {
    const s = await openAccount(env, c.staff);
    const late = await issue(c.staff, s.student_id, [800], { due_date: inPast(3) });
    const paidLate = await issue(c.staff, s.student_id, [200], { due_date: inPast(3) });
    const notYet = await issue(c.staff, s.student_id, [100]);
    expect((await pay(c.staff, paidLate.id, 200)).status).toBe(201);
    const run = await c.admin.post('/api/v1/finance/jobs/mark-overdue', {});
    expect(run.status).toBe(200);
    expect(run.body.invoice_ids).toContain(late.id);
    expect(run.body.invoice_ids).not.toContain(paidLate.id);
    expect(run.body.invoice_ids).not.toContain(notYet.id);
    const again = await c.admin.post('/api/v1/finance/jobs/mark-overdue', {});
    expect(again.body.invoice_ids).not.toContain(late.id);
    expect((await c.staff.get(`/api/v1/invoices/${late.id}`)).body).toMatchObject({ status: 'overdue' });
    // still payable; a partial payment keeps it overdue, the rest settles it
    expect((await pay(c.staff, late.id, 300)).body.invoice).toMatchObject({
      status: 'overdue',
      balance_due: 500,
    });
    expect((await pay(c.staff, late.id, 500)).body.invoice).toMatchObject({ status: 'paid' });
    await env.eventually(async () => events.some((e) => e.type === 'invoice.paid' && e.subject === late.id));
    expect(events.filter((e) => e.type === 'invoice.overdue' && e.subject === late.id)).toHaveLength(1);
    const overdue = events.find((e) => e.type === 'invoice.overdue' && e.subject === late.id)!;
    expect(overdue.data).toMatchObject({
      invoice_id: late.id,
      student_id: s.student_id,
      balance_due: 800,
      user_id: s.user_id,
    });
    expect((await c.staff.post('/api/v1/finance/jobs/mark-overdue', {})).status).toBe(403);
    const future = await c.admin.post('/api/v1/finance/jobs/mark-overdue', { as_of: '2999-01-01' });
    expect(future.status).toBe(422);
    expect(future.body.errors[0].field).toBe('as_of');
  });

  it('publishes account.balance_changed after every ledger movement with the new balance', async () => {
    const s = await openAccount(env, c.staff);
    const inv = await issue(c.staff, s.student_id, [1000]);
    await pay(c.staff, inv.id, 250);
    await c.staff.post('/api/v1/credit-notes', {
      invoice_id: inv.id,
      amount: 50,
      reason: 'Sibling discount',
    });
    const changes = await env.eventually(async () => {
      const list = events.filter(
        (e) => e.type === 'account.balance_changed' && e.data.student_id === s.student_id,
      );
      return list.length === 3 ? list : null;
    });
    expect(changes.map((e) => e.data.balance)).toEqual([1000, 750, 700]);
    expect(changes[0]!.data).toMatchObject({ currency: 'KES', user_id: s.user_id });
  });
});
