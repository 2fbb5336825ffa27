/** SQL for invoices, their items, and the gapless number counter. */
import { sql, type Kysely } from 'kysely';
import type { InvoiceStatus } from '../domain/invoice-status.ts';
import type { Trx } from '../deps.ts';
import type { FinanceDB, InvoiceRow } from '../tables.ts';

/**
 * The next invoice number, taken inside the issuing transaction: the counter row stays locked
 * until commit, so concurrent issuers queue, and a rolled-back issue gives its number back —
 * numbers are consecutive with no gaps (`INV-000001`, …).
 */
export async function nextInvoiceNumber(trx: Trx): Promise<string> {
  const row = await trx
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', 'invoice')
    .returning('value')
    .executeTakeFirstOrThrow();
  return `INV-${String(row.value).padStart(6, '0')}`;
}

export interface NewInvoice {
  id: string;
  number: string;
  account_id: string;
  student_id: string;
  currency: string;
  total: number;
  due_date: string;
  enrollment_id: string | null;
  created_by: string | null;
  items: { description: string; amount: number }[];
}

export async function insertInvoice(trx: Trx, inv: NewInvoice): Promise<InvoiceRow> {
  const { items, ...row } = inv;
  const saved = await trx
    .insertInto('invoices')
    .values({ ...row, status: 'issued' })
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('invoice_items')
    .values(items.map((it, position) => ({ invoice_id: inv.id, position, ...it })))
    .execute();
  return saved as InvoiceRow;
}

export async function findInvoice(db: Kysely<FinanceDB>, id: string): Promise<InvoiceRow | undefined> {
  return (await db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirst()) as
    InvoiceRow | undefined;
}

export async function invoiceOfEnrollment(
  db: Kysely<FinanceDB>,
  enrollmentId: string,
): Promise<InvoiceRow | undefined> {
  return (await db
    .selectFrom('invoices')
    .selectAll()
    .where('enrollment_id', '=', enrollmentId)
    .executeTakeFirst()) as InvoiceRow | undefined;
}

/** Locks the invoice for the transaction: every movement on an invoice serialises here first. */
export async function lockInvoice(trx: Trx, id: string): Promise<InvoiceRow | undefined> {
  return (await trx
    .selectFrom('invoices')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()) as InvoiceRow | undefined;
}

export async function saveStatus(
  trx: Trx,
  id: string,
  status: InvoiceStatus,
  extra: { voided_at?: Date; overdue_at?: Date } = {},
): Promise<InvoiceRow> {
  return (await trx
    .updateTable('invoices')
    .set({ status, ...extra, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()) as InvoiceRow;
}

export async function itemsOf(
  db: Kysely<FinanceDB>,
  ids: readonly string[],
): Promise<Map<string, { description: string; amount: number }[]>> {
  const out = new Map<string, { description: string; amount: number }[]>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('invoice_items')
    .select(['invoice_id', 'description', 'amount'])
    .where('invoice_id', 'in', ids)
    .orderBy('invoice_id')
    .orderBy('position')
    .execute();
  for (const r of rows) {
    const list = out.get(r.invoice_id) ?? [];
    list.push({ description: r.description, amount: r.amount });
    out.set(r.invoice_id, list);
  }
  return out;
}

/** Open invoices whose due date is before `asOf` and that the overdue job has not marked yet. */
export async function overdueCandidates(
  db: Kysely<FinanceDB>,
  asOf: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('invoices')
    .select('id')
    .where('status', 'in', ['issued', 'partially_paid'])
    .where('overdue_at', 'is', null)
    .where('due_date', '<', asOf)
    .orderBy('due_date')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
