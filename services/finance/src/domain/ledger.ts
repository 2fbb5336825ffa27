/**
 * The ledger's rules, pure: what each movement posts, what a student owes, a statement's running
 * balance and the aging buckets. Double entry: every posting's debits equal its credits, and a
 * student's balance is the sum of their `student_receivable` lines (debit − credit). Amounts are
 * integer minor units; nothing here rounds.
 *
 * | movement    | debit              | credit             | effect on what the student owes |
 * |-------------|--------------------|--------------------|---------------------------------|
 * | invoice     | student_receivable | revenue            | up by the invoice total         |
 * | payment     | cash               | student_receivable | down by the payment             |
 * | credit_note | revenue            | student_receivable | down (the charge is reduced)    |
 * | scholarship | scholarships       | student_receivable | down (the school bears the cost)|
 * | refund      | student_receivable | cash               | up: the refunded cash no longer settles the invoice |
 * | void        | revenue            | student_receivable | down by what was still due      |
 */

export type EntryKind = 'invoice' | 'payment' | 'credit_note' | 'scholarship' | 'refund' | 'void';
export type LedgerAccount = 'student_receivable' | 'revenue' | 'cash' | 'scholarships';

export const ENTRY_KINDS: readonly EntryKind[] = [
  'invoice',
  'payment',
  'credit_note',
  'scholarship',
  'refund',
  'void',
];

export interface PostingLine {
  ledger_account: LedgerAccount;
  debit: number;
  credit: number;
}

const SIDES: Record<EntryKind, { debit: LedgerAccount; credit: LedgerAccount }> = {
  invoice: { debit: 'student_receivable', credit: 'revenue' },
  payment: { debit: 'cash', credit: 'student_receivable' },
  credit_note: { debit: 'revenue', credit: 'student_receivable' },
  scholarship: { debit: 'scholarships', credit: 'student_receivable' },
  refund: { debit: 'student_receivable', credit: 'cash' },
  void: { debit: 'revenue', credit: 'student_receivable' },
};

/** A positive integer amount of minor units, or a thrown RangeError (a programming error). */
function assertAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new RangeError(`a posting amount must be a positive integer, got ${amount}`);
}

/** The balanced lines of one movement. */
export function postingFor(kind: EntryKind, amount: number): PostingLine[] {
  assertAmount(amount);
  const s = SIDES[kind];
  return [
    { ledger_account: s.debit, debit: amount, credit: 0 },
    { ledger_account: s.credit, debit: 0, credit: amount },
  ];
}

/** Whether lines balance (Σ debit = Σ credit) — true of every posting `postingFor` makes. */
export function isBalanced(lines: readonly PostingLine[]): boolean {
  let d = 0;
  let c = 0;
  for (const l of lines) {
    d += l.debit;
    c += l.credit;
  }
  return d === c;
}

/** How a movement of `amount` changes what the student owes (+ owes more, − owes less). */
export function receivableEffect(kind: EntryKind, amount: number): number {
  return postingFor(kind, amount).reduce(
    (sum, l) => (l.ledger_account === 'student_receivable' ? sum + l.debit - l.credit : sum),
    0,
  );
}

/** What the student owes after these movements: Σ receivable debits − credits. */
export function balanceOf(entries: readonly { kind: EntryKind; amount: number }[]): number {
  return entries.reduce((sum, e) => sum + receivableEffect(e.kind, e.amount), 0);
}

export interface StatementLine<E> {
  entry: E;
  /** Raised what is owed (invoice, refund). */
  debit: number;
  /** Lowered what is owed (payment, credit, scholarship, void). */
  credit: number;
  /** What is owed after this entry. */
  balance: number;
}

/** Every entry in order with its debit/credit on the student's account and the running balance. */
export function runningBalance<E extends { kind: EntryKind; amount: number }>(
  entries: readonly E[],
): StatementLine<E>[] {
  let balance = 0;
  return entries.map((entry) => {
    const effect = receivableEffect(entry.kind, entry.amount);
    balance += effect;
    return { entry, debit: Math.max(effect, 0), credit: Math.max(-effect, 0), balance };
  });
}

/** What an invoice's entries add up to. */
export interface InvoiceFigures {
  total: number;
  amount_paid: number;
  amount_refunded: number;
  amount_credited: number;
  amount_voided: number;
  balance_due: number;
}

export function invoiceFigures(sums: Partial<Record<EntryKind, number>>): InvoiceFigures {
  const total = sums.invoice ?? 0;
  const paid = sums.payment ?? 0;
  const refunded = sums.refund ?? 0;
  const credited = (sums.credit_note ?? 0) + (sums.scholarship ?? 0);
  const voided = sums.void ?? 0;
  return {
    total,
    amount_paid: paid - refunded,
    amount_refunded: refunded,
    amount_credited: credited,
    amount_voided: voided,
    balance_due: total - (paid - refunded) - credited - voided,
  };
}

export type AgingBucket = 'current' | '0-30' | '31-60' | '61-90' | '90+';
export const AGING_BUCKETS: readonly AgingBucket[] = ['current', '0-30', '31-60', '61-90', '90+'];

/** Whole days from `due` to `asOf` (both `YYYY-MM-DD`); negative when not yet due. */
export function daysPastDue(due: string, asOf: string): number {
  return Math.round((Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${due}T00:00:00Z`)) / 86_400_000);
}

/** The aging bucket of an unpaid amount due on `due`: not yet due is `current`; 0–30 days past includes the due date itself. */
export function agingBucket(due: string, asOf: string): AgingBucket {
  const days = daysPastDue(due, asOf);
  if (days < 0) return 'current';
  if (days <= 30) return '0-30';
  if (days <= 60) return '31-60';
  if (days <= 90) return '61-90';
  return '90+';
}
