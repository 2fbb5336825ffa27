-- OAuth 2.0 / OpenID Connect provider (docs/oauth.md): the clients admins register, what the
-- provider library (oidc-provider) stores — sessions, interactions, grants, codes and tokens —
-- and the consents users chose to remember.

-- Clients registered by admins (`/api/v1/oauth-clients`). A confidential client's secret is
-- shown once and kept as a SHA-256 hash (256 random bits: a slow hash buys nothing).
create table oauth_clients (
  id text primary key,
  name text not null,
  confidential boolean not null,
  secret_hash text,
  redirect_uris text[] not null default '{}',
  post_logout_redirect_uris text[] not null default '{}',
  grant_types text[] not null,
  scopes text[] not null,
  created_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  check (confidential = (secret_hash is not null))
);
create index oauth_clients_created on oauth_clients (created_at, id);

-- The provider's artifacts, one row each, by model (`AccessToken`, `Grant`, `Session`, ...).
-- `payload` is the library's own JSON; `grant_id` lets a whole grant be revoked at once
-- (RFC 9700 §4.14.2 refresh-token reuse), `uid` finds a session by its cookie's uid.
create table oauth_artifacts (
  model text not null,
  id text not null,
  payload jsonb not null,
  grant_id text,
  uid text,
  user_code text,
  expires_at timestamptz,
  consumed_at timestamptz,
  primary key (model, id)
);
create index oauth_artifacts_grant on oauth_artifacts (grant_id) where grant_id is not null;
create index oauth_artifacts_uid on oauth_artifacts (uid) where uid is not null;
create index oauth_artifacts_expiry on oauth_artifacts (expires_at);

-- Consent a user gave a client, remembered so the consent page is not shown again for the
-- same scopes (or fewer). Deleting the row (the user revoking it) also revokes the grants.
create table oauth_consents (
  user_id text not null,
  client_id text not null,
  scopes text[] not null,
  updated_at timestamptz not null default now(),
  primary key (user_id, client_id)
);

-- OAuth access tokens are self-contained JWTs the library does not store: one revoked through
-- the revocation endpoint (RFC 7009) is remembered by `jti` until it expires, so introspection
-- (RFC 7662) answers inactive for it; the gateway learns of it from `access_token.revoked`.
create table oauth_revoked_tokens (
  jti text primary key,
  expires_at timestamptz not null
);
