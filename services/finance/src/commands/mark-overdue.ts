/**
 * The overdue job: an open invoice (issued or partially paid) whose due date has passed with a
 * balance due becomes `overdue`, and `invoice.overdue` is published — once: `overdue_at` is set in
 * the same transaction and the invoice row is locked, so parallel runs (replicas, the admin
 * route) never mark one twice. Not a ledger movement: balances do not change.
 */
import type { Deps } from '../deps.ts';
import { INVOICE_OVERDUE, invoiceData } from '../events.ts';
import { accountById } from '../repository/accounts.ts';
import { lockInvoice, overdueCandidates, saveStatus } from '../repository/invoices.ts';
import { figuresOfOne } from '../repository/ledger.ts';

const BATCH = 200;

/** Today in UTC as `YYYY-MM-DD`. */
export const today = (): string => new Date().toISOString().slice(0, 10);

export async function markOverdue(deps: Deps, asOf: string = today()): Promise<string[]> {
  const marked: string[] = [];
  for (;;) {
    const ids = await overdueCandidates(deps.db, asOf, BATCH);
    let progressed = false;
    for (const id of ids) {
      const done = await deps.tx(async (trx) => {
        const inv = await lockInvoice(trx, id);
        if (!inv || inv.overdue_at !== null || !['issued', 'partially_paid'].includes(inv.status))
          return false;
        if (!(inv.due_date < asOf)) return false;
        const figures = await figuresOfOne(trx, id);
        if (figures.balance_due <= 0) return false;
        const saved = await saveStatus(trx, id, 'overdue', { overdue_at: new Date() });
        const account = await accountById(trx, inv.account_id);
        await deps.publish(trx, INVOICE_OVERDUE, invoiceData(saved, figures, account?.user_id ?? null), {
          subject: id,
        });
        return true;
      });
      if (done) {
        marked.push(id);
        progressed = true;
      }
    }
    if (ids.length < BATCH || !progressed) return marked;
  }
}
