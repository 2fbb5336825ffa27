-- Tasks and their per-user categories.
--
-- Every column a list can sort on is NOT NULL with millisecond precision, because the kit's
-- keyset pagination compares (sort, id) tuples and carries the sort value in the cursor as a
-- JSON/ISO value (milliseconds): a microsecond timestamp would not survive the round trip and
-- rows would be skipped or repeated between pages.
--   * `priority_rank` is the enum's order (low 1 < medium 2 < high 3 < urgent 4), generated
--     from `priority` so the two can never disagree;
--   * `due_sort` is `due_at` with "no due date" as +infinity (later than every date), so a
--     nullable column still pages correctly: ascending puts undated tasks last, descending first.
-- Ids are compared bytewise (collate "C") so the tie-breaker order is the same on every engine
-- and locale.

create table categories (
  id text collate "C" primary key,
  owner_id text not null,
  name text not null,
  color text not null check (color ~ '^#[0-9A-Fa-f]{6}$'),
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now()
);
-- Names are unique per user, ignoring case ("Work" and "work" are the same category).
create unique index categories_owner_name on categories (owner_id, lower(name));

create table tasks (
  id text collate "C" primary key,
  title text not null,
  description text,
  priority text not null default 'medium' check (priority in ('low', 'medium', 'high', 'urgent')),
  priority_rank smallint not null generated always as (
    case priority when 'low' then 1 when 'medium' then 2 when 'high' then 3 when 'urgent' then 4 end
  ) stored,
  status text not null default 'pending' check (status in ('pending', 'in_progress', 'completed', 'cancelled')),
  category_id text collate "C" references categories (id) on delete set null,
  due_at timestamptz(3),
  due_sort timestamptz(3) not null generated always as (coalesce(due_at, 'infinity'::timestamptz)) stored,
  assignee_id text,
  created_by text not null,
  completed_at timestamptz(3),
  cancelled_at timestamptz(3),
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now()
);
create index tasks_created_by on tasks (created_by, created_at, id);
create index tasks_assignee on tasks (assignee_id, created_at, id) where assignee_id is not null;
create index tasks_category on tasks (category_id) where category_id is not null;
create index tasks_due on tasks (due_sort, id);
create index tasks_priority on tasks (priority_rank, id);
