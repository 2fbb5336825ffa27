/**
 * The one way money moves: append a balanced ledger entry, re-derive the invoice's status from
 * its sums, and publish `account.balance_changed` with the account's new balance — all in the
 * caller's transaction. Callers lock the invoice first; this locks the account (always in that
 * order, so two movements never deadlock) so balances are published in commit order.
 */
import type { AccountBalanceData } from '@portico/contracts';
import { invoiceStatus } from '../domain/invoice-status.ts';
import type { EntryKind, InvoiceFigures } from '../domain/ledger.ts';
import type { Publish, Trx } from '../deps.ts';
import { ACCOUNT_BALANCE_CHANGED } from '../events.ts';
import { lockAccount } from '../repository/accounts.ts';
import { saveStatus } from '../repository/invoices.ts';
import { accountBalance, appendEntry, figuresOfOne } from '../repository/ledger.ts';
import type { AccountRow, InvoiceRow } from '../tables.ts';

export interface Movement {
  invoice: InvoiceRow;
  kind: EntryKind;
  amount: number;
  description: string;
  payment_id?: string;
  refund_id?: string;
  credit_note_id?: string;
}

export interface Moved {
  invoice: InvoiceRow;
  figures: InvoiceFigures;
  account: AccountRow;
  balance: number;
}

export async function postMovement(trx: Trx, publish: Publish, m: Movement): Promise<Moved> {
  const account = await lockAccount(trx, m.invoice.account_id);
  await appendEntry(trx, {
    account_id: account.id,
    kind: m.kind,
    invoice_id: m.invoice.id,
    amount: m.amount,
    currency: m.invoice.currency,
    description: m.description,
    ...(m.payment_id !== undefined && { payment_id: m.payment_id }),
    ...(m.refund_id !== undefined && { refund_id: m.refund_id }),
    ...(m.credit_note_id !== undefined && { credit_note_id: m.credit_note_id }),
  });
  const figures = await figuresOfOne(trx, m.invoice.id);
  // Unreachable through the commands' checks; kept as the ledger's last line of defence.
  if (figures.balance_due < 0 || figures.amount_paid < 0)
    throw new Error(`invoice ${m.invoice.id} would go negative (${JSON.stringify(figures)})`);
  const voided = m.kind === 'void' || m.invoice.voided_at !== null;
  const status = invoiceStatus(figures, { voided, markedOverdue: m.invoice.overdue_at !== null });
  const invoice = await saveStatus(
    trx,
    m.invoice.id,
    status,
    m.kind === 'void' ? { voided_at: new Date() } : {},
  );
  const balance = await accountBalance(trx, account.id);
  const data: AccountBalanceData = {
    account_id: account.id,
    student_id: account.student_id,
    balance,
    currency: invoice.currency,
    user_id: account.user_id,
  };
  await publish(ACCOUNT_BALANCE_CHANGED, data, account.id);
  return { invoice, figures, account, balance };
}
