/**
 * Issue an invoice: the student's account must exist (opened by student.created) and hold the
 * invoice's currency (its first invoice fixes it; another → 422 `currency_mismatch`). The number
 * comes from the counter row inside this transaction (gapless), the ledger gets
 * receivable ↑ / revenue ↑, and `invoice.issued` is published.
 */
import { AppError } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { InvoiceFigures } from '../domain/ledger.ts';
import type { Publish, Trx } from '../deps.ts';
import { INVOICE_ISSUED, invoiceData } from '../events.ts';
import { accountOfStudent, lockAccount, settleCurrency } from '../repository/accounts.ts';
import { insertInvoice, nextInvoiceNumber } from '../repository/invoices.ts';
import type { InvoiceRow } from '../tables.ts';
import { postMovement } from './post-movement.ts';

export interface IssueInput {
  student_id: string;
  items: { description: string; amount: number }[];
  currency: string;
  due_date: string;
  enrollment_id?: string | null;
  created_by: string | null;
}

export async function issueInvoice(
  trx: Trx,
  publish: Publish,
  input: IssueInput,
): Promise<{ invoice: InvoiceRow; figures: InvoiceFigures }> {
  const known = await accountOfStudent(trx, input.student_id);
  if (!known)
    throw AppError.validation([
      { field: 'student_id', code: 'unknown_student', message: 'is not a student finance knows of' },
    ]);
  const account = await lockAccount(trx, known.id);
  const currency = await settleCurrency(trx, account.id, input.currency);
  if (currency !== input.currency)
    throw new AppError('currency_mismatch', `The student's account holds ${currency}`, {
      errors: [
        {
          field: 'currency',
          code: 'currency_mismatch',
          message: `must be ${currency}, the account's currency`,
        },
      ],
    });
  const total = input.items.reduce((s, it) => s + it.amount, 0);
  const number = await nextInvoiceNumber(trx);
  const created = await insertInvoice(trx, {
    id: uuidv7(),
    number,
    account_id: account.id,
    student_id: input.student_id,
    currency,
    total,
    due_date: input.due_date,
    enrollment_id: input.enrollment_id ?? null,
    created_by: input.created_by,
    items: input.items,
  });
  const moved = await postMovement(trx, publish, {
    invoice: created,
    kind: 'invoice',
    amount: total,
    description: `Invoice ${number}`,
  });
  await publish(INVOICE_ISSUED, invoiceData(moved.invoice, moved.figures, moved.account.user_id), created.id);
  return { invoice: moved.invoice, figures: moved.figures };
}
