/** SQL for payments, refunds and credit notes (each also has its ledger entry: ledger.ts). */
import { sql, type Kysely } from 'kysely';
import type { Trx } from '../deps.ts';
import type { CreditKind, FinanceDB, PaymentMethod, PaymentRow } from '../tables.ts';

export interface NewPayment {
  id: string;
  invoice_id: string;
  account_id: string;
  student_id: string;
  amount: number;
  currency: string;
  method: PaymentMethod;
  reference: string | null;
  recorded_by: string;
  idempotency_key: string;
}

export async function insertPayment(trx: Trx, p: NewPayment): Promise<PaymentRow> {
  return (await trx.insertInto('payments').values(p).returningAll().executeTakeFirstOrThrow()) as PaymentRow;
}

export async function paymentByKey(
  db: Kysely<FinanceDB>,
  recordedBy: string,
  key: string,
): Promise<PaymentRow | undefined> {
  return (await db
    .selectFrom('payments')
    .selectAll()
    .where('recorded_by', '=', recordedBy)
    .where('idempotency_key', '=', key)
    .executeTakeFirst()) as PaymentRow | undefined;
}

export async function findPayment(db: Kysely<FinanceDB>, id: string): Promise<PaymentRow | undefined> {
  return (await db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst()) as
    PaymentRow | undefined;
}

/** What was refunded of each payment so far. */
export async function refundedOf(
  db: Kysely<FinanceDB>,
  paymentIds: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (paymentIds.length === 0) return out;
  const rows = await db
    .selectFrom('refunds')
    .select(['payment_id', sql<number>`sum(amount)::bigint`.as('sum')])
    .where('payment_id', 'in', paymentIds)
    .groupBy('payment_id')
    .execute();
  for (const r of rows) out.set(r.payment_id, Number(r.sum));
  return out;
}

export async function insertRefund(
  trx: Trx,
  r: {
    id: string;
    payment_id: string;
    invoice_id: string;
    amount: number;
    reason: string;
    created_by: string | null;
  },
) {
  return trx.insertInto('refunds').values(r).returningAll().executeTakeFirstOrThrow();
}

export async function insertCreditNote(
  trx: Trx,
  c: {
    id: string;
    invoice_id: string;
    kind: CreditKind;
    amount: number;
    reason: string;
    created_by: string | null;
  },
) {
  return trx.insertInto('credit_notes').values(c).returningAll().executeTakeFirstOrThrow();
}
