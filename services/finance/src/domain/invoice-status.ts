/**
 * An invoice's status, derived from its figures (never set by hand):
 *   void            — voided (only possible before any payment)
 *   paid            — nothing due and money was received (credits may have covered part)
 *   credited        — nothing due and no money kept: credit notes / scholarships covered it all
 *   overdue         — something due, and the overdue job marked it (due date passed)
 *   partially_paid  — something due, some money received
 *   issued          — something due, nothing received
 * A refund lowers `amount_paid`, so a paid invoice reopens to partially_paid/issued (or overdue).
 */
import type { InvoiceFigures } from './ledger.ts';

export type InvoiceStatus = 'issued' | 'partially_paid' | 'paid' | 'overdue' | 'void' | 'credited';
export const INVOICE_STATUSES: readonly InvoiceStatus[] = [
  'issued',
  'partially_paid',
  'paid',
  'overdue',
  'void',
  'credited',
];

export function invoiceStatus(
  f: InvoiceFigures,
  flags: { voided: boolean; markedOverdue: boolean },
): InvoiceStatus {
  if (flags.voided) return 'void';
  if (f.balance_due <= 0) return f.amount_paid > 0 ? 'paid' : 'credited';
  if (flags.markedOverdue) return 'overdue';
  return f.amount_paid > 0 ? 'partially_paid' : 'issued';
}

/** Payments are taken while something is due and the invoice is not void. */
export function isPayable(status: InvoiceStatus, f: InvoiceFigures): boolean {
  return status !== 'void' && f.balance_due > 0;
}
