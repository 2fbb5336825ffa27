-- Budgets per fiscal year and category, and the expenses recorded against them.
create table budgets (
  id text primary key,
  fiscal_year integer not null,
  category text not null,
  allocated bigint not null check (allocated > 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  created_at timestamptz not null default now(),
  unique (fiscal_year, category)
);
create index budgets_year on budgets (fiscal_year, id);

create table budget_expenses (
  id text primary key,
  budget_id text not null references budgets (id),
  amount bigint not null check (amount > 0),
  description text not null,
  spent_on text not null check (spent_on ~ '^\d{4}-\d{2}-\d{2}$'),
  created_by text,
  created_at timestamptz not null default now()
);
create index budget_expenses_budget on budget_expenses (budget_id, id);
