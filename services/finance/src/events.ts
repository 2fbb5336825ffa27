/**
 * The events finance publishes and consumes. Payload shapes are the shared contracts in
 * `@portico/contracts` (education.ts); every one carries the student's `user_id` so
 * notifications delivers to that student only, and its `subject` is the entity id.
 */
import type {
  AccountBalanceData,
  FinanceEvents,
  InvoiceData,
  PaymentData,
  RefundData,
} from '@portico/contracts';
import type { InvoiceFigures } from './domain/ledger.ts';
import type { InvoiceRow } from './tables.ts';

type FinanceEventType = keyof FinanceEvents;

export const INVOICE_ISSUED = 'invoice.issued' satisfies FinanceEventType;
export const INVOICE_PAID = 'invoice.paid' satisfies FinanceEventType;
export const INVOICE_OVERDUE = 'invoice.overdue' satisfies FinanceEventType;
export const INVOICE_VOIDED = 'invoice.voided' satisfies FinanceEventType;
export const PAYMENT_RECEIVED = 'payment.received' satisfies FinanceEventType;
export const PAYMENT_REFUNDED = 'payment.refunded' satisfies FinanceEventType;
export const ACCOUNT_BALANCE_CHANGED = 'account.balance_changed' satisfies FinanceEventType;

export const PUBLISHES: readonly FinanceEventType[] = [
  INVOICE_ISSUED,
  INVOICE_PAID,
  INVOICE_OVERDUE,
  INVOICE_VOIDED,
  PAYMENT_RECEIVED,
  PAYMENT_REFUNDED,
  ACCOUNT_BALANCE_CHANGED,
];

export const STUDENT_CREATED = 'student.created';
export const STUDENT_UPDATED = 'student.updated';
export const STUDENT_DEACTIVATED = 'student.deactivated';
export const ENROLLMENT_CREATED = 'enrollment.created';
export const ENROLLMENT_DROPPED = 'enrollment.dropped';

export function invoiceData(inv: InvoiceRow, f: InvoiceFigures, userId: string | null): InvoiceData {
  return {
    invoice_id: inv.id,
    number: inv.number,
    student_id: inv.student_id,
    total: inv.total,
    balance_due: f.balance_due,
    currency: inv.currency,
    due_date: inv.due_date,
    enrollment_id: inv.enrollment_id,
    user_id: userId,
  };
}

export type { AccountBalanceData, PaymentData, RefundData };
