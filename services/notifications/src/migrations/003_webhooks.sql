-- Webhook endpoints and the durable delivery queue (Standard Webhooks). A delivery is one
-- message to one endpoint; each try is an attempt row, kept as the delivery's history.

create table webhook_endpoints (
  id text primary key,
  user_id text not null,
  url text not null,
  description text,
  event_types jsonb not null,
  -- own: events about the owner's resources; all: every event (endpoints created by an admin)
  scope text not null default 'own',
  secret text not null,
  status text not null default 'active',
  disabled_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index webhook_endpoints_user on webhook_endpoints (user_id, created_at, id);

create table webhook_deliveries (
  id text primary key,
  endpoint_id text not null references webhook_endpoints (id) on delete cascade,
  user_id text not null,
  -- `webhook-id`: the same across retries so receivers can deduplicate
  message_id text not null,
  event_type text not null,
  payload text not null,
  -- pending → succeeded | failed
  status text not null default 'pending',
  attempt_count integer not null default 0,
  -- position in the retry schedule; a manual retry grants one more attempt
  schedule_pos integer not null default 0,
  next_attempt_at timestamptz,
  locked_until timestamptz,
  last_status_code integer,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz,
  constraint webhook_deliveries_endpoint_message unique (endpoint_id, message_id)
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_page on webhook_deliveries (endpoint_id, created_at, id);

create table webhook_attempts (
  id text primary key,
  delivery_id text not null references webhook_deliveries (id) on delete cascade,
  attempt integer not null,
  attempted_at timestamptz not null,
  duration_ms integer not null,
  status_code integer,
  error text,
  outcome text not null
);
create index webhook_attempts_delivery on webhook_attempts (delivery_id, attempt);
