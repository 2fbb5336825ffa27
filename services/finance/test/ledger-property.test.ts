/**
 * A property over the whole service: random sequences of invoices, payments, credits,
 * scholarships, refunds and voids against one student. A model predicts each answer; after
 * every sequence the ledger's sums (account balance, statement) equal the sum of what the
 * invoices say is due, and no invoice shows a negative balance or a negative amount paid.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import finance from '../src/service.ts';
import { callers, openAccount, pay, voidInvoice } from './helpers.ts';

const skip = await matrixUnavailable();

type Op =
  | { op: 'issue'; amount: number }
  | { op: 'pay'; inv: number; amount: number }
  | { op: 'credit'; inv: number; amount: number; kind: 'credit_note' | 'scholarship' }
  | { op: 'refund'; payment: number; amount: number }
  | { op: 'void'; inv: number };

const amount = fc.integer({ min: 1, max: 1200 });
const ix = fc.nat({ max: 20 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('issue' as const), amount }),
  fc.record({ op: fc.constant('pay' as const), inv: ix, amount }),
  fc.record({ op: fc.constant('pay' as const), inv: ix, amount }),
  fc.record({
    op: fc.constant('credit' as const),
    inv: ix,
    amount,
    kind: fc.constantFrom('credit_note' as const, 'scholarship' as const),
  }),
  fc.record({ op: fc.constant('refund' as const), payment: ix, amount }),
  fc.record({ op: fc.constant('void' as const), inv: ix }),
);

interface ModelInvoice {
  id: string;
  total: number;
  paid: number;
  credited: number;
  voided: boolean;
  hadPayment: boolean;
}
const due = (m: ModelInvoice) => (m.voided ? 0 : m.total - m.paid - m.credited);

describe.skipIf(skip)(`finance ledger property (${matrixLabel})`, () => {
  let env: TestServices;
  let c: ReturnType<typeof callers>;
  beforeAll(async () => {
    env = await startTestServices([finance], { env: { FINANCE_OVERDUE_INTERVAL_MS: '0' } });
    c = callers(env);
  });
  afterAll(() => env?.stop());

  it('keeps every account equal to its ledger sums, and nothing negative, over random movements', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), async (ops) => {
        const s = await openAccount(env, c.staff);
        const invoices: ModelInvoice[] = [];
        const payments: { id: string; inv: ModelInvoice; left: number }[] = [];
        for (const o of ops) {
          if (o.op === 'issue') {
            const res = await c.staff.post('/api/v1/invoices', {
              student_id: s.student_id,
              items: [{ description: 'Fee', amount: o.amount }],
              currency: 'KES',
              due_date: '2030-01-01',
            });
            expect(res.status).toBe(201);
            invoices.push({
              id: res.body.id,
              total: o.amount,
              paid: 0,
              credited: 0,
              voided: false,
              hadPayment: false,
            });
            continue;
          }
          if (o.op === 'refund') {
            const p = payments[o.payment % Math.max(payments.length, 1)];
            if (!p) continue;
            const res = await c.staff.post(`/api/v1/payments/${p.id}/refunds`, {
              amount: o.amount,
              reason: 'r',
            });
            if (o.amount > p.left) expect(res.status).toBe(422);
            else {
              expect(res.status).toBe(201);
              p.left -= o.amount;
              p.inv.paid -= o.amount;
            }
            continue;
          }
          const m = invoices[o.inv % Math.max(invoices.length, 1)];
          if (!m) continue;
          if (o.op === 'pay') {
            const res = await pay(c.staff, m.id, o.amount);
            if (due(m) === 0) expect(res.status).toBe(409);
            else if (o.amount > due(m)) expect(res.status).toBe(422);
            else {
              expect(res.status).toBe(201);
              m.paid += o.amount;
              m.hadPayment = true;
              payments.push({ id: res.body.id, inv: m, left: o.amount });
            }
          } else if (o.op === 'credit') {
            const res = await c.staff.post('/api/v1/credit-notes', {
              invoice_id: m.id,
              amount: o.amount,
              reason: 'c',
              kind: o.kind,
            });
            if (due(m) === 0) expect(res.status).toBe(409);
            else if (o.amount > due(m)) expect(res.status).toBe(422);
            else {
              expect(res.status).toBe(201);
              m.credited += o.amount;
            }
          } else {
            const res = await voidInvoice(c.staff, m.id);
            if (m.voided || m.hadPayment || due(m) === 0) expect(res.status).toBe(409);
            else {
              expect(res.status).toBe(200);
              m.voided = true;
            }
          }
        }
        const expected = invoices.reduce((sum, m) => sum + due(m), 0);
        const account = await c.staff.get(`/api/v1/students/${s.student_id}/account`);
        const statement = await c.staff.get(`/api/v1/students/${s.student_id}/statement`);
        const listed = await c.staff.get(`/api/v1/invoices?student_id=${s.student_id}&limit=100`);
        expect(account.body.balance).toBe(expected);
        expect(statement.body.closing_balance).toBe(expected);
        const listedDue = listed.body.data.reduce(
          (sum: number, i: { balance_due: number }) => sum + i.balance_due,
          0,
        );
        expect(listedDue).toBe(expected);
        for (const i of listed.body.data) {
          const m = invoices.find((x) => x.id === i.id)!;
          expect(i.balance_due).toBe(due(m));
          expect(i.balance_due).toBeGreaterThanOrEqual(0);
          expect(i.amount_paid).toBe(m.paid);
          expect(i.amount_paid).toBeGreaterThanOrEqual(0);
        }
        for (const line of statement.body.entries) expect(line.balance).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 12 },
    );
  }, 180_000);
});
