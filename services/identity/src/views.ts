/** Rows → the public JSON shapes (RFC 3339 times). Never a password hash, key hash or secret. */
import { permissionsForRoles } from '@portico/kit';
import type { ApiKeyRow, AuditLogRow, OAuthClientRow, UserRow, UserStatus } from './tables.ts';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export interface PublicUser {
  id: string;
  email: string;
  full_name: string;
  roles: string[];
  status: UserStatus;
  created_at: string;
  updated_at: string;
  /** Consumer plan (docs/plans.md); null: the gateway's default. */
  plan: string | null;
}

/** The only shape of a user that leaves identity: never the hash. */
export function userView(row: Pick<UserRow, keyof PublicUser>): PublicUser {
  return {
    id: row.id,
    email: row.email,
    full_name: row.full_name,
    roles: row.roles,
    status: row.status,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    plan: row.plan ?? null,
  };
}

/** The caller's own profile: the user, what their roles permit and which second factors are on. */
export function meView(row: UserRow, mfa: { totp: boolean }) {
  return { ...userView(row), permissions: permissionsForRoles(row.roles), mfa, api_version: row.api_version };
}

/** The listed shape: never the secret nor its hash. */
export function apiKeyView(row: ApiKeyRow) {
  return {
    id: row.id,
    user_id: row.user_id,
    name: row.name,
    prefix: row.prefix,
    last4: row.last4,
    scopes: row.scopes,
    created_at: new Date(row.created_at).toISOString(),
    expires_at: iso(row.expires_at),
    last_used_at: iso(row.last_used_at),
    api_version: row.api_version,
    plan: row.plan ?? null,
  };
}

export function auditEntryView(row: AuditLogRow) {
  return { ...row, time: new Date(row.time).toISOString() };
}

export function signingKeyView(k: {
  kid: string;
  alg: string;
  state: string;
  created_at: Date;
  activates_at: Date;
}) {
  return { ...k, created_at: k.created_at.toISOString(), activates_at: k.activates_at.toISOString() };
}

export function oauthClientView(row: OAuthClientRow) {
  return {
    client_id: row.id,
    name: row.name,
    type: row.confidential ? ('confidential' as const) : ('public' as const),
    redirect_uris: row.redirect_uris,
    post_logout_redirect_uris: row.post_logout_redirect_uris,
    grant_types: row.grant_types,
    scopes: row.scopes,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
  };
}
