-- Outgoing mail (a durable queue the mail worker drains over SMTP; without SMTP_URL the rows are
-- the dev mailbox), templates, and bulk-send jobs processed in batches by a worker.

create table emails (
  id text primary key,
  user_id text,
  notification_id text,
  source_event_id text,
  to_address text not null,
  subject text not null,
  body text not null,
  -- pending → sent | failed, or kept (no SMTP configured: the dev mailbox)
  status text not null default 'pending',
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  locked_until timestamptz,
  last_error text,
  message_id text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  constraint emails_event_user unique (source_event_id, user_id)
);
create index emails_due on emails (next_attempt_at) where status = 'pending';
create index emails_page on emails (created_at, id);

create table templates (
  id text primary key,
  name text not null,
  description text,
  channel text not null default 'in_app',
  title text not null,
  body text not null,
  created_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint templates_name unique (name)
);
create index templates_page on templates (created_at, id);

create table bulk_jobs (
  id text primary key,
  created_by text,
  -- queued → running → completed
  status text not null default 'queued',
  channel text not null,
  title text not null,
  body text not null,
  template_id text,
  role text,
  total integer not null,
  sent integer not null default 0,
  failed integer not null default 0,
  skipped integer not null default 0,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz
);
create index bulk_jobs_open on bulk_jobs (created_at) where status <> 'completed';

create table bulk_recipients (
  job_id text not null references bulk_jobs (id) on delete cascade,
  user_id text not null,
  -- pending → sent | skipped (channel turned off) | failed (e.g. no email address)
  status text not null default 'pending',
  error text,
  primary key (job_id, user_id)
);
create index bulk_recipients_pending on bulk_recipients (job_id, user_id) where status = 'pending';
