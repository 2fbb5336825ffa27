/**
 * `/api/v1/invoices`: issue (admin, staff), list and read (a student: own only; others → 404),
 * void (admin, staff; only before any payment).
 */
import { mapPage, PageOf, paginate, scopeOf, sendPage, Type } from '@portico/kit';
import { actorOf, visibleInvoice } from '../access.ts';
import { issueInvoice } from '../commands/issue-invoice.ts';
import { voidInvoice } from '../commands/void-invoice.ts';
import { TX_RETRY, publisherFor, type Deps, type RouteModule } from '../deps.ts';
import { itemsOf } from '../repository/invoices.ts';
import { figuresOf } from '../repository/ledger.ts';
import { IdParams, Invoice, InvoiceInput, InvoiceQuery } from '../schemas.ts';
import type { InvoiceRow } from '../tables.ts';
import { invoiceView } from '../views.ts';

const tags = ['invoices'];

/** Invoices as their public shape, figures and items read in two queries for the whole batch. */
export async function invoiceViews(deps: Deps, rows: InvoiceRow[]) {
  const ids = rows.map((r) => r.id);
  const [figures, items] = await Promise.all([figuresOf(deps.db, ids), itemsOf(deps.db, ids)]);
  return rows.map((r) => invoiceView(r, figures.get(r.id)!, items.get(r.id) ?? []));
}

export const invoiceRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/invoices',
    {
      config: { permission: 'invoices:create' },
      schema: {
        tags,
        summary: 'Issue an invoice',
        description:
          'Numbers are consecutive without gaps (`INV-000001`, …) even under concurrency. Every item amount > 0 ' +
          '(422 naming `items.<i>.amount`); an unknown student → 422 `validation_failed` naming `student_id` ' +
          "(code `unknown_student`); a currency other than the account's → 422 `currency_mismatch`.",
        body: InvoiceInput,
        response: { 201: Invoice },
      },
    },
    async (req, reply) => {
      const { invoice } = await deps.tx(
        async (trx) =>
          issueInvoice(trx, publisherFor(deps, trx), {
            student_id: req.body.student_id,
            items: req.body.items.map((it) => ({ description: it.description.trim(), amount: it.amount })),
            currency: req.body.currency,
            due_date: req.body.due_date,
            created_by: actorOf(req.caller),
          }),
        TX_RETRY,
      );
      const [view] = await invoiceViews(deps, [invoice]);
      return reply.code(201).header('location', `/api/v1/invoices/${invoice.id}`).send(view);
    },
  );

  app.get(
    '/api/v1/invoices',
    {
      config: { permission: 'invoices:read' },
      schema: {
        tags,
        summary: 'List invoices, newest first (a student: own only)',
        querystring: InvoiceQuery,
        response: { 200: PageOf(Invoice) },
      },
    },
    async (req, reply) => {
      let q = deps.db.selectFrom('invoices').selectAll();
      if (scopeOf(req.caller, 'invoices:read') !== 'all') {
        const me = req.caller.id ?? '';
        q = q.where(
          'account_id',
          'in',
          deps.db.selectFrom('accounts').select('id').where('user_id', '=', me),
        );
      }
      if (req.query.student_id) q = q.where('student_id', '=', req.query.student_id);
      if (req.query.status) q = q.where('status', '=', req.query.status);
      const page = await paginate(q, {
        limit: req.query.limit,
        cursor: req.query.cursor,
        sort: 'id',
        direction: 'desc',
      });
      const views = await invoiceViews(deps, page.data as InvoiceRow[]);
      return sendPage(
        reply,
        mapPage({ ...page, data: views }, (v) => v),
      );
    },
  );

  app.get(
    '/api/v1/invoices/:id',
    {
      config: { permission: 'invoices:read' },
      schema: { tags, summary: 'Get an invoice', params: IdParams, response: { 200: Invoice } },
    },
    async (req) => {
      const invoice = await visibleInvoice(deps.db, req.caller, req.params.id, 'invoices:read');
      return (await invoiceViews(deps, [invoice]))[0];
    },
  );

  app.post(
    '/api/v1/invoices/:id/void',
    {
      config: { permission: 'invoices:void', ifMatch: 'required' },
      schema: {
        tags,
        summary: 'Void an invoice that has no payments',
        description:
          'Reverses what was still due in the ledger and publishes `invoice.voided`. An invoice with any payment ' +
          '(even refunded), already void, or fully credited → 409 `invalid_state`.',
        params: IdParams,
        body: Type.Optional(Type.Object({})),
        response: { 200: Invoice },
      },
    },
    async (req) => {
      const invoice = await visibleInvoice(deps.db, req.caller, req.params.id, 'invoices:void');
      const moved = await deps.tx((trx) => voidInvoice(trx, publisherFor(deps, trx), invoice.id), TX_RETRY);
      return (await invoiceViews(deps, [moved.invoice]))[0];
    },
  );
};
