/**
 * The interface between identity and the gateway, agreed in code: token claims, where the
 * keys are published, how API keys are verified, and the revocation events. Both sides import
 * these names; a test on each side proves its half.
 */

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
    };

/** Event types identity publishes that the gateway consumes to refuse revoked credentials. */
export const IDENTITY_EVENTS = {
  sessionRevoked: 'session.revoked',
  apiKeyRevoked: 'api_key.revoked',
  userDisabled: 'user.disabled',
  userRolesChanged: 'user.roles_changed',
  accessDenied: 'access.denied',
} as const;

/** `session.revoked`: every access token whose `sid` is listed is refused until `expires_at`. */
export interface SessionRevokedData {
  user_id: string;
  session_ids: string[];
  reason: 'logout' | 'password_changed' | 'user_disabled' | 'refresh_token_reuse' | 'admin';
  /** RFC 3339: when the last access token of these sessions expires (the denylist can forget them then). */
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

/**
 * `access.denied`, published by the gateway and services when they refuse an authenticated or
 * anonymous caller (401/403); identity records it in the audit log.
 */
export interface AccessDeniedData {
  actor_id: string | null;
  method: string;
  path: string;
  status: 401 | 403;
  reason: string;
  ip: string | null;
  user_agent: string | null;
  request_id: string;
  source: string;
}
