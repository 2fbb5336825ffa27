/**
 * Record a payment against an invoice. The invoice row is locked first, so concurrent payments
 * queue and each one sees the balance the previous left: `0 < amount ≤ balance_due` holds for
 * all of them together (50 × 100 against 1,000 → exactly 10 succeed). The caller's
 * `Idempotency-Key` is stored with the payment (unique per caller): a retry — even one whose
 * first attempt committed but never answered — finds the payment instead of recording another.
 */
import { AppError } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import { isPayable } from '../domain/invoice-status.ts';
import type { InvoiceFigures } from '../domain/ledger.ts';
import type { Publish, Trx } from '../deps.ts';
import { INVOICE_PAID, invoiceData, PAYMENT_RECEIVED, type PaymentData } from '../events.ts';
import { findInvoice, lockInvoice } from '../repository/invoices.ts';
import { figuresOfOne } from '../repository/ledger.ts';
import { insertPayment, paymentByKey } from '../repository/payments.ts';
import type { InvoiceRow, PaymentMethod, PaymentRow } from '../tables.ts';
import { postMovement } from './post-movement.ts';

export interface PaymentInput {
  invoice_id: string;
  amount: number;
  method: PaymentMethod;
  reference: string | null;
  recorded_by: string;
  idempotency_key: string;
}

export interface Recorded {
  payment: PaymentRow;
  invoice: InvoiceRow;
  figures: InvoiceFigures;
  /** True when this key had already recorded the payment (nothing new was written). */
  replayed: boolean;
}

const keyReused = () =>
  new AppError('idempotency_key_reused', 'This Idempotency-Key already recorded a different payment', {
    errors: [{ field: 'Idempotency-Key', code: 'reused', message: 'already recorded a different payment' }],
  });

export async function recordPayment(trx: Trx, publish: Publish, input: PaymentInput): Promise<Recorded> {
  const locked = await lockInvoice(trx, input.invoice_id);
  if (!locked) throw AppError.notFound('Invoice');
  const earlier = await paymentByKey(trx, input.recorded_by, input.idempotency_key);
  if (earlier) {
    if (earlier.invoice_id !== input.invoice_id || earlier.amount !== input.amount) throw keyReused();
    const invoice = (await findInvoice(trx, earlier.invoice_id))!;
    return { payment: earlier, invoice, figures: await figuresOfOne(trx, invoice.id), replayed: true };
  }
  const before = await figuresOfOne(trx, locked.id);
  if (!isPayable(locked.status, before))
    throw new AppError(
      'invoice_not_payable',
      `Invoice ${locked.number} is ${locked.status}: nothing can be paid`,
    );
  if (input.amount > before.balance_due)
    throw new AppError('overpayment', `The balance due is ${before.balance_due} ${locked.currency}`, {
      errors: [
        {
          field: 'amount',
          code: 'overpayment',
          message: `must be at most the balance due, ${before.balance_due}`,
        },
      ],
    });
  const payment = await insertPayment(trx, {
    id: uuidv7(),
    invoice_id: locked.id,
    account_id: locked.account_id,
    student_id: locked.student_id,
    amount: input.amount,
    currency: locked.currency,
    method: input.method,
    reference: input.reference,
    recorded_by: input.recorded_by,
    idempotency_key: input.idempotency_key,
  });
  const moved = await postMovement(trx, publish, {
    invoice: locked,
    kind: 'payment',
    amount: input.amount,
    description: `Payment (${input.method}${input.reference ? ` ${input.reference}` : ''}) for ${locked.number}`,
    payment_id: payment.id,
  });
  const data: PaymentData = {
    payment_id: payment.id,
    invoice_id: locked.id,
    invoice_number: locked.number,
    student_id: locked.student_id,
    amount: payment.amount,
    currency: payment.currency,
    balance_due: moved.figures.balance_due,
    user_id: moved.account.user_id,
  };
  await publish(PAYMENT_RECEIVED, data, payment.id);
  if (moved.invoice.status === 'paid')
    await publish(INVOICE_PAID, invoiceData(moved.invoice, moved.figures, moved.account.user_id), locked.id);
  return { payment, invoice: moved.invoice, figures: moved.figures, replayed: false };
}
