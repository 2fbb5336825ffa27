/** The service's tables, as Kysely sees them (see migrations/). Money columns are bigint, read as numbers. */
import type { ColumnType, Generated } from 'kysely';
import type { EntryKind, LedgerAccount } from './domain/ledger.ts';
import type { InvoiceStatus } from './domain/invoice-status.ts';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export type PaymentMethod = 'cash' | 'bank_transfer' | 'mpesa' | 'card' | 'cheque';
export type CreditKind = 'credit_note' | 'scholarship';

export interface AccountTable {
  id: string;
  student_id: string;
  user_id: string | null;
  student_status: Generated<string>;
  currency: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CounterTable {
  name: string;
  value: number;
}

export interface InvoiceTable {
  id: string;
  number: string;
  account_id: string;
  student_id: string;
  currency: string;
  total: number;
  due_date: string;
  status: InvoiceStatus;
  enrollment_id: string | null;
  overdue_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  voided_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface InvoiceItemTable {
  invoice_id: string;
  position: number;
  description: string;
  amount: number;
}

export interface PaymentTable {
  id: string;
  invoice_id: string;
  account_id: string;
  student_id: string;
  amount: number;
  currency: string;
  method: PaymentMethod;
  reference: string | null;
  recorded_by: string;
  idempotency_key: string;
  created_at: CreatedAt;
}

export interface RefundTable {
  id: string;
  payment_id: string;
  invoice_id: string;
  amount: number;
  reason: string;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface CreditNoteTable {
  id: string;
  invoice_id: string;
  kind: CreditKind;
  amount: number;
  reason: string;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface LedgerEntryTable {
  id: string;
  seq: Generated<number>;
  account_id: string;
  kind: EntryKind;
  invoice_id: string;
  payment_id: string | null;
  refund_id: string | null;
  credit_note_id: string | null;
  currency: string;
  amount: number;
  description: string;
  created_at: CreatedAt;
}

export interface LedgerLineTable {
  entry_id: string;
  ledger_account: LedgerAccount;
  debit: number;
  credit: number;
}

export interface FeeScheduleTable {
  id: string;
  course_id: string;
  amount: number;
  currency: string;
  description: string | null;
  created_at: CreatedAt;
}

export interface BudgetTable {
  id: string;
  fiscal_year: number;
  category: string;
  allocated: number;
  currency: string;
  created_at: CreatedAt;
}

export interface BudgetExpenseTable {
  id: string;
  budget_id: string;
  amount: number;
  description: string;
  spent_on: string;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface FinanceDB {
  accounts: AccountTable;
  counters: CounterTable;
  invoices: InvoiceTable;
  invoice_items: InvoiceItemTable;
  payments: PaymentTable;
  refunds: RefundTable;
  credit_notes: CreditNoteTable;
  ledger_entries: LedgerEntryTable;
  ledger_lines: LedgerLineTable;
  fee_schedules: FeeScheduleTable;
  budgets: BudgetTable;
  budget_expenses: BudgetExpenseTable;
}

export interface AccountRow {
  id: string;
  student_id: string;
  user_id: string | null;
  student_status: string;
  currency: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface InvoiceRow {
  id: string;
  number: string;
  account_id: string;
  student_id: string;
  currency: string;
  total: number;
  due_date: string;
  status: InvoiceStatus;
  enrollment_id: string | null;
  overdue_at: Date | null;
  voided_at: Date | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface PaymentRow {
  id: string;
  invoice_id: string;
  account_id: string;
  student_id: string;
  amount: number;
  currency: string;
  method: PaymentMethod;
  reference: string | null;
  recorded_by: string;
  idempotency_key: string;
  created_at: Date;
}
