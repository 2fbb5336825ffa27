/** Request and response schemas (TypeBox): validation, types and OpenAPI from one source. */
import { PageQuery, Type } from '@portico/kit';
import { ENTRY_KINDS, AGING_BUCKETS } from './domain/ledger.ts';
import { INVOICE_STATUSES } from './domain/invoice-status.ts';

const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);
const Id = Type.String({ minLength: 1, maxLength: 64 });
export const CalendarDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });

export const Currency = Type.String({
  pattern: '^[A-Z]{3}$',
  description: 'ISO 4217 code, e.g. KES',
  examples: ['KES'],
});
/** A positive amount of integer minor units (docs/api-conventions.md: never floats). */
export const Amount = Type.Integer({
  minimum: 1,
  maximum: 1_000_000_000_000,
  description: 'Integer minor units, > 0',
});
const Money = Type.Integer({ description: 'Integer minor units' });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' });

export const IdParams = Type.Object({ id: Id });

// ── accounts ───────────────────────────────────────────────────────────────────────────────
export const Account = Type.Object({
  id: Type.String(),
  student_id: Type.String(),
  balance: Money,
  currency: Type.String(),
  links: Type.Object({ statement: Type.String(), invoices: Type.String() }),
});

// ── invoices ───────────────────────────────────────────────────────────────────────────────
export const InvoiceStatusSchema = Type.Enum([...INVOICE_STATUSES]);
export const InvoiceInput = Type.Object({
  student_id: Id,
  items: Type.Array(Type.Object({ description: Text(200), amount: Amount }), { minItems: 1, maxItems: 100 }),
  currency: Currency,
  due_date: CalendarDate,
});
export const Invoice = Type.Object({
  id: Type.String(),
  number: Type.String(),
  student_id: Type.String(),
  status: InvoiceStatusSchema,
  currency: Type.String(),
  items: Type.Array(Type.Object({ description: Type.String(), amount: Money })),
  total: Money,
  amount_paid: Money,
  amount_refunded: Money,
  amount_credited: Money,
  balance_due: Money,
  due_date: Type.String(),
  enrollment_id: Type.Union([Type.String(), Type.Null()]),
  overdue_at: NullableDateTime,
  voided_at: NullableDateTime,
  created_at: DateTime,
  updated_at: DateTime,
  links: Type.Object({ self: Type.String(), payments: Type.String() }),
});
export const InvoiceQuery = Type.Object({
  ...PageQuery,
  student_id: Type.Optional(Id),
  status: Type.Optional(InvoiceStatusSchema),
});

// ── payments, refunds, credit notes ───────────────────────────────────────────────────────
export const PaymentMethodSchema = Type.Enum(['cash', 'bank_transfer', 'mpesa', 'card', 'cheque']);
export const PaymentInput = Type.Object({
  amount: Amount,
  method: PaymentMethodSchema,
  reference: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});
export const Payment = Type.Object({
  id: Type.String(),
  invoice_id: Type.String(),
  student_id: Type.String(),
  amount: Money,
  amount_refunded: Money,
  currency: Type.String(),
  method: PaymentMethodSchema,
  reference: Type.Union([Type.String(), Type.Null()]),
  created_at: DateTime,
  invoice: Type.Optional(
    Type.Object({
      id: Type.String(),
      number: Type.String(),
      status: InvoiceStatusSchema,
      balance_due: Money,
    }),
  ),
});
export const PaymentQuery = Type.Object({
  ...PageQuery,
  student_id: Type.Optional(Id),
  invoice_id: Type.Optional(Id),
});

export const RefundInput = Type.Object({ amount: Amount, reason: Text(500) });
export const Refund = Type.Object({
  id: Type.String(),
  payment_id: Type.String(),
  invoice_id: Type.String(),
  amount: Money,
  reason: Type.String(),
  currency: Type.String(),
  refundable_remaining: Money,
  invoice: Type.Object({ id: Type.String(), status: InvoiceStatusSchema, balance_due: Money }),
  created_at: DateTime,
});

export const CreditKindSchema = Type.Enum(['credit_note', 'scholarship']);
export const CreditInput = Type.Object({
  invoice_id: Id,
  amount: Amount,
  reason: Text(500),
  kind: Type.Optional(CreditKindSchema),
});
export const CreditNote = Type.Object({
  id: Type.String(),
  invoice_id: Type.String(),
  kind: CreditKindSchema,
  amount: Money,
  reason: Type.String(),
  currency: Type.String(),
  invoice: Type.Object({ id: Type.String(), status: InvoiceStatusSchema, balance_due: Money }),
  created_at: DateTime,
});
export const CreditQuery = Type.Object({ ...PageQuery, invoice_id: Type.Optional(Id) });

// ── fee schedules ──────────────────────────────────────────────────────────────────────────
export const FeeScheduleInput = Type.Object({
  course_id: Id,
  amount: Amount,
  currency: Currency,
  description: Type.Optional(Text(200)),
});
export const FeeSchedule = Type.Object({
  id: Type.String(),
  course_id: Type.String(),
  amount: Money,
  currency: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  created_at: DateTime,
});

// ── reports ────────────────────────────────────────────────────────────────────────────────
export const StatementLineSchema = Type.Object({
  entry_id: Type.String(),
  date: DateTime,
  kind: Type.Enum([...ENTRY_KINDS]),
  description: Type.String(),
  invoice_id: Type.String(),
  invoice_number: Type.String(),
  debit: Money,
  credit: Money,
  balance: Money,
});
export const Statement = Type.Object({
  student_id: Type.String(),
  currency: Type.String(),
  opening_balance: Money,
  closing_balance: Money,
  entries: Type.Array(StatementLineSchema),
});
export const CurrencySummary = Type.Object({
  currency: Type.String(),
  invoiced: Money,
  paid: Money,
  credited: Money,
  voided: Money,
  outstanding: Money,
  overdue: Money,
  counts: Type.Object({
    invoices: Type.Integer(),
    issued: Type.Integer(),
    partially_paid: Type.Integer(),
    paid: Type.Integer(),
    overdue: Type.Integer(),
    void: Type.Integer(),
    credited: Type.Integer(),
    payments: Type.Integer(),
  }),
});
export const Summary = Type.Object({ currencies: Type.Array(CurrencySummary) });
export const Aging = Type.Object({
  as_of: Type.String(),
  currencies: Type.Array(
    Type.Object({
      currency: Type.String(),
      total: Money,
      buckets: Type.Object(Object.fromEntries(AGING_BUCKETS.map((b) => [b, Money]))),
      invoices: Type.Object(Object.fromEntries(AGING_BUCKETS.map((b) => [b, Type.Integer()]))),
    }),
  ),
});
export const AsOfQuery = Type.Object({ as_of: Type.Optional(CalendarDate) });
export const JobResult = Type.Object({
  as_of: Type.String(),
  marked: Type.Integer(),
  invoice_ids: Type.Array(Type.String()),
});

// ── budgets ────────────────────────────────────────────────────────────────────────────────
export const BudgetInput = Type.Object({
  fiscal_year: Type.Integer({ minimum: 2000, maximum: 2100 }),
  category: Text(100),
  allocated: Amount,
  currency: Currency,
});
export const Budget = Type.Object({
  id: Type.String(),
  fiscal_year: Type.Integer(),
  category: Type.String(),
  allocated: Money,
  spent: Money,
  remaining: Money,
  currency: Type.String(),
  created_at: DateTime,
});
export const BudgetQuery = Type.Object({
  ...PageQuery,
  fiscal_year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
});
export const ExpenseInput = Type.Object({ amount: Amount, description: Text(500), spent_on: CalendarDate });
export const Expense = Type.Object({
  id: Type.String(),
  budget_id: Type.String(),
  amount: Money,
  description: Type.String(),
  spent_on: Type.String(),
  created_at: DateTime,
});
export const BudgetReport = Type.Object({
  fiscal_year: Type.Integer(),
  categories: Type.Array(
    Type.Object({
      budget_id: Type.String(),
      category: Type.String(),
      currency: Type.String(),
      allocated: Money,
      spent: Money,
      remaining: Money,
      over_budget: Type.Boolean(),
      expenses: Type.Integer(),
    }),
  ),
});
export const ReportQuery = Type.Object({ fiscal_year: Type.Integer({ minimum: 2000, maximum: 2100 }) });
