/**
 * School-wide reports (admin, staff): the summary per currency and the aging of what is due.
 * Both are sums over the ledger, grouped by invoice.
 */
import { sql } from 'kysely';
import {
  AGING_BUCKETS,
  agingBucket,
  invoiceFigures,
  type AgingBucket,
  type EntryKind,
} from '../domain/ledger.ts';
import { requireAll } from '../access.ts';
import { today } from '../commands/mark-overdue.ts';
import type { Deps, RouteModule } from '../deps.ts';
import { Aging, AsOfQuery, Summary } from '../schemas.ts';
import type { InvoiceStatus } from '../domain/invoice-status.ts';

const tags = ['reports'];

interface InvoiceSums {
  id: string;
  currency: string;
  status: InvoiceStatus;
  due_date: string;
  kind: EntryKind;
  sum: number;
}

/** Every invoice with its figures (one grouped query over the ledger). */
async function allFigures(deps: Deps) {
  const rows = (await deps.db
    .selectFrom('invoices as i')
    .innerJoin('ledger_entries as e', 'e.invoice_id', 'i.id')
    .select([
      'i.id',
      'i.currency',
      'i.status',
      'i.due_date',
      'e.kind',
      sql<number>`sum(e.amount)::bigint`.as('sum'),
    ])
    .groupBy(['i.id', 'i.currency', 'i.status', 'i.due_date', 'e.kind'])
    .execute()) as InvoiceSums[];
  const byId = new Map<
    string,
    { currency: string; status: InvoiceStatus; due_date: string; sums: Partial<Record<EntryKind, number>> }
  >();
  for (const r of rows) {
    const inv = byId.get(r.id) ?? { currency: r.currency, status: r.status, due_date: r.due_date, sums: {} };
    inv.sums[r.kind] = Number(r.sum);
    byId.set(r.id, inv);
  }
  return [...byId.values()].map((i) => ({ ...i, figures: invoiceFigures(i.sums) }));
}

export const reportRoutes: RouteModule = (app, deps) => {
  app.get(
    '/api/v1/finance/summary',
    {
      config: { permission: 'finance:read' },
      schema: {
        tags,
        summary: 'Totals per currency: invoiced, paid, credited, outstanding, overdue, counts',
        description:
          '`invoiced` = Σ invoice totals (void ones included; `voided` says how much was reversed); `paid` = Σ ' +
          'payments − refunds; `credited` = credit notes + scholarships; `outstanding` = Σ balance due; `overdue` = the ' +
          'part of it on overdue invoices.',
        response: { 200: Summary },
      },
    },
    async (req) => {
      requireAll(req.caller, 'finance:read');
      const out = new Map<string, ReturnType<typeof emptySummary>>();
      for (const inv of await allFigures(deps)) {
        const s = out.get(inv.currency) ?? emptySummary(inv.currency);
        s.invoiced += inv.figures.total;
        s.paid += inv.figures.amount_paid;
        s.credited += inv.figures.amount_credited;
        s.voided += inv.figures.amount_voided;
        s.outstanding += inv.figures.balance_due;
        if (inv.status === 'overdue') s.overdue += inv.figures.balance_due;
        s.counts.invoices += 1;
        s.counts[inv.status] += 1;
        out.set(inv.currency, s);
      }
      const payments = await deps.db
        .selectFrom('payments')
        .select(['currency', sql<number>`count(*)::int`.as('n')])
        .groupBy('currency')
        .execute();
      for (const p of payments) {
        const s = out.get(p.currency) ?? emptySummary(p.currency);
        s.counts.payments = Number(p.n);
        out.set(p.currency, s);
      }
      return { currencies: [...out.values()].sort((a, b) => a.currency.localeCompare(b.currency)) };
    },
  );

  app.get(
    '/api/v1/finance/aging',
    {
      config: { permission: 'finance:read' },
      schema: {
        tags,
        summary: 'What is due, by days past the due date (current, 0–30, 31–60, 61–90, 90+), per currency',
        description:
          '`as_of` (default today, UTC) is the day the ages are counted to; the due date itself is day 0.',
        querystring: AsOfQuery,
        response: { 200: Aging },
      },
    },
    async (req) => {
      requireAll(req.caller, 'finance:read');
      const asOf = req.query.as_of ?? today();
      const out = new Map<
        string,
        {
          currency: string;
          total: number;
          buckets: Record<AgingBucket, number>;
          invoices: Record<AgingBucket, number>;
        }
      >();
      for (const inv of await allFigures(deps)) {
        if (inv.status === 'void' || inv.figures.balance_due <= 0) continue;
        const a = out.get(inv.currency) ?? {
          currency: inv.currency,
          total: 0,
          buckets: zeroes(),
          invoices: zeroes(),
        };
        const b = agingBucket(inv.due_date, asOf);
        a.total += inv.figures.balance_due;
        a.buckets[b] += inv.figures.balance_due;
        a.invoices[b] += 1;
        out.set(inv.currency, a);
      }
      return {
        as_of: asOf,
        currencies: [...out.values()].sort((x, y) => x.currency.localeCompare(y.currency)),
      };
    },
  );
};

function zeroes(): Record<AgingBucket, number> {
  return Object.fromEntries(AGING_BUCKETS.map((b) => [b, 0])) as Record<AgingBucket, number>;
}

function emptySummary(currency: string) {
  return {
    currency,
    invoiced: 0,
    paid: 0,
    credited: 0,
    voided: 0,
    outstanding: 0,
    overdue: 0,
    counts: {
      invoices: 0,
      issued: 0,
      partially_paid: 0,
      paid: 0,
      overdue: 0,
      void: 0,
      credited: 0,
      payments: 0,
    },
  };
}
