-- finance: student accounts, invoices and a double-entry ledger. Every movement of money is a
-- ledger entry (append-only) with balanced lines; balances, statements and reports are sums
-- over the lines. Invoice rows keep only what never changes plus a status derived from sums.

-- One account per student, opened on student.created (or on the first event naming the student).
create table accounts (
  id text primary key,
  student_id text not null unique,
  user_id text,
  student_status text not null default 'active',
  -- fixed by the first invoice; null until then (the account then shows the default currency)
  currency text check (currency ~ '^[A-Z]{3}$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index accounts_user on accounts (user_id);

-- Gapless invoice numbers: the row is incremented inside the issuing transaction, so a rollback
-- gives its number back and concurrent issuers queue on the row lock.
create table counters (
  name text primary key,
  value bigint not null
);
insert into counters (name, value) values ('invoice', 0);

create table invoices (
  id text primary key,
  number text not null unique,
  account_id text not null references accounts (id),
  student_id text not null,
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  total bigint not null check (total > 0),
  -- a calendar date 'YYYY-MM-DD' (text: sorts chronologically, and no driver turns it into a local-midnight Date)
  due_date text not null check (due_date ~ '^\d{4}-\d{2}-\d{2}$'),
  status text not null check (status in ('issued', 'partially_paid', 'paid', 'overdue', 'void', 'credited')),
  enrollment_id text unique,
  overdue_at timestamptz,
  voided_at timestamptz,
  created_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index invoices_student on invoices (student_id, id);
create index invoices_status on invoices (status, id);
create index invoices_due on invoices (due_date) where status in ('issued', 'partially_paid');

create table invoice_items (
  invoice_id text not null references invoices (id),
  position integer not null,
  description text not null,
  amount bigint not null check (amount > 0),
  primary key (invoice_id, position)
);

create table payments (
  id text primary key,
  invoice_id text not null references invoices (id),
  account_id text not null references accounts (id),
  student_id text not null,
  amount bigint not null check (amount > 0),
  currency text not null,
  method text not null check (method in ('cash', 'bank_transfer', 'mpesa', 'card', 'cheque')),
  reference text,
  recorded_by text not null,
  idempotency_key text not null,
  created_at timestamptz not null default now(),
  -- the same caller's retry with the same key can never record a second payment
  unique (recorded_by, idempotency_key)
);
create index payments_student on payments (student_id, id);
create index payments_invoice on payments (invoice_id, id);

create table refunds (
  id text primary key,
  payment_id text not null references payments (id),
  invoice_id text not null references invoices (id),
  amount bigint not null check (amount > 0),
  reason text not null,
  created_by text,
  created_at timestamptz not null default now()
);
create index refunds_payment on refunds (payment_id);

create table credit_notes (
  id text primary key,
  invoice_id text not null references invoices (id),
  kind text not null check (kind in ('credit_note', 'scholarship')),
  amount bigint not null check (amount > 0),
  reason text not null,
  created_by text,
  created_at timestamptz not null default now()
);
create index credit_notes_invoice on credit_notes (invoice_id, id);

-- The journal. `seq` orders a statement; `amount` is the entry's size (lines carry the sides).
create table ledger_entries (
  id text primary key,
  seq bigserial not null unique,
  account_id text not null references accounts (id),
  kind text not null check (kind in ('invoice', 'payment', 'credit_note', 'scholarship', 'refund', 'void')),
  invoice_id text not null references invoices (id),
  payment_id text references payments (id),
  refund_id text references refunds (id),
  credit_note_id text references credit_notes (id),
  currency text not null,
  amount bigint not null check (amount > 0),
  description text not null,
  created_at timestamptz not null default now()
);
create index ledger_entries_account on ledger_entries (account_id, seq);
create index ledger_entries_invoice on ledger_entries (invoice_id);

create table ledger_lines (
  entry_id text not null references ledger_entries (id),
  ledger_account text not null check (ledger_account in ('student_receivable', 'revenue', 'cash', 'scholarships')),
  debit bigint not null default 0 check (debit >= 0),
  credit bigint not null default 0 check (credit >= 0),
  check ((debit = 0) <> (credit = 0)),
  primary key (entry_id, ledger_account)
);

-- Append-only: an entry is corrected by another entry, never by an update or a delete.
create function ledger_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'ledger rows are append-only' using errcode = '55000';
end $$;
create trigger ledger_entries_append_only before update or delete on ledger_entries
  for each row execute function ledger_is_append_only();
create trigger ledger_lines_append_only before update or delete on ledger_lines
  for each row execute function ledger_is_append_only();

create table fee_schedules (
  id text primary key,
  course_id text not null unique,
  amount bigint not null check (amount > 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  description text,
  created_at timestamptz not null default now()
);
create index fee_schedules_created on fee_schedules (created_at, id);
