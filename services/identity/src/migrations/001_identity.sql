-- identity: users, sessions (refresh-token families), signing keys, API keys, login throttle
-- and the append-only audit log. Plain PostgreSQL 15: the same file runs on PGlite.

create table users (
  id text primary key,
  email text not null,
  full_name text not null,
  password_hash text not null,
  status text not null default 'active' check (status in ('active', 'disabled')),
  roles text[] not null default array['user']::text[],
  is_bootstrap boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  disabled_at timestamptz,
  password_changed_at timestamptz not null default now()
);
-- Emails are stored normalised (trimmed, lower-case); lower() guards against any other writer.
create unique index users_email_unique on users (lower(email));
create index users_created on users (created_at, id);

-- A session is one refresh-token family (RFC 9700 §4.14.2): every rotation stays in it, and
-- reuse of a spent token revokes all of it. Its id is the `sid` claim of its access tokens.
create table sessions (
  id text primary key,
  user_id text not null references users (id),
  created_at timestamptz not null default now(),
  last_used_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text,
  ip text,
  user_agent text
);
create index sessions_user on sessions (user_id) where revoked_at is null;

-- Refresh tokens are stored only as SHA-256 hashes.
create table refresh_tokens (
  id text primary key,
  session_id text not null references sessions (id),
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  replaced_by text
);
create index refresh_tokens_session on refresh_tokens (session_id);

-- ES256 signing keys. The private JWK is encrypted (AES-256-GCM) with a key-encryption key
-- that is never stored in this database; JWKS publishes only public_jwk.
create table signing_keys (
  kid text primary key,
  alg text not null,
  public_jwk jsonb not null,
  private_jwk_enc text not null,
  created_at timestamptz not null default now(),
  activates_at timestamptz not null
);

create table api_keys (
  id text primary key,
  user_id text not null references users (id),
  name text not null,
  key_hash text not null unique,
  prefix text not null,
  last4 text not null,
  scopes text[] not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_keys_user on api_keys (user_id, created_at, id);

-- Login attempts per key (`pair:<ip>|<email>`, `ip:<ip>`) within a fixed window. Reserved with one
-- atomic upsert before the password check (ZITADEL GHSA-7h8m-vrxx-vr4m: a read-then-write
-- counter lets parallel guesses through).
create table login_throttle (
  key text primary key,
  count integer not null,
  window_start timestamptz not null
);

create table audit_log (
  id text primary key,
  time timestamptz not null default now(),
  actor_id text,
  action text not null,
  target text,
  outcome text not null check (outcome in ('success', 'failure', 'denied')),
  ip text,
  user_agent text,
  request_id text,
  details jsonb not null default '{}'::jsonb
);
create index audit_log_time on audit_log (time, id);
create index audit_log_actor on audit_log (actor_id, time, id);
create index audit_log_action on audit_log (action, time, id);

-- Append-only: the database itself refuses to change or remove an entry.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only (% refused)', tg_op using errcode = 'P0001';
end
$$;
create trigger audit_log_no_update_delete before update or delete on audit_log
  for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_append_only();
