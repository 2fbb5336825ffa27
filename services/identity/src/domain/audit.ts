/**
 * What the audit log records (README "Audit log"): the actions, an entry, the request facts kept
 * with it, and the scrubbing applied to `details` before it is stored, so the log never holds a
 * password or a token, whoever writes to it. Pure: the writer is repository/audit-log.ts.
 */
import type { AuditOutcome } from '../tables.ts';

export type { AuditOutcome } from '../tables.ts';

/** Every action the audit log records (README "Audit actions"). */
export const AUDIT_ACTIONS = [
  'user.registered',
  'user.created',
  'user.updated',
  'user.disabled',
  'user.enabled',
  'user.roles_changed',
  'user.plan_changed',
  'auth.login',
  'auth.logout',
  'auth.refresh',
  'auth.refresh_token_reused',
  'auth.password_changed',
  'api_key.created',
  'api_key.revoked',
  'api_key.plan_changed',
  'signing_key.rotated',
  'admin.bootstrapped',
  'access.denied',
  'oauth.consent_granted',
  'oauth.consent_revoked',
  'oauth_client.created',
  'oauth_client.updated',
  'oauth_client.deleted',
  'mfa.totp_enrolment_started',
  'mfa.totp_enabled',
  'mfa.totp_disabled',
  'mfa.recovery_code_used',
  'mfa.code_rejected',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  actor_id: string | null;
  action: AuditAction;
  target?: string | null;
  outcome: AuditOutcome;
  details?: Record<string, unknown>;
  time?: Date;
}

/** Who is on the other end of a request, for throttling and the audit log (routes/request-facts.ts). */
export interface RequestFacts {
  ip: string | null;
  user_agent: string | null;
  request_id: string;
}

const SECRET_KEY =
  /^(password|current_password|new_password|password_hash|token|access_token|refresh_token|secret|client_secret|key|code|recovery_code|recovery_codes|mfa_token|authorization|x-api-key)$/i;

/** Drops credential-like members at any depth. */
export function scrubDetails(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrubDetails);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!SECRET_KEY.test(k)) out[k] = scrubDetails(v);
    return out;
  }
  return value;
}
