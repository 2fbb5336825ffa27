/**
 * A student's account and statement (admin, staff; the linked student for their own; anyone
 * else → 404; instructors hold no finance grant → 403). The balance and every statement line are
 * sums over the ledger; the statement answers CSV (RFC 4180) for `Accept: text/csv`.
 */
import { runningBalance } from '../domain/ledger.ts';
import { toCsv } from '../domain/csv.ts';
import { visibleAccount } from '../access.ts';
import { transformDocument } from '@portico/kit';
import type { RouteModule } from '../deps.ts';
import { accountBalance, entriesOf } from '../repository/ledger.ts';
import { Account, IdParams, Statement } from '../schemas.ts';

const tags = ['accounts'];

export const accountRoutes: RouteModule = (app, deps) => {
  const currencyOf = (c: string | null) => c ?? deps.settings.FINANCE_DEFAULT_CURRENCY;

  // The statement's CSV form (`Accept: text/csv`) is a second content type of the same answer.
  transformDocument(app, (doc) => {
    const ok = doc.paths?.['/api/v1/students/{id}/statement']?.get?.responses?.['200'];
    if (ok)
      ok.content = {
        ...ok.content,
        'text/csv': {
          schema: { type: 'string', description: 'RFC 4180 CSV, one line per ledger entry' },
          example:
            'date,entry_id,kind,invoice_number,description,debit,credit,balance,currency\r\n' +
            '2026-01-15T09:30:00.000Z,0190c5a4-7b1e-7c3a-9f00-6a1b2c3d4e5f,invoice,INV-000001,Tuition,500.00,0.00,500.00,EUR\r\n',
        },
      };
  });

  app.get(
    '/api/v1/students/:id/account',
    {
      config: { permission: 'finance:read' },
      schema: {
        tags,
        summary: "A student's account: what they owe now",
        description:
          "`balance` is Σ debit − credit of the student's receivable ledger lines (> 0: owes; 0: settled). " +
          'The account exists once finance has heard `student.created`; before that → 404.',
        params: IdParams,
        response: { 200: Account },
      },
    },
    async (req) => {
      const account = await visibleAccount(deps.db, req.caller, req.params.id, 'finance:read');
      return {
        id: account.id,
        student_id: account.student_id,
        balance: await accountBalance(deps.db, account.id),
        currency: currencyOf(account.currency),
        links: {
          statement: `/api/v1/students/${account.student_id}/statement`,
          invoices: `/api/v1/invoices?student_id=${account.student_id}`,
        },
      };
    },
  );

  app.get(
    '/api/v1/students/:id/statement',
    {
      config: { permission: 'finance:read' },
      schema: {
        tags,
        summary: "A student's statement: every ledger entry with the running balance",
        description:
          'JSON by default; `Accept: text/csv` answers the same lines as CSV (RFC 4180: CRLF, quoted fields) with ' +
          'columns date, entry_id, kind, invoice_number, description, debit, credit, balance.',
        params: IdParams,
        response: { 200: Statement },
      },
    },
    async (req, reply) => {
      const account = await visibleAccount(deps.db, req.caller, req.params.id, 'finance:read');
      const lines = runningBalance(await entriesOf(deps.db, account.id));
      const entries = lines.map((l) => ({
        entry_id: l.entry.id,
        date: l.entry.created_at.toISOString(),
        kind: l.entry.kind,
        description: l.entry.description,
        invoice_id: l.entry.invoice_id,
        invoice_number: l.entry.invoice_number,
        debit: l.debit,
        credit: l.credit,
        balance: l.balance,
      }));
      const currency = currencyOf(account.currency);
      reply.header('vary', 'Accept');
      if (/\btext\/csv\b/i.test(req.headers.accept ?? '')) {
        const csv = toCsv(
          [
            'date',
            'entry_id',
            'kind',
            'invoice_number',
            'description',
            'debit',
            'credit',
            'balance',
            'currency',
          ],
          entries.map((e) => [
            e.date,
            e.entry_id,
            e.kind,
            e.invoice_number,
            e.description,
            e.debit,
            e.credit,
            e.balance,
            currency,
          ]),
        );
        return (
          reply
            .type('text/csv; charset=utf-8; header=present')
            .header('content-disposition', `attachment; filename="statement-${account.student_id}.csv"`)
            // A string is sent as it is (the JSON response schema does not apply to it).
            .send(csv as never)
        );
      }
      return {
        student_id: account.student_id,
        currency,
        opening_balance: 0,
        closing_balance: entries.at(-1)?.balance ?? 0,
        entries,
      };
    },
  );
};
