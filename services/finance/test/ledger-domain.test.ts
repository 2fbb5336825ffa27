import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCsv } from '../src/domain/csv.ts';
import { invoiceStatus } from '../src/domain/invoice-status.ts';
import {
  agingBucket,
  balanceOf,
  ENTRY_KINDS,
  invoiceFigures,
  isBalanced,
  postingFor,
  receivableEffect,
  runningBalance,
  type EntryKind,
} from '../src/domain/ledger.ts';

describe('the ledger rules', () => {
  it.each([
    ['invoice', 1000],
    ['payment', -1000],
    ['credit_note', -1000],
    ['scholarship', -1000],
    ['refund', 1000],
    ['void', -1000],
  ] as [EntryKind, number][])('a %s of 1000 changes what the student owes by %d', (kind, effect) => {
    expect(receivableEffect(kind, 1000)).toBe(effect);
  });

  it('refuses a zero, negative or fractional posting', () => {
    for (const bad of [0, -5, 1.5, Number.NaN]) expect(() => postingFor('payment', bad)).toThrow(RangeError);
  });

  it('balances every posting, and a running balance ends at the sum of the effects', () => {
    const entry = fc.record({
      kind: fc.constantFrom(...ENTRY_KINDS),
      amount: fc.integer({ min: 1, max: 1e9 }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 40 }), (entries) => {
        for (const e of entries) expect(isBalanced(postingFor(e.kind, e.amount))).toBe(true);
        const lines = runningBalance(entries);
        expect(lines.at(-1)?.balance ?? 0).toBe(balanceOf(entries));
        for (const l of lines) {
          expect(l.debit >= 0 && l.credit >= 0 && (l.debit === 0) !== (l.credit === 0)).toBe(true);
        }
      }),
    );
  });

  it('derives the invoice status from its figures', () => {
    const f = (sums: Parameters<typeof invoiceFigures>[0]) => invoiceFigures(sums);
    const plain = { voided: false, markedOverdue: false };
    expect(invoiceStatus(f({ invoice: 100 }), plain)).toBe('issued');
    expect(invoiceStatus(f({ invoice: 100, payment: 40 }), plain)).toBe('partially_paid');
    expect(invoiceStatus(f({ invoice: 100, payment: 100 }), plain)).toBe('paid');
    expect(invoiceStatus(f({ invoice: 100, payment: 100, refund: 30 }), plain)).toBe('partially_paid');
    expect(invoiceStatus(f({ invoice: 100, payment: 100, refund: 100 }), plain)).toBe('issued');
    expect(invoiceStatus(f({ invoice: 100, credit_note: 100 }), plain)).toBe('credited');
    expect(invoiceStatus(f({ invoice: 100, payment: 40, credit_note: 60 }), plain)).toBe('paid');
    expect(invoiceStatus(f({ invoice: 100, payment: 40 }), { voided: false, markedOverdue: true })).toBe(
      'overdue',
    );
    expect(invoiceStatus(f({ invoice: 100, void: 100 }), { voided: true, markedOverdue: true })).toBe('void');
  });

  it.each([
    ['2026-12-10', 'current'],
    ['2026-12-05', '0-30'],
    ['2026-11-05', '0-30'],
    ['2026-11-04', '31-60'],
    ['2026-10-06', '31-60'],
    ['2026-10-05', '61-90'],
    ['2026-09-06', '61-90'],
    ['2026-09-05', '90+'],
  ])('ages an amount due on %s as %s on 2026-12-05', (due, bucket) => {
    expect(agingBucket(due, '2026-12-05')).toBe(bucket);
  });
});

describe('CSV (RFC 4180)', () => {
  it('quotes commas, quotes and line breaks, ends lines with CRLF, and defuses formulas', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          ['line\nbreak', 42],
          ['=SUM(A1)', -5],
          [null, '@x'],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",42\r\n\'=SUM(A1),-5\r\n,\'@x\r\n');
  });
});
