/** Rows → public JSON (snake_case, RFC 3339 times, money in minor units). */
import type { InvoiceFigures } from './domain/ledger.ts';
import type { InvoiceRow, PaymentRow } from './tables.ts';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function invoiceView(
  inv: InvoiceRow,
  f: InvoiceFigures,
  items: { description: string; amount: number }[],
) {
  return {
    id: inv.id,
    number: inv.number,
    student_id: inv.student_id,
    status: inv.status,
    currency: inv.currency,
    items,
    total: inv.total,
    amount_paid: f.amount_paid,
    amount_refunded: f.amount_refunded,
    amount_credited: f.amount_credited,
    balance_due: f.balance_due,
    due_date: inv.due_date,
    enrollment_id: inv.enrollment_id,
    overdue_at: iso(inv.overdue_at),
    voided_at: iso(inv.voided_at),
    created_at: inv.created_at.toISOString(),
    updated_at: inv.updated_at.toISOString(),
    links: { self: `/api/v1/invoices/${inv.id}`, payments: `/api/v1/payments?invoice_id=${inv.id}` },
  };
}

export function paymentView(
  p: PaymentRow,
  refunded: number,
  invoice?: { id: string; number: string; status: InvoiceRow['status']; balance_due: number },
) {
  return {
    id: p.id,
    invoice_id: p.invoice_id,
    student_id: p.student_id,
    amount: p.amount,
    amount_refunded: refunded,
    currency: p.currency,
    method: p.method,
    reference: p.reference,
    created_at: p.created_at.toISOString(),
    ...(invoice && { invoice }),
  };
}
