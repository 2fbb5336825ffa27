/** Identity's tables as Kysely sees them: one interface per table of migrations/ (001 identity, 002 OAuth, 003 second factors). */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { Jsonb, JsonbText } from '@portico/kit';
import type { JWK } from 'jose';

/** `timestamptz not null default now()`. */
type DefaultNow = Generated<Date>;

export type UserStatus = 'active' | 'disabled';
export type AuditOutcome = 'success' | 'failure' | 'denied';
export type AuditDetails = Record<string, unknown>;

export interface UsersTable {
  id: string;
  email: string;
  full_name: string;
  password_hash: string;
  status: Generated<UserStatus>;
  roles: Generated<string[]>;
  is_bootstrap: Generated<boolean>;
  created_at: DefaultNow;
  updated_at: DefaultNow;
  disabled_at: Date | null;
  password_changed_at: DefaultNow;
  /** The API version the user's tokens run at (docs/versions.md). */
  api_version: string;
  /** Consumer plan name (migration 004), null: the gateway's default. */
  plan: Generated<string | null>;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: DefaultNow;
  last_used_at: DefaultNow;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface RefreshTokensTable {
  id: string;
  session_id: string;
  token_hash: string;
  created_at: DefaultNow;
  expires_at: Date;
  used_at: Date | null;
  replaced_by: string | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: Jsonb<JWK>;
  private_jwk_enc: string;
  created_at: DefaultNow;
  activates_at: Date;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string;
  key_hash: string;
  prefix: string;
  last4: string;
  scopes: string[];
  created_at: DefaultNow;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  /** The API version the key's requests run at (docs/versions.md). */
  api_version: string;
  /** Consumer plan name overriding the owner's (migration 004), null: the owner's. */
  plan: Generated<string | null>;
}

export interface OAuthClientsTable {
  id: string;
  name: string;
  confidential: boolean;
  secret_hash: string | null;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  scopes: string[];
  created_by: string | null;
  created_at: DefaultNow;
  updated_at: DefaultNow;
  deleted_at: Date | null;
}

export interface OAuthArtifactsTable {
  model: string;
  id: string;
  payload: ColumnType<
    Record<string, unknown>,
    JsonbText<Record<string, unknown>>,
    JsonbText<Record<string, unknown>>
  >;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: Date | null;
  consumed_at: Date | null;
}

export interface OAuthRevokedTokensTable {
  jti: string;
  expires_at: Date;
}

export interface OAuthConsentsTable {
  user_id: string;
  client_id: string;
  scopes: string[];
  updated_at: DefaultNow;
}

export interface MfaTotpTable {
  user_id: string;
  secret_enc: string;
  created_at: DefaultNow;
  confirmed_at: Date | null;
  /** bigint: the driver answers a string. */
  last_step: ColumnType<string | null, number | null, number | null>;
}

export interface MfaRecoveryCodesTable {
  user_id: string;
  code_hash: string;
  created_at: DefaultNow;
  used_at: Date | null;
}

export type MfaChallengePurpose = 'verify' | 'enrol';

export interface MfaChallengesTable {
  token_hash: string;
  user_id: string;
  purpose: MfaChallengePurpose;
  created_at: DefaultNow;
  expires_at: Date;
  used_at: Date | null;
}

export interface LoginThrottleTable {
  key: string;
  count: number;
  window_start: Date;
}

/** Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE): nothing is ever updatable. */
export interface AuditLogTable {
  id: string;
  time: ColumnType<Date, Date | undefined, never>;
  actor_id: ColumnType<string | null, string | null | undefined, never>;
  action: ColumnType<string, string, never>;
  target: ColumnType<string | null, string | null | undefined, never>;
  outcome: ColumnType<AuditOutcome, AuditOutcome, never>;
  ip: ColumnType<string | null, string | null | undefined, never>;
  user_agent: ColumnType<string | null, string | null | undefined, never>;
  request_id: ColumnType<string | null, string | null | undefined, never>;
  details: ColumnType<AuditDetails, JsonbText<AuditDetails> | undefined, never>;
}

export interface IdentityDB {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  signing_keys: SigningKeysTable;
  api_keys: ApiKeysTable;
  login_throttle: LoginThrottleTable;
  audit_log: AuditLogTable;
  oauth_clients: OAuthClientsTable;
  oauth_artifacts: OAuthArtifactsTable;
  oauth_consents: OAuthConsentsTable;
  oauth_revoked_tokens: OAuthRevokedTokensTable;
  mfa_totp: MfaTotpTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_challenges: MfaChallengesTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKey = Insertable<ApiKeysTable>;
export type SigningKeyRow = Selectable<SigningKeysTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type NewAuditLogEntry = Insertable<AuditLogTable>;
export type OAuthClientRow = Selectable<OAuthClientsTable>;
export type MfaTotpRow = Selectable<MfaTotpTable>;
