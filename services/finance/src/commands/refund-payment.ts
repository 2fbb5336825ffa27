/**
 * Refund (part of) a payment. Only money actually received can go back: the refund is at most
 * the payment minus its earlier refunds (422 `refund_exceeds_payment`). A refund undoes that much
 * of the payment, so the student owes it again: the ledger posts receivable ↑ / cash ↓ and the
 * invoice reopens (paid → partially_paid, or issued/overdue). To forgive the amount as well,
 * follow the refund with a credit note for it. Publishes `payment.refunded`.
 */
import { AppError } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Publish, Trx } from '../deps.ts';
import { PAYMENT_REFUNDED, type RefundData } from '../events.ts';
import { lockInvoice } from '../repository/invoices.ts';
import { findPayment, insertRefund, refundedOf } from '../repository/payments.ts';
import { postMovement, type Moved } from './post-movement.ts';

export interface RefundInput {
  payment_id: string;
  amount: number;
  reason: string;
  created_by: string | null;
}

export async function refundPayment(
  trx: Trx,
  publish: Publish,
  input: RefundInput,
): Promise<{
  refund: {
    id: string;
    payment_id: string;
    invoice_id: string;
    amount: number;
    reason: string;
    created_at: Date;
  };
  moved: Moved;
  refundable: number;
}> {
  const payment = await findPayment(trx, input.payment_id);
  if (!payment) throw AppError.notFound('Payment');
  const invoice = (await lockInvoice(trx, payment.invoice_id))!;
  const refundable = payment.amount - ((await refundedOf(trx, [payment.id])).get(payment.id) ?? 0);
  if (input.amount > refundable)
    throw new AppError(
      'refund_exceeds_payment',
      `At most ${refundable} ${payment.currency} of this payment can be refunded`,
      {
        errors: [
          { field: 'amount', code: 'refund_exceeds_payment', message: `must be at most ${refundable}` },
        ],
      },
    );
  const refund = await insertRefund(trx, {
    id: uuidv7(),
    payment_id: payment.id,
    invoice_id: invoice.id,
    amount: input.amount,
    reason: input.reason,
    created_by: input.created_by,
  });
  const moved = await postMovement(trx, publish, {
    invoice,
    kind: 'refund',
    amount: input.amount,
    description: `Refund of a ${payment.method} payment for ${invoice.number}: ${input.reason}`,
    payment_id: payment.id,
    refund_id: refund.id,
  });
  const data: RefundData = {
    refund_id: refund.id,
    payment_id: payment.id,
    invoice_id: invoice.id,
    student_id: invoice.student_id,
    amount: input.amount,
    currency: payment.currency,
    user_id: moved.account.user_id,
  };
  await publish(PAYMENT_REFUNDED, data, refund.id);
  return { refund, moved, refundable: refundable - input.amount };
}
