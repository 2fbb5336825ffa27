/**
 * Who sees what. Admin and staff hold `finance:*`, `invoices:*`, `payments:*` (scope 'all'); a
 * student holds `finance:read:own`, `invoices:read:own`, `payments:create:own` and reaches only
 * the account whose `user_id` (from student.* events) is their login — anything else answers 404,
 * as if it did not exist. Instructors hold no finance grant: the route's permission answers 403.
 */
import { AppError, can, scopeOf, type Caller } from '@portico/kit';
import type { Kysely } from 'kysely';
import { accountById, accountOfStudent } from './repository/accounts.ts';
import { findInvoice } from './repository/invoices.ts';
import type { AccountRow, FinanceDB, InvoiceRow } from './tables.ts';

/** The student's account if the caller may use it under `permission`, else 404. */
export async function visibleAccount(
  db: Kysely<FinanceDB>,
  caller: Caller,
  studentId: string,
  permission: string,
): Promise<AccountRow> {
  const account = await accountOfStudent(db, studentId);
  if (!account || !can(caller, permission, { ownerId: account.user_id })) throw AppError.notFound('Account');
  return account;
}

/** The invoice if the caller may use it under `permission` (own: the student's login), else 404. */
export async function visibleInvoice(
  db: Kysely<FinanceDB>,
  caller: Caller,
  id: string,
  permission: string,
): Promise<InvoiceRow> {
  const invoice = await findInvoice(db, id);
  if (!invoice) throw AppError.notFound('Invoice');
  if (scopeOf(caller, permission) === 'all') return invoice;
  const account = await accountById(db, invoice.account_id);
  if (!account || !can(caller, permission, { ownerId: account.user_id })) throw AppError.notFound('Invoice');
  return invoice;
}

/** School-wide data (reports, budgets, fee schedules, lists of everyone): an own-only grant → 403. */
export function requireAll(caller: Caller, permission: string): void {
  if (scopeOf(caller, permission) !== 'all')
    throw new AppError('forbidden', `Requires ${permission} for every student, not only your own`);
}

/** The id recorded as the actor (a user, else the API key or service acting). */
export function actorOf(caller: Caller): string {
  return (
    caller.id ?? (caller.apiKeyId ? `api-key:${caller.apiKeyId}` : `service:${caller.service ?? 'unknown'}`)
  );
}
