/**
 * finance — student accounts on a small double-entry ledger: invoices (by hand, or from a
 * course's fee schedule when a student enrols), payments with a required Idempotency-Key,
 * refunds, credit notes and scholarships, the overdue job, statements, reports and budgets.
 * Balances are sums over the ledger, never a column that routes add to. See README.md.
 */
import { defineService } from '@portico/kit';
import '@portico/contracts'; // registers the domains' error codes and role grants
import type { FinanceEvents } from '@portico/contracts';
import { enrollmentInvoices, studentAccounts } from './consumers.ts';
import type { Deps } from './deps.ts';
import { PUBLISHES } from './events.ts';
import { startOverdueWorker } from './overdue-worker.ts';
import { accountRoutes } from './routes/accounts.ts';
import { budgetRoutes } from './routes/budgets.ts';
import { creditNoteRoutes } from './routes/credit-notes.ts';
import { feeScheduleRoutes } from './routes/fee-schedules.ts';
import { invoiceRoutes } from './routes/invoices.ts';
import { jobRoutes } from './routes/jobs.ts';
import { paymentRoutes } from './routes/payments.ts';
import { reportRoutes } from './routes/reports.ts';
import { financeSettings, type FinanceSettings } from './settings.ts';
import type { FinanceDB } from './tables.ts';

export default defineService<FinanceDB, FinanceSettings, FinanceEvents>({
  name: 'finance',
  version: '1.0.0',
  description:
    'Student accounts on a double-entry ledger: invoices, payments, refunds, credits, reports, budgets.',
  migrations: new URL('./migrations/', import.meta.url),
  settings: financeSettings,
  publishes: PUBLISHES,
  consumers: [studentAccounts, enrollmentInvoices],
  routes(app, deps: Deps) {
    accountRoutes(app, deps);
    invoiceRoutes(app, deps);
    paymentRoutes(app, deps);
    creditNoteRoutes(app, deps);
    feeScheduleRoutes(app, deps);
    reportRoutes(app, deps);
    jobRoutes(app, deps);
    budgetRoutes(app, deps);
  },
  start(deps) {
    startOverdueWorker(deps);
  },
});
