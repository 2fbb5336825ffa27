/**
 * What finance does with other services' events (redeliveries are dropped by the kit's inbox):
 *  - `student.*` opens the student's account or refreshes its login and status;
 *  - `enrollment.created` for a course with a fee schedule issues the invoice — once per
 *    enrolment (the kit's inbox drops a redelivered envelope; `invoices.enrollment_id` is unique,
 *    so even another envelope for the same enrolment finds the invoice and does nothing);
 *  - `enrollment.dropped` credits what is still due on that enrolment's invoice (all of it
 *    before any payment → `credited`; the unpaid remainder after a partial payment → `paid`).
 * An enrolment that arrives before its student.created opens the account from what it names.
 * One consumer takes both enrolment events so a drop is never handled before its enrolment.
 */
import { defineConsumer, type ConsumerContext } from '@portico/kit';
import { creditInvoice } from './commands/credit-invoice.ts';
import { issueInvoice } from './commands/issue-invoice.ts';
import { today } from './commands/mark-overdue.ts';
import { publisherFor, type Deps } from './deps.ts';
import {
  ENROLLMENT_CREATED,
  ENROLLMENT_DROPPED,
  STUDENT_CREATED,
  STUDENT_DEACTIVATED,
  STUDENT_UPDATED,
} from './events.ts';
import { upsertAccount } from './repository/accounts.ts';
import { feeScheduleOfCourse } from './repository/fee-schedules.ts';
import { invoiceOfEnrollment } from './repository/invoices.ts';
import { figuresOfOne } from './repository/ledger.ts';

const publisher = (ctx: ConsumerContext<Deps>) => publisherFor(ctx.deps, ctx.trx);

export const studentAccounts = defineConsumer({
  name: 'student-accounts',
  types: [STUDENT_CREATED, STUDENT_UPDATED, STUDENT_DEACTIVATED],
  async handle(event, { trx }: ConsumerContext<Deps>) {
    const s = event.data;
    await upsertAccount(trx, { student_id: s.student_id, user_id: s.user_id, status: s.status });
  },
});

/** `YYYY-MM-DD`, `days` after today (UTC). */
function dueIn(days: number): string {
  const d = new Date(`${today()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export const enrollmentInvoices = defineConsumer({
  name: 'enrollment-invoices',
  types: [ENROLLMENT_CREATED, ENROLLMENT_DROPPED],
  async handle(event, ctx: ConsumerContext<Deps>) {
    const e = event.data;
    const { trx, log } = ctx;
    if (event.type === ENROLLMENT_CREATED) {
      const fee = await feeScheduleOfCourse(trx, e.course_id);
      if (!fee || (await invoiceOfEnrollment(trx, e.enrollment_id))) return;
      const account = await upsertAccount(trx, { student_id: e.student_id, user_id: e.user_id });
      if (account.currency !== null && account.currency !== fee.currency) {
        // Retrying cannot help; the invoice must be raised by hand in the account's currency.
        log.warn(
          {
            enrollment_id: e.enrollment_id,
            account_currency: account.currency,
            fee_currency: fee.currency,
          },
          'fee schedule currency differs from the account; no invoice issued',
        );
        return;
      }
      await issueInvoice(trx, publisher(ctx), {
        student_id: e.student_id,
        items: [
          {
            description: fee.description ?? `Tuition: ${e.course_code} ${e.course_title}`,
            amount: fee.amount,
          },
        ],
        currency: fee.currency,
        due_date: dueIn(ctx.deps.settings.FINANCE_INVOICE_DUE_DAYS),
        enrollment_id: e.enrollment_id,
        created_by: null,
      });
      return;
    }
    const invoice = await invoiceOfEnrollment(trx, e.enrollment_id);
    if (!invoice || invoice.status === 'void') return;
    const figures = await figuresOfOne(trx, invoice.id);
    if (figures.balance_due <= 0) return;
    await creditInvoice(trx, publisher(ctx), {
      invoice_id: invoice.id,
      amount: figures.balance_due,
      kind: 'credit_note',
      reason: `Enrolment in ${e.course_code} dropped`,
      created_by: null,
    });
  },
});
