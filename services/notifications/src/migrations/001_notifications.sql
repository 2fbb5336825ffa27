-- Notifications: the in-app inbox, per-user preferences, the users read model and the per-user
-- stream sequence. Plain PostgreSQL 15 SQL: the same file runs on PGlite and PostgreSQL.

-- Users as identity's events describe them (user.registered / updated / roles_changed /
-- disabled): email addresses for mail, roles for bulk sends to a role, admin scope for webhooks.
create table users (
  id text primary key,
  email text,
  full_name text,
  roles jsonb not null default '["user"]',
  status text not null default 'active',
  updated_at timestamptz not null default now()
);

create table preferences (
  user_id text primary key,
  in_app boolean not null default true,
  email boolean not null default true,
  webhook boolean not null default true,
  updated_at timestamptz not null default now()
);

-- A per-user counter bumped in the transaction that inserts a notification. The row lock makes
-- a user's sequence numbers commit in order, so an SSE client resuming after `Last-Event-ID: n`
-- can never miss a notification that committed late with a smaller number.
create table user_sequences (
  user_id text primary key,
  last_seq bigint not null
);

create table notifications (
  id text primary key,
  user_id text not null,
  seq bigint not null,
  channel text not null,
  type text not null,
  title text not null,
  body text not null,
  data jsonb,
  source_event_id text,
  bulk_job_id text,
  read_at timestamptz,
  created_at timestamptz not null default now(),
  -- One notification per (event, person) and per (bulk job, person), however often either is
  -- delivered or replayed.
  constraint notifications_event_user unique (source_event_id, user_id),
  constraint notifications_job_user unique (bulk_job_id, user_id),
  constraint notifications_user_seq unique (user_id, seq)
);
create index notifications_user_page on notifications (user_id, created_at, id);
create index notifications_user_unread on notifications (user_id, created_at, id) where read_at is null;
create index notifications_page on notifications (created_at, id);
