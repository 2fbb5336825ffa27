/**
 * Credit notes and scholarships reduce what is owed on an invoice, by at most its balance due
 * (422 `credit_exceeds_balance`); a void invoice or one with nothing due → 409 `invalid_state`.
 * Ledger: revenue ↓ (credit note) or scholarships ↑ (scholarship) against receivable ↓.
 */
import { AppError } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Publish, Trx } from '../deps.ts';
import { lockInvoice } from '../repository/invoices.ts';
import { figuresOfOne } from '../repository/ledger.ts';
import { insertCreditNote } from '../repository/payments.ts';
import type { CreditKind } from '../tables.ts';
import { postMovement, type Moved } from './post-movement.ts';

export interface CreditInput {
  invoice_id: string;
  amount: number;
  kind: CreditKind;
  reason: string;
  created_by: string | null;
}

export interface Credited {
  credit: {
    id: string;
    invoice_id: string;
    kind: CreditKind;
    amount: number;
    reason: string;
    created_at: Date;
  };
  moved: Moved;
}

export async function creditInvoice(trx: Trx, publish: Publish, input: CreditInput): Promise<Credited> {
  const invoice = await lockInvoice(trx, input.invoice_id);
  if (!invoice)
    throw AppError.validation([{ field: 'invoice_id', code: 'unknown', message: 'is not an invoice' }]);
  const before = await figuresOfOne(trx, invoice.id);
  if (invoice.status === 'void' || before.balance_due === 0)
    throw new AppError(
      'invalid_state',
      `Invoice ${invoice.number} is ${invoice.status}: nothing is owed to credit`,
    );
  if (input.amount > before.balance_due)
    throw new AppError(
      'credit_exceeds_balance',
      `The balance due is ${before.balance_due} ${invoice.currency}`,
      {
        errors: [
          {
            field: 'amount',
            code: 'credit_exceeds_balance',
            message: `must be at most the balance due, ${before.balance_due}`,
          },
        ],
      },
    );
  const credit = await insertCreditNote(trx, {
    id: uuidv7(),
    invoice_id: invoice.id,
    kind: input.kind,
    amount: input.amount,
    reason: input.reason,
    created_by: input.created_by,
  });
  const label = input.kind === 'scholarship' ? 'Scholarship' : 'Credit note';
  const moved = await postMovement(trx, publish, {
    invoice,
    kind: input.kind,
    amount: input.amount,
    description: `${label} on ${invoice.number}: ${input.reason}`,
    credit_note_id: credit.id,
  });
  return { credit, moved };
}
