/**
 * finance — student accounts on a small double-entry ledger: invoices (by hand, or from a
 * course's fee schedule when a student enrols), payments with a required Idempotency-Key,
 * refunds, credit notes and scholarships, the overdue job, statements, reports and budgets.
 * Balances are sums over the ledger, never a column that routes add to. See README.md.
 */
import { defineService } from '@portico/kit';
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

// Consumers get no settings of their own: routes() (which runs before they start) fills this in.
const consumerSettings = { invoiceDueDays: 30 };

export default defineService<FinanceDB, FinanceSettings>({
  name: 'finance',
  version: '1.0.0',
  description:
    'Student accounts on a double-entry ledger: invoices, payments, refunds, credits, reports, budgets.',
  migrations: new URL('./migrations/', import.meta.url),
  settings: financeSettings,
  publishes: [...PUBLISHES],
  consumers: [studentAccounts, enrollmentInvoices(consumerSettings)],
  routes(app, deps: Deps) {
    consumerSettings.invoiceDueDays = deps.settings.FINANCE_INVOICE_DUE_DAYS;
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
