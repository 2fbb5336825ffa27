-- Departments, staff members, their salary history and their absences.
--
-- Ids are compared bytewise (collate "C") so the keyset tie-breaker orders the same on every
-- engine and locale. Dates that are calendar days (hire, effective, absence dates) are `date`
-- and read back as 'YYYY-MM-DD' text by the repository (never as a JavaScript Date, which
-- would shift with the process's time zone).

create table departments (
  id text collate "C" primary key,
  name text not null,
  description text,
  head_staff_id text collate "C",
  -- DELETE soft-deletes (staff records keep referring to it); an inactive name may be reused.
  status text not null default 'active' check (status in ('active', 'inactive')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index departments_name on departments (lower(name)) where status = 'active';
create index departments_by_name on departments (name, id);

create table staff (
  id text collate "C" primary key,
  employee_number text not null,
  email text not null,
  full_name text not null,
  position text not null,
  department_id text collate "C" not null references departments (id),
  hire_date date not null,
  user_id text,
  status text not null default 'active' check (status in ('active', 'inactive')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- Unique ignoring case: "emp-7" and "EMP-7" are one employee number, emails are case-insensitive.
create unique index staff_employee_number on staff (upper(employee_number));
create unique index staff_email on staff (lower(email));
create unique index staff_user_id on staff (user_id) where user_id is not null;
create index staff_by_name on staff (full_name, id);
create index staff_by_created on staff (created_at, id);
create index staff_department on staff (department_id, status);

alter table departments
  add constraint departments_head_staff foreign key (head_staff_id) references staff (id);

create table salaries (
  id text collate "C" primary key,
  staff_id text collate "C" not null references staff (id),
  amount bigint not null check (amount > 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  effective_date date not null,
  recorded_by text,
  created_at timestamptz not null default now()
);
create index salaries_staff on salaries (staff_id, effective_date, id);

create table absences (
  id text collate "C" primary key,
  staff_id text collate "C" not null references staff (id),
  start_date date not null,
  end_date date not null,
  type text not null check (type in ('sick', 'annual', 'unpaid', 'other')),
  reason text not null,
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
  requested_by text,
  decided_by text,
  decided_at timestamptz,
  decision_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (end_date >= start_date)
);
create index absences_staff on absences (staff_id, created_at, id);
create index absences_status on absences (status, created_at, id);
create index absences_created on absences (created_at, id);
