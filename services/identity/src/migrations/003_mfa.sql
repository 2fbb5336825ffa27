-- Second factors (docs/mfa.md): a user's TOTP authenticator (RFC 6238), its recovery codes, and
-- the short-lived challenges a password sign-in hands out when a second factor is due.

-- One authenticator per user. `secret_enc` is the shared secret sealed with AES-256-GCM under a
-- key derived from the key-encryption key, which is never in the database. `confirmed_at` null:
-- enrolment started, not active yet. `last_step` is the last accepted time step: a code of that
-- step or an earlier one is refused (RFC 6238 §5.2, one use per code).
create table mfa_totp (
  user_id text primary key references users (id),
  secret_enc text not null,
  created_at timestamptz not null default now(),
  confirmed_at timestamptz,
  last_step bigint
);

-- Ten one-time recovery codes per confirmed authenticator, shown once. Kept as an HMAC-SHA-256
-- under a key derived from the KEK: a leaked table alone cannot be searched offline.
create table mfa_recovery_codes (
  user_id text not null references users (id),
  code_hash text not null,
  created_at timestamptz not null default now(),
  used_at timestamptz,
  primary key (user_id, code_hash)
);

-- `mfa_token`s: handed out by a password sign-in that still needs a code (`verify`) or, when
-- admins must use a second factor and this one has none yet, an enrolment (`enrol`). Kept as
-- SHA-256 (256 random bits); single use, five minutes.
create table mfa_challenges (
  token_hash text primary key,
  user_id text not null references users (id),
  purpose text not null check (purpose in ('verify', 'enrol')),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index mfa_challenges_expiry on mfa_challenges (expires_at);
