/**
 * Payments: record against an invoice (admin, staff; the linked student for their own invoice)
 * with a required `Idempotency-Key`; list and read (admin, staff); refund (admin, staff).
 */
import { AppError, PageOf, paginate, sendPage } from '@portico/kit';
import { actorOf, requireAll, visibleInvoice } from '../access.ts';
import { recordPayment } from '../commands/record-payment.ts';
import { refundPayment } from '../commands/refund-payment.ts';
import { TX_RETRY, publisherFor, type Deps, type RouteModule } from '../deps.ts';
import { findPayment, refundedOf } from '../repository/payments.ts';
import { IdParams, Payment, PaymentInput, PaymentQuery, Refund, RefundInput } from '../schemas.ts';
import type { PaymentRow } from '../tables.ts';
import { paymentView } from '../views.ts';

const tags = ['payments'];

async function paymentViews(deps: Deps, rows: PaymentRow[]) {
  const refunded = await refundedOf(
    deps.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => paymentView(r, refunded.get(r.id) ?? 0));
}

export const paymentRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/invoices/:id/payments',
    {
      config: { permission: 'payments:create' },
      schema: {
        tags,
        summary: 'Record a payment against an invoice',
        description:
          '`Idempotency-Key` is required (400 `idempotency_key_required`): a retry with the same key records ' +
          'nothing new and answers the same payment. `0 < amount ≤ balance_due` (422 `overpayment` naming ' +
          '`amount`); a paid, credited or void invoice → 409 `invoice_not_payable`. Concurrent payments queue on ' +
          'the invoice, so together they never exceed what is due.',
        params: IdParams,
        body: PaymentInput,
        response: { 201: Payment },
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      // The kit validated the key's format when present; here it is also mandatory (IETF
      // httpapi-idempotency-key-header §2.7: a resource may require it → 400).
      if (typeof key !== 'string' || key === '')
        throw new AppError('idempotency_key_required', 'Payments need an Idempotency-Key header', {
          errors: [{ field: 'Idempotency-Key', code: 'required', message: 'is required on this route' }],
        });
      const invoice = await visibleInvoice(deps.db, req.caller, req.params.id, 'payments:create');
      const recorded = await deps.tx(
        (trx) =>
          recordPayment(trx, publisherFor(deps, trx), {
            invoice_id: invoice.id,
            amount: req.body.amount,
            method: req.body.method,
            reference: req.body.reference ?? null,
            recorded_by: actorOf(req.caller),
            idempotency_key: key,
          }),
        TX_RETRY,
      );
      if (recorded.replayed) reply.header('idempotent-replayed', 'true');
      const refunded = (await refundedOf(deps.db, [recorded.payment.id])).get(recorded.payment.id) ?? 0;
      return reply
        .code(201)
        .header('location', `/api/v1/payments/${recorded.payment.id}`)
        .send(
          paymentView(recorded.payment, refunded, {
            id: recorded.invoice.id,
            number: recorded.invoice.number,
            status: recorded.invoice.status,
            balance_due: recorded.figures.balance_due,
          }),
        );
    },
  );

  app.get(
    '/api/v1/payments',
    {
      config: { permission: 'payments:read' },
      schema: {
        tags,
        summary: 'List payments, newest first (admin, staff)',
        querystring: PaymentQuery,
        response: { 200: PageOf(Payment) },
      },
    },
    async (req, reply) => {
      requireAll(req.caller, 'payments:read');
      let q = deps.db.selectFrom('payments').selectAll();
      if (req.query.student_id) q = q.where('student_id', '=', req.query.student_id);
      if (req.query.invoice_id) q = q.where('invoice_id', '=', req.query.invoice_id);
      const page = await paginate(q, {
        limit: req.query.limit,
        cursor: req.query.cursor,
        sort: 'id',
        direction: 'desc',
      });
      return sendPage(reply, { ...page, data: await paymentViews(deps, page.data as PaymentRow[]) });
    },
  );

  app.get(
    '/api/v1/payments/:id',
    {
      config: { permission: 'payments:read' },
      schema: { tags, summary: 'Get a payment (admin, staff)', params: IdParams, response: { 200: Payment } },
    },
    async (req) => {
      requireAll(req.caller, 'payments:read');
      const row = await findPayment(deps.db, req.params.id);
      if (!row) throw AppError.notFound('Payment');
      return (await paymentViews(deps, [row]))[0];
    },
  );

  app.post(
    '/api/v1/payments/:id/refunds',
    {
      config: { permission: 'payments:refund' },
      schema: {
        tags,
        summary: 'Refund (part of) a payment',
        description:
          'At most the payment minus its earlier refunds (422 `refund_exceeds_payment` naming `amount`). The ' +
          'refunded amount is owed again: the invoice reopens (paid → partially_paid/issued/overdue) and the ' +
          'account balance rises by it; pair it with a credit note to forgive the amount. Publishes `payment.refunded`.',
        params: IdParams,
        body: RefundInput,
        response: { 201: Refund },
      },
    },
    async (req, reply) => {
      requireAll(req.caller, 'payments:refund');
      const { refund, moved, refundable } = await deps.tx(
        (trx) =>
          refundPayment(trx, publisherFor(deps, trx), {
            payment_id: req.params.id,
            amount: req.body.amount,
            reason: req.body.reason.trim(),
            created_by: actorOf(req.caller),
          }),
        TX_RETRY,
      );
      return reply
        .code(201)
        .header('location', `/api/v1/payments/${refund.payment_id}`)
        .send({
          id: refund.id,
          payment_id: refund.payment_id,
          invoice_id: refund.invoice_id,
          amount: refund.amount,
          reason: refund.reason,
          currency: moved.invoice.currency,
          refundable_remaining: refundable,
          invoice: {
            id: moved.invoice.id,
            status: moved.invoice.status,
            balance_due: moved.figures.balance_due,
          },
          created_at: refund.created_at.toISOString(),
        });
    },
  );
};
