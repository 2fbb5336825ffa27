/**
 * The interface between identity and the gateway, agreed in code: token claims, where the
 * keys are published, how API keys are verified, and the revocation events. Both sides import
 * these names; a test on each side proves its half. Also identity's other events, its error
 * codes, the roles and the grants identity's own routes need.
 */
import { registerProblems, registerRoleGrants } from '@portico/kit';

/** The roles an account may hold; each domain grants them permissions (registerRoleGrants). */
export const ROLES = ['admin', 'staff', 'instructor', 'student', 'user'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** `iss` of every access token identity signs. */
export const TOKEN_ISSUER = 'portico-identity';
/** `aud` of every access token identity signs. */
export const TOKEN_AUDIENCE = 'portico';
/** Signing algorithms the gateway accepts (RFC 8725 §3.1: an explicit allow-list). */
export const TOKEN_ALGORITHMS = ['ES256', 'EdDSA'] as const;
/** Public path of identity's JWKS (RFC 7517). */
export const JWKS_PATH = '/.well-known/jwks.json';

/** Claims of an access token (RFC 9068 profile). */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  /** Identity session (refresh-token family) the token belongs to. */
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  roles: string[];
  /** The API version the user is pinned to (docs/versions.md); the gateway's default for the request. */
  api_version?: string;
  /** The user's consumer plan when the token was issued (absent: the gateway's default). */
  plan?: string;
}

/** API keys look like `pk_live_<43 base64url chars>`; the prefix makes them recognisable to scanners. */
export const API_KEY_PREFIX = 'pk_live_';

/**
 * Internal route on identity (not routed publicly by the gateway). The gateway POSTs
 * `{ key }` with a passport for `identity` whose caller is `{ auth: 'service', service: 'gateway' }`.
 */
export const API_KEY_VERIFY_PATH = '/internal/api-keys/verify';
export interface ApiKeyVerifyRequest {
  key: string;
}
export type ApiKeyVerifyResponse =
  | { valid: false }
  | {
      valid: true;
      api_key_id: string;
      user_id: string;
      /** The owner's roles, for the passport. */
      roles: string[];
      /** Permissions the key grants (⊆ the owner's); the gateway authorizes against these. */
      scopes: string[];
      /** RFC 3339 or null. */
      expires_at: string | null;
      /** The API version the key is pinned to (docs/versions.md). */
      api_version?: string;
      /** The consumer plan: the key's own, else its owner's; null/absent: the gateway's default. */
      plan?: string | null;
    };

/** Event types identity publishes that the gateway consumes to refuse revoked credentials. */
export const IDENTITY_EVENTS = {
  sessionRevoked: 'session.revoked',
  apiKeyRevoked: 'api_key.revoked',
  accessTokenRevoked: 'access_token.revoked',
  userDisabled: 'user.disabled',
  userRolesChanged: 'user.roles_changed',
  /** A user's or an API key's plan changed: gateways drop what they cached of it. */
  planChanged: 'plan.changed',
  accessDenied: 'access.denied',
} as const;

/** `session.revoked`: every access token whose `sid` is listed is refused until `expires_at`. */
export interface SessionRevokedData {
  user_id: string;
  session_ids: string[];
  reason:
    | 'logout'
    | 'password_changed'
    | 'user_disabled'
    | 'refresh_token_reuse'
    | 'admin'
    /** An OAuth grant (the session of an authorization-code or refresh flow) was revoked. */
    | 'grant_revoked';
  /** RFC 3339: when the last access token of these sessions expires (the denylist can forget them then). */
  expires_at: string;
}

/**
 * `access_token.revoked`: one OAuth access token revoked (RFC 7009) — the gateway refuses the
 * token whose `jti` is listed until `expires_at`.
 */
export interface AccessTokenRevokedData {
  /** The user the token acted for, or null for a client acting as itself (client credentials). */
  user_id: string | null;
  client_id: string;
  jti: string;
  expires_at: string;
}

/** `api_key.revoked` */
export interface ApiKeyRevokedData {
  api_key_id: string;
  user_id: string;
}

/** `user.disabled`: every token of the user is refused until `expires_at`. */
export interface UserDisabledData {
  user_id: string;
  expires_at: string;
}

export interface UserRegisteredData {
  user_id: string;
  email: string;
  full_name: string;
  /** The roles the account starts with (`user` on self-registration; admin-created users may differ). */
  roles?: string[];
}
/**
 * Someone tried to register with the email of an existing account. Registration answers exactly
 * as for a new address (no account enumeration); this tells the owner instead.
 */
export interface UserRegistrationAttemptedData {
  user_id: string;
  email: string;
}
export interface UserUpdatedData {
  user_id: string;
  email: string;
  full_name: string;
  status: 'active' | 'disabled';
}
/** `plan.changed`: a user's plan (`api_key_id` null) or one API key's plan was set or cleared. */
export interface PlanChangedData {
  user_id: string;
  api_key_id: string | null;
  /** The new plan, or null: back to the default (a key: back to its owner's). */
  plan: string | null;
  changed_by: string;
}
export interface UserRolesChangedData {
  user_id: string;
  old_roles: string[];
  new_roles: string[];
  changed_by: string;
}

export interface IdentityEvents {
  'user.registered': UserRegisteredData;
  'user.registration_attempted': UserRegistrationAttemptedData;
  'user.updated': UserUpdatedData;
  'user.disabled': UserDisabledData;
  'user.roles_changed': UserRolesChangedData;
  'session.revoked': SessionRevokedData;
  'api_key.revoked': ApiKeyRevokedData;
  'access_token.revoked': AccessTokenRevokedData;
  'plan.changed': PlanChangedData;
}

export const identityProblems = registerProblems('identity', {
  invalid_credentials: { status: 401, title: 'Invalid email or password' },
  account_disabled: { status: 403, title: 'Account disabled' },
  mfa_required: { status: 401, title: 'Second factor required' },
  invalid_mfa_code: { status: 401, title: 'Invalid second-factor code' },
  mfa_enrollment_required: { status: 403, title: 'Second factor enrolment required' },
} as const);

registerRoleGrants({
  admin: ['*'],
  staff: ['api-keys:*:own', 'profile:*:own'],
  instructor: ['api-keys:*:own', 'profile:*:own'],
  student: ['api-keys:*:own', 'profile:*:own'],
  user: ['api-keys:*:own', 'profile:*:own'],
});

/** `access.denied` is the kit's own event (every service reports refusals); identity audits it. */
export type { AccessDeniedData } from '@portico/kit';
