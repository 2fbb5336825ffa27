/** `/api/v1/credit-notes`: credit notes and scholarships reduce what is owed on an invoice (admin, staff). */
import { PageOf, paginate, sendPage } from '@portico/kit';
import { actorOf, requireAll } from '../access.ts';
import { creditInvoice } from '../commands/credit-invoice.ts';
import { TX_RETRY, publisherFor, type RouteModule } from '../deps.ts';
import { figuresOf } from '../repository/ledger.ts';
import { CreditInput, CreditNote, CreditQuery } from '../schemas.ts';

const tags = ['credit-notes'];

export const creditNoteRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/credit-notes',
    {
      config: { permission: 'invoices:credit' },
      schema: {
        tags,
        summary: 'Credit an invoice (credit note or scholarship)',
        description:
          '`kind` defaults to `credit_note`. At most the balance due (422 `credit_exceeds_balance` naming ' +
          '`amount`); an unknown invoice → 422 naming `invoice_id`; a void or settled invoice → 409 `invalid_state`.',
        body: CreditInput,
        response: { 201: CreditNote },
      },
    },
    async (req, reply) => {
      requireAll(req.caller, 'invoices:credit');
      const { credit, moved } = await deps.tx(
        (trx) =>
          creditInvoice(trx, publisherFor(deps, trx), {
            invoice_id: req.body.invoice_id,
            amount: req.body.amount,
            kind: req.body.kind ?? 'credit_note',
            reason: req.body.reason.trim(),
            created_by: actorOf(req.caller),
          }),
        TX_RETRY,
      );
      return reply
        .code(201)
        .header('location', `/api/v1/credit-notes?invoice_id=${credit.invoice_id}`)
        .send({
          id: credit.id,
          invoice_id: credit.invoice_id,
          kind: credit.kind,
          amount: credit.amount,
          reason: credit.reason,
          currency: moved.invoice.currency,
          invoice: {
            id: moved.invoice.id,
            status: moved.invoice.status,
            balance_due: moved.figures.balance_due,
          },
          created_at: credit.created_at.toISOString(),
        });
    },
  );

  app.get(
    '/api/v1/credit-notes',
    {
      config: { permission: 'invoices:credit' },
      schema: {
        tags,
        summary: 'List credit notes and scholarships, newest first (admin, staff)',
        querystring: CreditQuery,
        response: { 200: PageOf(CreditNote) },
      },
    },
    async (req, reply) => {
      requireAll(req.caller, 'invoices:credit');
      let q = deps.db
        .selectFrom('credit_notes as c')
        .innerJoin('invoices as i', 'i.id', 'c.invoice_id')
        .select([
          'c.id',
          'c.invoice_id',
          'c.kind',
          'c.amount',
          'c.reason',
          'c.created_at',
          'i.currency',
          'i.status',
        ]);
      if (req.query.invoice_id) q = q.where('c.invoice_id', '=', req.query.invoice_id);
      const page = await paginate(q, {
        limit: req.query.limit,
        cursor: req.query.cursor,
        sort: 'c.id',
        id: 'c.id',
        direction: 'desc',
      });
      const figures = await figuresOf(deps.db, [...new Set(page.data.map((c) => c.invoice_id))]);
      return sendPage(reply, {
        ...page,
        data: page.data.map((c) => ({
          id: c.id,
          invoice_id: c.invoice_id,
          kind: c.kind,
          amount: c.amount,
          reason: c.reason,
          currency: c.currency,
          invoice: {
            id: c.invoice_id,
            status: c.status,
            balance_due: figures.get(c.invoice_id)!.balance_due,
          },
          created_at: c.created_at.toISOString(),
        })),
      });
    },
  );
};
