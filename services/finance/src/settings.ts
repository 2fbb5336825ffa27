/** Environment settings, validated at start (packages/kit/src/config/settings.ts). */
import { Type, type Static } from '@portico/kit';

export const financeSettings = Type.Object({
  /** The currency an account shows before its first invoice fixes it. */
  FINANCE_DEFAULT_CURRENCY: Type.String({ pattern: '^[A-Z]{3}$', default: 'KES' }),
  /** Days from an enrolment's invoice to its due date. */
  FINANCE_INVOICE_DUE_DAYS: Type.Integer({ minimum: 0, maximum: 365, default: 30 }),
  /** How often the overdue job runs (ms); 0 disables the worker (the admin route still runs it). */
  FINANCE_OVERDUE_INTERVAL_MS: Type.Integer({ minimum: 0, default: 60_000 }),
});

export type FinanceSettings = Static<typeof financeSettings>;
