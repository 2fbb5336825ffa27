/**
 * SQL for the journal: appending an entry with its balanced lines, and the sums every balance,
 * statement and report is computed from. Nothing here updates or deletes a ledger row (the
 * tables refuse it: migrations/001_ledger.sql).
 */
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import {
  invoiceFigures,
  isBalanced,
  postingFor,
  type EntryKind,
  type InvoiceFigures,
} from '../domain/ledger.ts';
import type { Trx } from '../deps.ts';
import type { FinanceDB } from '../tables.ts';

export interface NewEntry {
  account_id: string;
  kind: EntryKind;
  invoice_id: string;
  amount: number;
  currency: string;
  description: string;
  payment_id?: string;
  refund_id?: string;
  credit_note_id?: string;
}

export async function appendEntry(trx: Trx, e: NewEntry): Promise<string> {
  const lines = postingFor(e.kind, e.amount);
  if (!isBalanced(lines)) throw new Error('unbalanced posting'); // unreachable: postingFor balances
  const id = uuidv7();
  await trx
    .insertInto('ledger_entries')
    .values({
      id,
      account_id: e.account_id,
      kind: e.kind,
      invoice_id: e.invoice_id,
      payment_id: e.payment_id ?? null,
      refund_id: e.refund_id ?? null,
      credit_note_id: e.credit_note_id ?? null,
      currency: e.currency,
      amount: e.amount,
      description: e.description,
    })
    .execute();
  await trx
    .insertInto('ledger_lines')
    .values(lines.map((l) => ({ entry_id: id, ...l })))
    .execute();
  return id;
}

/** What the student owes: Σ debit − credit of the account's `student_receivable` lines. */
export async function accountBalance(db: Kysely<FinanceDB>, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('ledger_lines as l')
    .innerJoin('ledger_entries as e', 'e.id', 'l.entry_id')
    .select(sql<number>`coalesce(sum(l.debit - l.credit), 0)::bigint`.as('balance'))
    .where('e.account_id', '=', accountId)
    .where('l.ledger_account', '=', 'student_receivable')
    .executeTakeFirstOrThrow();
  return Number(row.balance);
}

/** Each invoice's figures, from the sums of its entries by kind. */
export async function figuresOf(
  db: Kysely<FinanceDB>,
  invoiceIds: readonly string[],
): Promise<Map<string, InvoiceFigures>> {
  const out = new Map<string, InvoiceFigures>();
  if (invoiceIds.length === 0) return out;
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['invoice_id', 'kind', sql<number>`sum(amount)::bigint`.as('sum')])
    .where('invoice_id', 'in', invoiceIds)
    .groupBy(['invoice_id', 'kind'])
    .execute();
  const sums = new Map<string, Partial<Record<EntryKind, number>>>();
  for (const r of rows) {
    const s = sums.get(r.invoice_id) ?? {};
    s[r.kind] = Number(r.sum);
    sums.set(r.invoice_id, s);
  }
  for (const id of invoiceIds) out.set(id, invoiceFigures(sums.get(id) ?? {}));
  return out;
}

export async function figuresOfOne(db: Kysely<FinanceDB>, invoiceId: string): Promise<InvoiceFigures> {
  return (await figuresOf(db, [invoiceId])).get(invoiceId)!;
}

export interface StatementEntryRow {
  id: string;
  seq: number;
  kind: EntryKind;
  amount: number;
  currency: string;
  description: string;
  invoice_id: string;
  invoice_number: string;
  payment_id: string | null;
  refund_id: string | null;
  credit_note_id: string | null;
  created_at: Date;
}

/** The account's entries in posting order. */
export async function entriesOf(db: Kysely<FinanceDB>, accountId: string): Promise<StatementEntryRow[]> {
  const rows = await db
    .selectFrom('ledger_entries as e')
    .innerJoin('invoices as i', 'i.id', 'e.invoice_id')
    .select([
      'e.id',
      'e.seq',
      'e.kind',
      'e.amount',
      'e.currency',
      'e.description',
      'e.invoice_id',
      'i.number as invoice_number',
      'e.payment_id',
      'e.refund_id',
      'e.credit_note_id',
      'e.created_at',
    ])
    .where('e.account_id', '=', accountId)
    .orderBy('e.seq')
    .execute();
  return rows as StatementEntryRow[];
}
