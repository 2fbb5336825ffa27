-- Student records.
--
-- Uniqueness is enforced here, not only in code, so two concurrent creates cannot both win:
--   * `student_number` (already upper-case by its format, ^[A-Z]{2}\d{6}$);
--   * email, ignoring case ("Amina@School.ac.ke" and "amina@school.ac.ke" are one address);
--   * `user_id` when present: a login links to at most one student.
-- Every column a list sorts on is NOT NULL and indexed with the id, for keyset pages.
-- `name_key` is the lower-cased name, so `sort=full_name` orders "amina" beside "Amina".
-- Ids and sort keys compare bytewise (collate "C"): the same order on PGlite and PostgreSQL
-- whatever the server's locale.

create table students (
  id text collate "C" primary key,
  student_number text collate "C" not null check (student_number ~ '^[A-Z]{2}[0-9]{6}$'),
  email text not null,
  full_name text not null,
  name_key text collate "C" not null generated always as (lower(full_name)) stored,
  phone text,
  address text,
  date_of_birth date,
  status text not null default 'active'
    check (status in ('active', 'inactive', 'graduated', 'suspended')),
  user_id text,
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now()
);
create unique index students_student_number_key on students (student_number);
create unique index students_email_key on students (lower(email));
create unique index students_user_id_key on students (user_id) where user_id is not null;
create index students_created on students (created_at, id);
create index students_name on students (name_key, id);
create index students_status on students (status, created_at, id);
