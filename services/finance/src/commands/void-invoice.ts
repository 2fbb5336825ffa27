/**
 * Void an invoice that never received a payment (any payment, even one refunded since → 409
 * `invalid_state`: the money trail stays on the invoice). The ledger reverses what was still due
 * (revenue ↓ / receivable ↓); a fully credited invoice has nothing left to void (409).
 * Publishes `invoice.voided`.
 */
import { AppError } from '@portico/kit';
import type { Publish, Trx } from '../deps.ts';
import { INVOICE_VOIDED, invoiceData } from '../events.ts';
import { lockInvoice } from '../repository/invoices.ts';
import { figuresOfOne } from '../repository/ledger.ts';
import { postMovement, type Moved } from './post-movement.ts';

export async function voidInvoice(trx: Trx, publish: Publish, invoiceId: string): Promise<Moved> {
  const invoice = await lockInvoice(trx, invoiceId);
  if (!invoice) throw AppError.notFound('Invoice');
  if (invoice.status === 'void')
    throw new AppError('invalid_state', `Invoice ${invoice.number} is already void`);
  const paid = await trx
    .selectFrom('payments')
    .select('id')
    .where('invoice_id', '=', invoice.id)
    .limit(1)
    .executeTakeFirst();
  if (paid)
    throw new AppError(
      'invalid_state',
      `Invoice ${invoice.number} has payments: refund and credit it instead`,
    );
  const figures = await figuresOfOne(trx, invoice.id);
  if (figures.balance_due === 0)
    throw new AppError(
      'invalid_state',
      `Invoice ${invoice.number} is ${invoice.status}: nothing is left to void`,
    );
  const moved = await postMovement(trx, publish, {
    invoice,
    kind: 'void',
    amount: figures.balance_due,
    description: `Void of ${invoice.number}`,
  });
  await publish(INVOICE_VOIDED, invoiceData(moved.invoice, moved.figures, moved.account.user_id), invoice.id);
  return moved;
}
