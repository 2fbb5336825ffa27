/** SQL for student accounts (one per student; the student's login and status come from student.* events). */
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Trx } from '../deps.ts';
import type { AccountRow, FinanceDB } from '../tables.ts';

export async function accountOfStudent(
  db: Kysely<FinanceDB>,
  studentId: string,
): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('student_id', '=', studentId).executeTakeFirst();
}

export async function accountById(db: Kysely<FinanceDB>, id: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Opens the student's account, or refreshes what we know of the student (login, status). An event
 * that only mentions the student (an enrolment before student.created) passes `status: undefined`
 * and opens the account without overwriting a status it does not know.
 */
export async function upsertAccount(
  trx: Trx,
  student: { student_id: string; user_id: string | null; status?: string },
): Promise<AccountRow> {
  const row = await trx
    .insertInto('accounts')
    .values({
      id: uuidv7(),
      student_id: student.student_id,
      user_id: student.user_id,
      ...(student.status !== undefined && { student_status: student.status }),
      currency: null,
    })
    .onConflict((oc) =>
      oc.column('student_id').doUpdateSet((eb) => ({
        user_id:
          student.status !== undefined
            ? student.user_id
            : eb.fn.coalesce('accounts.user_id', eb.val(student.user_id)),
        student_status: student.status !== undefined ? student.status : eb.ref('accounts.student_status'),
        updated_at: sql<Date>`now()`,
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return row as AccountRow;
}

/**
 * Locks the account row for the rest of the transaction. Every ledger movement of an account
 * takes this lock (after its invoice's lock, never before), so movements of one account are
 * serialised and each `account.balance_changed` carries the balance in commit order.
 */
export async function lockAccount(trx: Trx, accountId: string): Promise<AccountRow> {
  return (await trx
    .selectFrom('accounts')
    .selectAll()
    .where('id', '=', accountId)
    .forUpdate()
    .executeTakeFirstOrThrow()) as AccountRow;
}

/** Fixes the account's currency on its first invoice; returns the account's currency now. */
export async function settleCurrency(trx: Trx, accountId: string, currency: string): Promise<string> {
  const row = await trx
    .updateTable('accounts')
    .set((eb) => ({ currency: eb.fn.coalesce('currency', eb.val(currency)), updated_at: sql<Date>`now()` }))
    .where('id', '=', accountId)
    .returning('currency')
    .executeTakeFirstOrThrow();
  return row.currency ?? currency;
}
